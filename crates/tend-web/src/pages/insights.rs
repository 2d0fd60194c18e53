//! Insights: the member's own trends from their reflections — mood right after sessions,
//! mood through the days after, the steps done when they felt best, how often drop came.
//! Private: only the member sees this page, and nothing on it is shared with a circle.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use tend_core::Timestamp;
use tend_core::catalog::Catalog;
use tend_core::insights::{Insights, Mood, MoodAt, StepWhenBest};

use super::charts::{BarChart, BarRow};
use super::ctx::{Ctx, MemberCtx};
use crate::error::AppError;
use crate::i18n::I18n;
use crate::state::AppState;
use crate::words::{Zone, date};

/// The line chart of mood right after each session: where each point sits.
struct MoodPoint {
    x: u32,
    y: u32,
    date: String,
    mood: String,
}

/// Left edge and width of the line chart's plot, in the chart's units.
const PLOT_LEFT: u32 = 30;
const PLOT_WIDTH: u32 = 320;
/// Vertical distance between two moods.
const MOOD_STEP: u32 = 40;

#[derive(Template)]
#[template(path = "insights/insights.html")]
struct InsightsPage {
    ctx: Ctx,
    summary: Vec<String>,
    mood_points: Vec<MoodPoint>,
    /// The mood lines of the chart, 5 at the top: (value, y).
    mood_levels: Vec<(u8, u32)>,
    /// The charts, rendered: mood through the days after, steps done when feeling best.
    window: Option<String>,
    best_steps: Option<String>,
}

impl InsightsPage {
    fn polyline(&self) -> String {
        self.mood_points
            .iter()
            .map(|p| format!("{},{}", p.x, p.y))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub async fn insights_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let found = tend_app::reflections::insights_of(&state.app, me.member.id).await?;
    let page = InsightsPage {
        summary: summary(&ctx.i18n, &found),
        mood_points: mood_points(&ctx.i18n, &ctx.zone, &found.mood_after),
        mood_levels: (Mood::LOWEST..=Mood::HIGHEST)
            .rev()
            .map(|m| (m, mood_y(m)))
            .collect(),
        window: window_chart(&ctx.i18n, &found.mood_through_window)
            .map(|chart| chart.render())
            .transpose()?,
        best_steps: best_steps_chart(&ctx.i18n, state.app.catalog, &found)
            .map(|chart| chart.render())
            .transpose()?,
        ctx,
    };
    Ok(Html(page.render()?).into_response())
}

fn summary(i18n: &I18n, found: &Insights) -> Vec<String> {
    if found.sessions == 0 {
        return Vec::new();
    }
    let mut lines = vec![i18n.t_count("insights-summary-sessions", found.sessions)];
    if !found.mood_after.is_empty() {
        lines.push(i18n.t_with(
            "insights-summary-best",
            &[("best", &found.best_sessions.to_string())],
        ));
    }
    lines.push(if found.sessions_with_drop == 0 {
        i18n.t("insights-summary-no-drop")
    } else {
        i18n.t_with(
            "insights-summary-drop",
            &[("drop", &found.sessions_with_drop.to_string())],
        )
    });
    lines
}

fn mood_y(mood: u8) -> u32 {
    10 + u32::from(Mood::HIGHEST - mood) * MOOD_STEP
}

fn mood_words(i18n: &I18n, mood: Mood) -> String {
    i18n.t_with(
        "insights-mood-value",
        &[
            ("mood", &mood.value().to_string()),
            ("words", &i18n.t(&format!("insights-mood-{}", mood.value()))),
        ],
    )
}

fn mood_points(i18n: &I18n, zone: &Zone, moods: &[(Timestamp, Mood)]) -> Vec<MoodPoint> {
    let gaps = u32::try_from(moods.len().saturating_sub(1)).unwrap_or(u32::MAX);
    moods
        .iter()
        .zip(0u32..)
        .map(|((at, mood), i)| MoodPoint {
            x: match gaps {
                0 => PLOT_LEFT + PLOT_WIDTH / 2,
                _ => PLOT_LEFT + i * PLOT_WIDTH / gaps,
            },
            y: mood_y(mood.value()),
            date: date(zone, *at),
            mood: mood_words(i18n, *mood),
        })
        .collect()
}

fn average_words(average: f64) -> String {
    format!("{average:.1}")
}

fn window_chart(i18n: &I18n, window: &[MoodAt]) -> Option<BarChart> {
    // One point alone (right after only) says nothing about the days after.
    if window.len() < 2 {
        return None;
    }
    let rows = window
        .iter()
        .map(|at| BarRow {
            label: if at.hours == 0 {
                i18n.t("insights-right-after")
            } else {
                i18n.t_count("insights-hours-after", u32::from(at.hours))
            },
            value: i18n.t_with(
                "insights-average-of-five",
                &[("average", &average_words(at.average))],
            ),
            share: at.average / f64::from(Mood::HIGHEST),
            cells: vec![average_words(at.average), at.reflections.to_string()],
        })
        .collect();
    Some(BarChart {
        id: "window",
        title: i18n.t("insights-window-title"),
        caption: i18n.t("insights-window-caption"),
        headings: vec![
            i18n.t("insights-when"),
            i18n.t("insights-average-mood"),
            i18n.t("insights-reflections"),
        ],
        rows,
    })
}

/// A step in the member's words: a catalog item's name, or the text of a free step.
fn step_label(i18n: &I18n, catalog: &Catalog, step: &str) -> String {
    match catalog.item(step) {
        Some(_) => i18n.t(&format!("catalog-item-{step}")),
        None => step.to_owned(),
    }
}

fn best_steps_chart(i18n: &I18n, catalog: &Catalog, found: &Insights) -> Option<BarChart> {
    if found.steps_when_best.is_empty() {
        return None;
    }
    let best = found.best_sessions.max(1);
    let rows = found
        .steps_when_best
        .iter()
        .map(|step: &StepWhenBest| BarRow {
            label: step_label(i18n, catalog, &step.step),
            value: i18n.t_with(
                "insights-of",
                &[
                    ("part", &step.in_best_sessions.to_string()),
                    ("whole", &best.to_string()),
                ],
            ),
            share: f64::from(step.in_best_sessions) / f64::from(best),
            cells: vec![
                step.in_best_sessions.to_string(),
                step.in_sessions.to_string(),
            ],
        })
        .collect();
    Some(BarChart {
        id: "best-steps",
        title: i18n.t("insights-steps-title"),
        caption: i18n.t("insights-steps-caption"),
        headings: vec![
            i18n.t("insights-step"),
            i18n.t("insights-in-best-sessions"),
            i18n.t("insights-in-sessions"),
        ],
        rows,
    })
}
