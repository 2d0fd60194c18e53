//! The circle's routine in the browser: the current version, proposals to say yes or no to,
//! an editor built from common ground (no JavaScript needed: steps move with up and down
//! buttons), every version compared, and review rounds. Each proposal shows the whole
//! routine it would make, its changes named in words, before the buttons to say yes or no.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tend_app::routine::{self, ProposalView, ReviewInput, RoutineInput, StepInput};
use tend_app::{CircleId, CircleRecord, MemberId, Problem, ProposalId, ReviewId};
use tend_core::profile::Variant;
use tend_core::routine::{Change, ProposalState, Routine, StepVerdict};

use super::ctx::{Ctx, EmptyForm, FormErrors, MemberCtx};
use super::words::{names, per_person, settings_words, step_words, variant_words};
use crate::csrf::CsrfForm;
use crate::error::{AppError, ErrorKind};
use crate::i18n::{I18n, msg};
use crate::state::AppState;

fn circle_id(id: &str) -> Result<CircleId, AppError> {
    CircleId::parse(id).ok_or_else(|| ErrorKind::NotFound.into())
}

struct ProposalRow {
    id: String,
    author: String,
    /// The kind of session it is for.
    variant: String,
    state: String,
    open: bool,
    /// The whole routine it would make, each step and setting with what changes about it.
    steps: Vec<MarkedStep>,
    /// Steps of the routine it was made from that it leaves out.
    removed: Vec<String>,
    settings: Vec<MarkedSetting>,
    /// Whether it changes nothing at all.
    unchanged: bool,
    notes: Vec<String>,
    mine_accepted: bool,
}

/// A step of a proposed routine in words, and what changes about it in words ("New",
/// "Moved (was step 2)"…), never by colour alone.
struct MarkedStep {
    words: String,
    marks: Vec<String>,
}

/// A setting of a proposed routine: its label, and its value or how it changes ("Changed:
/// red → pineapple").
struct MarkedSetting {
    label: String,
    value: String,
    changed: bool,
}

#[derive(Template)]
#[template(path = "routines/routine.html")]
struct RoutinePage {
    ctx: Ctx,
    id: String,
    name: String,
    version: u32,
    steps: Vec<String>,
    /// (for whom, their steps) of the current version.
    per_person: Vec<(String, String)>,
    settings: Vec<(String, String)>,
    proposals: Vec<ProposalRow>,
    versions: Vec<VersionRow>,
    review: Option<String>,
    /// The kind of session shown, and every kind with its label and whether it has a routine.
    variant: &'static str,
    variants: Vec<(&'static str, String, bool)>,
    review_every: String,
}

struct VersionRow {
    version: u32,
    author: String,
    variant: String,
    /// The version before it for the same kind of session, to compare with.
    previous: Option<u32>,
}

/// The kind of session a page is about: `?variant=` (after sex when absent or unknown).
#[derive(serde::Deserialize, Default)]
pub struct VariantForm {
    #[serde(default)]
    variant: String,
}

impl VariantForm {
    fn variant(&self) -> Variant {
        Variant::parse(&self.variant).unwrap_or(Variant::AfterSex)
    }
}

fn routine_url(circle: CircleId, variant: Variant) -> String {
    format!("/circles/{circle}/routine?variant={}", variant.as_str())
}

/// "Every 5 sessions or 4 weeks", or how else the routine's reviews are set.
fn review_every_words(i18n: &I18n, routine: &Routine<MemberId>) -> String {
    let s = &routine.settings;
    let sessions = u32::from(s.review_every_sessions);
    let weeks = u32::from(s.review_every_weeks);
    match (sessions, weeks) {
        (0, 0) => i18n.t("routine-review-never"),
        (n, 0) => i18n.t_count("routine-review-every-sessions", n),
        (0, w) => i18n.t_count("routine-review-every-weeks", w),
        (n, w) => format!(
            "{} · {}",
            i18n.t_count("routine-review-every-sessions", n),
            i18n.t_count("routine-review-every-weeks", w)
        ),
    }
}

/// Every setting of `routine` in words, as the routine page lists them, reviews last.
fn all_settings_words(i18n: &I18n, routine: &Routine<MemberId>) -> Vec<(String, String)> {
    let mut rows = settings_words(i18n, routine);
    rows.push((
        i18n.t("routine-review-every"),
        review_every_words(i18n, routine),
    ));
    rows
}

/// The label (message id) under which the routine page shows a setting that changed.
fn setting_label(change: &Change<MemberId>) -> Option<&'static str> {
    Some(match change {
        Change::StopWord { .. } => "routine-stop-word",
        Change::SlowWord { .. } => "routine-slow-word",
        Change::NonverbalSignal { .. } => "routine-nonverbal",
        Change::CheckInMinutes { .. } => "routine-check-in-setting",
        Change::FollowUpHours { .. } => "routine-follow-ups-setting",
        Change::Variant { .. } => "routine-variant",
        Change::ReviewEverySessions { .. } | Change::ReviewEveryWeeks { .. } => {
            "routine-review-every"
        }
        Change::StepAdded(_)
        | Change::StepRemoved(_)
        | Change::StepChanged { .. }
        | Change::StepMoved { .. } => return None,
    })
}

/// A setting that differs between two routines, in the routine page's words.
struct SettingChange {
    label: String,
    /// Its value before and after ("none" for a setting left out, like no signal).
    from: String,
    to: String,
    /// Its place among the settings before.
    place: usize,
}

/// Every setting that differs from `before` to `after`, in the order the routine page lists
/// them. Settings are matched by label, not by place: one that is added or taken away (a
/// non-verbal signal) does not shift the others.
fn changed_settings(
    i18n: &I18n,
    before: &Routine<MemberId>,
    after: &Routine<MemberId>,
) -> Vec<SettingChange> {
    let (before_rows, after_rows) = (
        all_settings_words(i18n, before),
        all_settings_words(i18n, after),
    );
    let changed: BTreeSet<&str> =
        tend_core::routine::setting_changes(&before.settings, &after.settings)
            .iter()
            .filter_map(setting_label)
            .collect();
    let value_in = |rows: &[(String, String)], label: &str| {
        rows.iter()
            .find(|(l, _)| l == label)
            .map_or_else(|| i18n.t("routine-none"), |(_, v)| v.clone())
    };
    SETTING_LABELS
        .into_iter()
        .filter(|id| changed.contains(id))
        .map(|id| {
            let label = i18n.t(id);
            SettingChange {
                from: value_in(&before_rows, &label),
                to: value_in(&after_rows, &label),
                place: before_rows
                    .iter()
                    .position(|(l, _)| *l == label)
                    .unwrap_or(before_rows.len()),
                label,
            }
        })
        .collect()
}

/// The settings' labels in the order the routine page lists them.
const SETTING_LABELS: [&str; 7] = [
    msg("routine-stop-word"),
    msg("routine-slow-word"),
    msg("routine-nonverbal"),
    msg("routine-check-in-setting"),
    msg("routine-follow-ups-setting"),
    msg("routine-variant"),
    msg("routine-review-every"),
];

/// A proposal as its card shows it: the whole routine it would make, in the words the
/// routine page uses for the current one, with every change marked in words.
fn proposal_row(
    i18n: &I18n,
    names: &HashMap<MemberId, String>,
    me: MemberId,
    view: &ProposalView,
) -> ProposalRow {
    let proposal = &view.proposal;
    let changes = view.changes();
    let words = |s: &tend_core::routine::Step<MemberId>| step_words(i18n, names, s);
    let steps = proposal
        .routine
        .steps
        .iter()
        .map(|step| MarkedStep {
            words: words(step),
            marks: changes
                .iter()
                .filter_map(|change| match change {
                    Change::StepAdded(added) if added.id == step.id => {
                        Some(i18n.t("proposal-mark-new"))
                    }
                    Change::StepChanged { before, after } if after.id == step.id => Some(
                        i18n.t_with("proposal-mark-changed-step", &[("before", &words(before))]),
                    ),
                    Change::StepMoved {
                        step: moved, from, ..
                    } if moved.id == step.id => Some(
                        i18n.t_with("proposal-mark-moved", &[("place", &(from + 1).to_string())]),
                    ),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    let removed = changes
        .iter()
        .filter_map(|change| match change {
            Change::StepRemoved(step) => Some(words(step)),
            _ => None,
        })
        .collect();
    // Settings as the routine page words them; a changed one says what it was and becomes.
    let mut settings: Vec<MarkedSetting> = all_settings_words(i18n, &proposal.routine)
        .into_iter()
        .map(|(label, value)| MarkedSetting {
            label,
            value,
            changed: false,
        })
        .collect();
    for changed in changed_settings(i18n, &view.base, &proposal.routine) {
        let value = i18n.t_with(
            "proposal-mark-changed-setting",
            &[("from", &changed.from), ("to", &changed.to)],
        );
        match settings.iter_mut().find(|row| row.label == changed.label) {
            Some(row) => {
                row.value = value;
                row.changed = true;
            }
            // A setting the proposal takes away (a non-verbal signal): shown where it was.
            None => settings.insert(
                changed.place.min(settings.len()),
                MarkedSetting {
                    label: changed.label,
                    value,
                    changed: true,
                },
            ),
        }
    }
    ProposalRow {
        id: view.id.to_string(),
        author: names.get(&proposal.author).cloned().unwrap_or_default(),
        variant: variant_words(i18n, proposal.routine.settings.variant),
        state: i18n.t(&format!(
            "proposal-state-{}",
            routine::state_name(view.state)
        )),
        open: view.state == ProposalState::Open,
        steps,
        removed,
        settings,
        unchanged: changes.is_empty(),
        notes: proposal
            .declined
            .iter()
            .filter(|(_, note)| !note.is_empty())
            .map(|(m, note)| format!("{}: {note}", names.get(m).cloned().unwrap_or_default()))
            .collect(),
        mine_accepted: proposal.author == me || proposal.accepted_by.contains(&me),
    }
}

pub async fn routine_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<VariantForm>,
) -> Result<Response, AppError> {
    let variant = query.variant();
    let overview = routine::overview(&state.app, me.member.id, circle_id(&id)?).await?;
    let (version, routine) = overview.current(variant);
    let circle = &overview.circle;
    let history = &overview.history;
    let names = names(circle);
    let proposals = overview
        .proposals
        .iter()
        .map(|p| proposal_row(&ctx.i18n, &names, me.member.id, p))
        .collect();
    let versions = history
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            author: names.get(&v.author).cloned().unwrap_or_default(),
            variant: variant_words(&ctx.i18n, v.routine.settings.variant),
            previous: history
                .iter()
                .rev()
                .find(|p| {
                    p.version < v.version
                        && p.routine.settings.variant == v.routine.settings.variant
                })
                .map(|p| p.version),
        })
        .collect();
    let review = overview.open_review(version).map(|rid| rid.to_string());
    let variants = Variant::ALL
        .into_iter()
        .map(|v| {
            (
                v.as_str(),
                variant_words(&ctx.i18n, v),
                overview.current(v).0 > 0,
            )
        })
        .collect();
    let page = RoutinePage {
        id: circle.id.to_string(),
        name: circle.name.as_str().to_owned(),
        version,
        steps: routine
            .steps
            .iter()
            .map(|s| step_words(&ctx.i18n, &names, s))
            .collect(),
        per_person: per_person(&ctx.i18n, circle, &routine),
        settings: settings_words(&ctx.i18n, &routine),
        review_every: review_every_words(&ctx.i18n, &routine),
        proposals,
        versions,
        review,
        variant: variant.as_str(),
        variants,
        ctx,
    };
    Ok(Html(page.render()?).into_response())
}

/// One row of the editor, as the form carries it between requests.
#[derive(Clone, Default)]
struct EditRow {
    id: String,
    item: String,
    text: String,
    label: String,
    minutes: String,
    for_members: BTreeSet<String>,
    from_members: BTreeSet<String>,
}

#[derive(Template)]
#[template(path = "routines/edit.html")]
struct EditPage {
    ctx: Ctx,
    id: String,
    name: String,
    rows: Vec<EditRow>,
    members: Vec<(String, String)>,
    /// Items from common ground, to add with one tap: (item id, label).
    suggestions: Vec<(String, String)>,
    stop: String,
    slow: String,
    nonverbal: String,
    check_in: String,
    follow_ups: String,
    variant: String,
    variants: Vec<(&'static str, String)>,
    review_sessions: String,
    review_weeks: String,
    errors: FormErrors,
}

fn row_from_input(i18n: &I18n, step: &StepInput) -> EditRow {
    EditRow {
        id: step.id.map(|i| i.to_string()).unwrap_or_default(),
        item: step.item.clone().unwrap_or_default(),
        text: step.text.clone().unwrap_or_default(),
        label: step
            .item
            .as_ref()
            .map(|i| i18n.t(&format!("catalog-item-{i}")))
            .unwrap_or_default(),
        minutes: step.minutes.map(|m| m.to_string()).unwrap_or_default(),
        for_members: step.for_members.iter().cloned().collect(),
        from_members: step.from_members.iter().cloned().collect(),
    }
}

async fn edit_page(
    state: &AppState,
    ctx: Ctx,
    me: MemberId,
    circle: &CircleRecord,
    body: &RoutineInput,
    errors: FormErrors,
) -> Result<EditPage, AppError> {
    let mut suggestions: Vec<(String, String)> =
        routine::suggestions(&state.app, me, circle, body.variant())
            .await?
            .into_iter()
            .map(|item| {
                let label = ctx.t(&format!("catalog-item-{item}"));
                (item, label)
            })
            .collect();
    suggestions.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(EditPage {
        id: circle.id.to_string(),
        name: circle.name.as_str().to_owned(),
        rows: body
            .steps
            .iter()
            .map(|s| row_from_input(&ctx.i18n, s))
            .collect(),
        members: circle
            .members
            .iter()
            .map(|m| (m.member.id.to_string(), m.member.name().to_owned()))
            .collect(),
        suggestions,
        stop: body.stop_word.clone(),
        slow: body.slow_word.clone(),
        nonverbal: body.nonverbal_signal.clone().unwrap_or_default(),
        check_in: body
            .check_in_minutes
            .map(|m| m.to_string())
            .unwrap_or_default(),
        follow_ups: body
            .follow_up_hours
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        variant: body.variant.clone(),
        review_sessions: body.review_every_sessions.to_string(),
        review_weeks: body.review_every_weeks.to_string(),
        variants: Variant::ALL
            .iter()
            .map(|v| {
                (
                    v.as_str(),
                    ctx.t(&format!("profile-variant-{}", v.as_str())),
                )
            })
            .collect(),
        errors,
        ctx,
    })
}

pub async fn edit_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<VariantForm>,
) -> Result<Response, AppError> {
    let (circle, _, routine) =
        routine::current_for(&state.app, me.member.id, circle_id(&id)?, query.variant()).await?;
    let body = RoutineInput::from_routine(&routine);
    let page = edit_page(
        &state,
        ctx,
        me.member.id,
        &circle,
        &body,
        FormErrors::default(),
    )
    .await?;
    Ok(Html(page.render()?).into_response())
}

/// Reads the editor's form back into a routine. Numbers that do not parse are kept as
/// problems rather than dropped.
fn body_from_form(
    form: &[(String, String)],
    problems: &mut Vec<Problem>,
) -> (RoutineInput, Option<String>) {
    let get = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |name: &str| {
        form.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let count: usize = get("rows").parse().unwrap_or(0).min(100);
    let mut steps = Vec::new();
    for i in 0..count {
        let field = |name: &str| get(&format!("step-{i}-{name}"));
        let minutes = field("minutes");
        let minutes = if minutes.trim().is_empty() {
            None
        } else {
            match minutes.trim().parse::<u16>() {
                Ok(m) => Some(m),
                Err(_) => {
                    problems.push(Problem::new(
                        format!("steps[{i}].minutes"),
                        msg("routine-step-minutes"),
                    ));
                    None
                }
            }
        };
        let text = field("text");
        let item = field("item");
        steps.push(StepInput {
            id: field("id").parse().ok(),
            item: (!item.is_empty()).then_some(item),
            text: item_or_text(&text),
            minutes,
            for_members: all(&format!("step-{i}-for")),
            from_members: all(&format!("step-{i}-from")),
        });
    }
    let check_in = get("check-in");
    let check_in_minutes = if check_in.trim().is_empty() {
        None
    } else {
        match check_in.trim().parse::<u16>() {
            Ok(m) => Some(m),
            Err(_) => {
                problems.push(Problem::new("check-in-minutes", msg("routine-check-in")));
                None
            }
        }
    };
    let mut follow_up_hours = Vec::new();
    for part in get("follow-ups")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.parse::<u16>() {
            Ok(h) => follow_up_hours.push(h),
            Err(_) => problems.push(Problem::new("follow-up-hours", msg("routine-follow-ups"))),
        }
    }
    let mut number = |name: &str, field: &str, message: &'static str, default: u16| {
        let typed = get(name);
        if typed.trim().is_empty() {
            return default;
        }
        typed.trim().parse::<u16>().unwrap_or_else(|_| {
            problems.push(Problem::new(field, message));
            default
        })
    };
    let defaults = tend_core::routine::Settings::default();
    let review_every_sessions = number(
        "review-sessions",
        "review-every-sessions",
        msg("routine-review-sessions"),
        defaults.review_every_sessions,
    );
    let review_every_weeks = number(
        "review-weeks",
        "review-every-weeks",
        msg("routine-review-weeks"),
        defaults.review_every_weeks,
    );
    let nonverbal = get("nonverbal");
    let body = RoutineInput {
        steps,
        stop_word: get("stop"),
        slow_word: get("slow"),
        nonverbal_signal: (!nonverbal.trim().is_empty()).then_some(nonverbal),
        check_in_minutes,
        follow_up_hours,
        variant: get("variant"),
        review_every_sessions,
        review_every_weeks,
    };
    let op = form.iter().find(|(n, _)| n == "op").map(|(_, v)| v.clone());
    (body, op)
}

fn item_or_text(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// The editor's buttons: move, remove, add; or send the whole thing as a proposal.
pub async fn edit_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let circle = tend_app::circles::circle(&state.app, me.member.id, circle_id(&id)?).await?;
    let mut problems = Vec::new();
    let (mut body, op) = body_from_form(&form, &mut problems);
    let op = op.unwrap_or_default();
    let index = |prefix: &str| {
        op.strip_prefix(prefix)
            .and_then(|i| i.parse::<usize>().ok())
    };
    if let Some(i) = index("up-").filter(|i| *i > 0 && *i < body.steps.len()) {
        body.steps.swap(i, i - 1);
    } else if let Some(i) = index("down-").filter(|i| i + 1 < body.steps.len()) {
        body.steps.swap(i, i + 1);
    } else if let Some(i) = index("remove-").filter(|i| *i < body.steps.len()) {
        body.steps.remove(i);
    } else if let Some(item) = op.strip_prefix("add-item-") {
        body.steps.push(StepInput {
            id: None,
            item: Some(item.to_owned()),
            text: None,
            minutes: None,
            for_members: Vec::new(),
            from_members: Vec::new(),
        });
    } else if op == "add-text" {
        let text = form
            .iter()
            .find(|(n, _)| n == "new-text")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        body.steps.push(StepInput {
            id: None,
            item: None,
            text: Some(text),
            minutes: None,
            for_members: Vec::new(),
            from_members: Vec::new(),
        });
    } else if op == "propose" && problems.is_empty() {
        match routine::propose(&state.app, me.member.id, circle.id, &body).await {
            Ok(_) => {
                return Ok(Redirect::to(&routine_url(circle.id, body.variant())).into_response());
            }
            Err(tend_app::Error::Invalid(found)) => problems.extend(found),
            Err(other) => return Err(other.into()),
        }
    }
    if problems.is_empty() {
        let page = edit_page(
            &state,
            ctx,
            me.member.id,
            &circle,
            &body,
            FormErrors::default(),
        )
        .await?;
        return Ok(Html(page.render()?).into_response());
    }
    let anchored: Vec<Problem> = problems
        .iter()
        .map(|p| Problem::new(anchor(&p.field), p.message))
        .collect();
    let errors = FormErrors::from_problems(&ctx.i18n, &anchored);
    let mut page = edit_page(&state, ctx, me.member.id, &circle, &body, errors).await?;
    // What was typed comes back as typed, even where it was not a number.
    for (i, row) in page.rows.iter_mut().enumerate() {
        let typed = form.iter().find(|(n, _)| *n == format!("step-{i}-minutes"));
        if let Some((_, value)) = typed {
            row.minutes = value.clone();
        }
    }
    for (name, field) in [
        ("check-in", &mut page.check_in),
        ("follow-ups", &mut page.follow_ups),
        ("review-sessions", &mut page.review_sessions),
        ("review-weeks", &mut page.review_weeks),
    ] {
        if let Some((_, value)) = form.iter().find(|(n, _)| n == name) {
            *field = value.clone();
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

/// The page anchor of a problem's field: `steps[2].minutes` → `step-2`.
fn anchor(field: &str) -> &'static str {
    match field.split_once('.').map_or(field, |(head, _)| head) {
        f if f.starts_with("steps[") => "steps",
        "safewords" => "stop",
        "check-in-minutes" => "check-in",
        "follow-up-hours" => "follow-ups",
        "nonverbal-signal" => "nonverbal",
        "review-every-sessions" => "review-sessions",
        "review-every-weeks" => "review-weeks",
        _ => "variant",
    }
}

#[derive(serde::Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    note: String,
}

fn proposal_id(pid: &str) -> Result<ProposalId, AppError> {
    ProposalId::parse(pid).ok_or_else(|| ErrorKind::NotFound.into())
}

pub async fn accept_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path((id, pid)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    let accepted = routine::accept(&state.app, me.member.id, id, proposal_id(&pid)?).await?;
    let variant = accepted.proposal.routine.settings.variant;
    Ok(Redirect::to(&routine_url(id, variant)).into_response())
}

pub async fn decline_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path((id, pid)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DeclineForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    // A longer note is cut rather than refused: a "no" should never bounce back.
    let note: String = form
        .note
        .trim()
        .chars()
        .take(routine::DECLINE_NOTE_MAX)
        .collect();
    let declined =
        routine::decline(&state.app, me.member.id, id, proposal_id(&pid)?, &note).await?;
    let variant = declined.proposal.routine.settings.variant;
    Ok(Redirect::to(&routine_url(id, variant)).into_response())
}

#[derive(serde::Deserialize)]
pub struct CompareQuery {
    from: u32,
    to: u32,
}

#[derive(Template)]
#[template(path = "routines/compare.html")]
struct ComparePage {
    ctx: Ctx,
    id: String,
    from: u32,
    to: u32,
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<(String, String)>,
    reordered: bool,
    settings: Vec<(String, String, String)>,
    /// Both versions' steps in order, shown side by side.
    from_steps: Vec<String>,
    to_steps: Vec<String>,
}

pub async fn compare_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let routine::Comparison {
        circle,
        from,
        to,
        change,
    } = routine::compare(
        &state.app,
        me.member.id,
        circle_id(&id)?,
        query.from,
        query.to,
    )
    .await?;
    let names = names(&circle);
    let words = |s: &tend_core::routine::Step<MemberId>| step_words(&ctx.i18n, &names, s);
    let settings = changed_settings(&ctx.i18n, &from, &to)
        .into_iter()
        .map(|c| (c.label, c.from, c.to))
        .collect();
    let page = ComparePage {
        id: circle.id.to_string(),
        from: query.from,
        to: query.to,
        added: change.added.iter().map(words).collect(),
        removed: change.removed.iter().map(words).collect(),
        changed: change
            .changed
            .iter()
            .map(|(b, a)| (words(b), words(a)))
            .collect(),
        reordered: change.reordered,
        settings,
        from_steps: from.steps.iter().map(words).collect(),
        to_steps: to.steps.iter().map(words).collect(),
        ctx: ctx.clone(),
    };
    Ok(Html(page.render()?).into_response())
}

/// Starts a review of the current version for a kind of session (or opens the one already
/// running).
pub async fn review_start_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<VariantForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    // Nothing agreed yet for that kind of session: the page offers no button (400).
    let (review, _) =
        routine::start_review_now(&state.app, me.member.id, id, form.variant()).await?;
    Ok(Redirect::to(&format!("/circles/{id}/routine/reviews/{}", review.id)).into_response())
}

struct ReviewRow {
    id: u32,
    words: String,
    mine: &'static str,
    outcome: String,
}

#[derive(Template)]
#[template(path = "routines/review.html")]
struct ReviewPage {
    ctx: Ctx,
    id: String,
    rid: String,
    rows: Vec<ReviewRow>,
    named: bool,
    suggestions: String,
    waiting: String,
    done: bool,
    choices: Vec<(&'static str, String)>,
}

async fn review_page(
    state: &AppState,
    ctx: Ctx,
    me: MemberId,
    id: CircleId,
    rid: &str,
) -> Result<ReviewPage, AppError> {
    let rid_parsed = ReviewId::parse(rid).ok_or(ErrorKind::NotFound)?;
    let (circle, view) = routine::review(&state.app, me, id, rid_parsed).await?;
    let circle = &circle;
    let routine = &view.routine;
    let outcomes = &view.outcomes;
    let names = names(circle);
    let mine = view.mine.as_ref();
    // Results only once everyone has answered or the review has closed: before, they could
    // be traced to whoever answered first.
    let rows = routine
        .steps
        .iter()
        .map(|step| {
            let mut parts = Vec::new();
            if let Some(outcome) = outcomes.iter().find(|o| o.step == step.id) {
                parts.push(
                    ctx.i18n
                        .t_count("review-keeps", u32::try_from(outcome.keep).unwrap_or(0)),
                );
                if outcome.unnamed_wishes > 0 {
                    parts.push(ctx.t("review-someone-would-change"));
                }
                for (m, verdict) in &outcome.named_wishes {
                    let name = names.get(m).cloned().unwrap_or_default();
                    let id = if *verdict == StepVerdict::Drop {
                        "review-named-drop"
                    } else {
                        "review-named-change"
                    };
                    parts.push(ctx.i18n.t_with(id, &[("name", &name)]));
                }
            }
            ReviewRow {
                id: step.id.0,
                words: step_words(&ctx.i18n, &names, step),
                mine: match mine.and_then(|a| a.verdicts.get(&step.id)) {
                    Some(StepVerdict::Keep) => "keep",
                    Some(StepVerdict::Change) => "change",
                    Some(StepVerdict::Drop) => "drop",
                    None => "",
                },
                outcome: parts.join(" · "),
            }
        })
        .collect();
    Ok(ReviewPage {
        id: circle.id.to_string(),
        rid: rid.to_owned(),
        rows,
        named: mine.is_some_and(|a| a.named),
        suggestions: mine.map(|a| a.suggestions.join("\n")).unwrap_or_default(),
        waiting: if view.results_shown() {
            ctx.i18n.t_count(
                "review-waiting",
                u32::try_from(view.waiting_for).unwrap_or(0),
            )
        } else {
            ctx.i18n.t_count(
                "review-results-later",
                u32::try_from(view.waiting_for).unwrap_or(0),
            )
        },
        done: view.record.proposal.is_some(),
        choices: ["keep", "change", "drop"]
            .into_iter()
            .map(|c| (c, ctx.t(&format!("review-verdict-{c}"))))
            .collect(),
        ctx,
    })
}

pub async fn review_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path((id, rid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let page = review_page(&state, ctx, me.member.id, circle_id(&id)?, &rid).await?;
    Ok(Html(page.render()?).into_response())
}

/// Saves the member's review answers; the last answer turns the outcome into a proposal.
pub async fn review_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path((id, rid)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    let rid_parsed = ReviewId::parse(&rid).ok_or(ErrorKind::NotFound)?;
    let mut verdicts = std::collections::BTreeMap::new();
    for (name, value) in &form {
        let Some(step) = name
            .strip_prefix("step-")
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let verdict = match value.as_str() {
            "keep" => StepVerdict::Keep,
            "change" => StepVerdict::Change,
            "drop" => StepVerdict::Drop,
            "" => continue,
            _ => return Err(ErrorKind::BadRequest.into()),
        };
        verdicts.insert(step, verdict);
    }
    let suggestions: Vec<String> = form
        .iter()
        .find(|(n, _)| n == "suggestions")
        .map(|(_, v)| {
            v.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| l.chars().take(routine::SUGGESTION_MAX_CHARS).collect())
                .take(routine::SUGGESTIONS_MAX)
                .collect()
        })
        .unwrap_or_default();
    let named = form.iter().any(|(n, v)| n == "named" && v == "yes");
    let input = ReviewInput {
        verdicts,
        suggestions,
        named,
    };
    // A closed review, or a step the review does not have, is not from this page (400).
    routine::answer_review(&state.app, me.member.id, id, rid_parsed, &input).await?;
    Ok(Redirect::to(&format!("/circles/{id}/routine/reviews/{rid}")).into_response())
}
