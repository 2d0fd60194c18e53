//! The guided profile: one topic per screen, saved as you go, resumable; the summary of
//! "your aftercare language"; and the member's own items.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tend_app::profile::{self, AnswerChange, Part};
use tend_app::{CustomItem, CustomItemId};
use tend_core::catalog::ItemKind;
use tend_core::profile::{Answer, GiveRating, Rating, Variant, aftercare_language};

use super::charts::{BarChart, BarRow};
use super::ctx::{Ctx, EmptyForm, FormErrors, MemberCtx};
use crate::catalog_words::{self as rules, ItemInfo, OWN_ITEMS_STEP};
use crate::csrf::CsrfForm;
use crate::error::{AppError, ErrorKind};
use crate::i18n::I18n;
use crate::state::AppState;

fn variant_label(i18n: &I18n, variant: Variant) -> String {
    i18n.t(&format!("profile-variant-{}", variant.as_str()))
}

fn variant_phrase(i18n: &I18n, variant: Variant) -> String {
    i18n.t(&format!("profile-variant-phrase-{}", variant.as_str()))
}

fn parse_variant(value: &str) -> Result<Variant, AppError> {
    Variant::parse(value).ok_or_else(|| ErrorKind::NotFound.into())
}

/// Topics of `step` that the member answered in `answers`.
fn answered_steps(
    state: &AppState,
    custom: &[CustomItem],
    answers: &tend_core::Answers,
) -> Vec<String> {
    rules::steps(state.app.catalog)
        .into_iter()
        .filter(|step| {
            rules::step_items(state.app.catalog, &I18n::default(), custom, step)
                .is_some_and(|items| items.iter().any(|item| answers.contains_key(&item.key)))
        })
        .collect()
}

struct VariantRow {
    variant: &'static str,
    label: String,
    progress: String,
    /// Where "start" or "continue" leads: the first topic not answered yet.
    next_step: String,
    started: bool,
    copy_hint: bool,
}

#[derive(Template)]
#[template(path = "profile/overview.html")]
struct OverviewPage {
    ctx: Ctx,
    variants: Vec<VariantRow>,
}

pub async fn profile_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let profile::Profile {
        answers: profile,
        custom_items: custom,
    } = profile::profile(&state.app, me.member.id).await?;
    let steps = rules::steps(state.app.catalog);
    let variants = Variant::ALL
        .iter()
        .map(|variant| {
            let own = profile.own(*variant);
            let answered = answered_steps(&state, &custom, &profile.effective(*variant));
            let next_step = steps
                .iter()
                .find(|step| !answered.contains(step))
                .unwrap_or(&steps[0])
                .clone();
            VariantRow {
                variant: variant.as_str(),
                label: variant_label(&ctx.i18n, *variant),
                progress: ctx.i18n.t_with(
                    "profile-progress",
                    &[
                        ("done", &answered.len().to_string()),
                        ("total", &steps.len().to_string()),
                    ],
                ),
                next_step,
                started: !own.is_empty() || !answered.is_empty(),
                copy_hint: *variant != Variant::AfterSex,
            }
        })
        .collect();
    Ok(Html(OverviewPage { ctx, variants }.render()?).into_response())
}

/// One item's row in a step's form, as the member last saved or typed it.
struct ItemRow {
    info: ItemInfo,
    given: bool,
    receive: String,
    give: String,
    shared: String,
    note: String,
    receive_error: String,
    give_error: String,
    shared_error: String,
    note_error: String,
}

impl ItemRow {
    fn with_errors(mut self, errors: &FormErrors) -> Self {
        let error = |part: &str| errors.get(&format!("{part}:{}", self.info.key)).to_owned();
        self.receive_error = error("receive");
        self.give_error = error("give");
        self.shared_error = error("shared");
        self.note_error = error("note");
        self
    }

    fn from_answer(info: ItemInfo, answer: Option<&Answer>) -> Self {
        let answer = answer.cloned().unwrap_or_default();
        Self {
            given: info.kind == ItemKind::Given,
            receive: answer.receive.map_or("", Rating::as_str).to_owned(),
            give: answer.give.map_or("", GiveRating::as_str).to_owned(),
            shared: answer.shared.map_or("", Rating::as_str).to_owned(),
            note: answer
                .note
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default(),
            receive_error: String::new(),
            give_error: String::new(),
            shared_error: String::new(),
            note_error: String::new(),
            info,
        }
    }

    fn from_form(info: ItemInfo, form: &HashMap<String, String>) -> Self {
        let field = |part: &str| {
            form.get(&format!("{part}:{}", info.key))
                .cloned()
                .unwrap_or_default()
        };
        Self {
            given: info.kind == ItemKind::Given,
            receive: field("receive"),
            give: field("give"),
            shared: field("shared"),
            note: field("note"),
            receive_error: String::new(),
            give_error: String::new(),
            shared_error: String::new(),
            note_error: String::new(),
            info,
        }
    }
}

/// A choice in a group of radio buttons: (value, label).
type Choice = (&'static str, String);

#[derive(Template)]
#[template(path = "profile/step.html")]
struct StepPage {
    ctx: Ctx,
    variant: &'static str,
    variant_label: String,
    step: String,
    title: String,
    intro: String,
    step_of: String,
    position: usize,
    total: usize,
    last: bool,
    first: bool,
    own_items: bool,
    rows: Vec<ItemRow>,
    rating_choices: Vec<Choice>,
    give_choices: Vec<Choice>,
    errors: FormErrors,
    saved: bool,
}

fn rating_choices(i18n: &I18n) -> Vec<Choice> {
    vec![
        ("love", i18n.t("profile-rating-love")),
        ("like", i18n.t("profile-rating-like")),
        ("maybe", i18n.t("profile-rating-maybe")),
        ("no", i18n.t("profile-rating-no")),
        ("", i18n.t("profile-skip")),
    ]
}

fn give_choices(i18n: &I18n) -> Vec<Choice> {
    vec![
        ("glad", i18n.t("profile-give-glad")),
        ("if-you-like", i18n.t("profile-give-if-you-like")),
        ("maybe", i18n.t("profile-give-maybe")),
        ("no", i18n.t("profile-give-no")),
        ("", i18n.t("profile-skip")),
    ]
}

struct StepParts {
    variant: Variant,
    step: String,
    items: Vec<ItemInfo>,
}

fn step_parts(
    state: &AppState,
    custom: &[CustomItem],
    i18n: &I18n,
    variant: &str,
    step: &str,
) -> Result<StepParts, AppError> {
    let variant = parse_variant(variant)?;
    let items =
        rules::step_items(state.app.catalog, i18n, custom, step).ok_or(ErrorKind::NotFound)?;
    Ok(StepParts {
        variant,
        step: step.to_owned(),
        items,
    })
}

fn step_page(
    state: &AppState,
    ctx: Ctx,
    parts: StepParts,
    rows: Vec<ItemRow>,
    errors: FormErrors,
    saved: bool,
) -> StepPage {
    let steps = rules::steps(state.app.catalog);
    let position = steps.iter().position(|s| *s == parts.step).unwrap_or(0) + 1;
    let own_items = parts.step == OWN_ITEMS_STEP;
    let intro = if own_items {
        ctx.t("profile-own-items-intro")
    } else {
        ctx.t(&format!("catalog-category-{}-intro", parts.step))
    };
    StepPage {
        variant: parts.variant.as_str(),
        variant_label: variant_label(&ctx.i18n, parts.variant),
        title: rules::step_title(&ctx.i18n, &parts.step),
        intro,
        step_of: ctx.i18n.t_with(
            "profile-step",
            &[
                ("step", &position.to_string()),
                ("total", &steps.len().to_string()),
            ],
        ),
        position,
        total: steps.len(),
        last: position == steps.len(),
        first: position == 1,
        own_items,
        step: parts.step,
        rows,
        rating_choices: rating_choices(&ctx.i18n),
        give_choices: give_choices(&ctx.i18n),
        errors,
        saved,
        ctx,
    }
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn step_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path((variant, step)): Path<(String, String)>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let profile = profile::profile(&state.app, me.member.id).await?;
    let parts = step_parts(&state, &profile.custom_items, &ctx.i18n, &variant, &step)?;
    let answers = profile.answers.effective(parts.variant);
    let rows = parts
        .items
        .iter()
        .map(|info| ItemRow::from_answer(info.clone(), answers.get(&info.key)))
        .collect();
    let saved = query.saved.is_some();
    let page = step_page(&state, ctx, parts, rows, FormErrors::default(), saved);
    Ok(Html(page.render()?).into_response())
}

/// Saves every item of the step at once (or nothing, if anything is wrong), then goes where
/// the member asked: back, on, or to the summary.
pub async fn step_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path((variant, step)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let custom = profile::custom_items(&state.app, me.member.id).await?;
    let parts = step_parts(&state, &custom, &ctx.i18n, &variant, &step)?;
    let form: HashMap<String, String> = form.into_iter().collect();
    let known: Vec<&str> = parts.items.iter().map(|i| i.key.as_str()).collect();
    let unknown = form.keys().any(|name| {
        name.split_once(':')
            .is_some_and(|(_, key)| !known.contains(&key))
    });
    if unknown {
        return Err(ErrorKind::BadRequest.into());
    }
    // Every part of every item of the step is sent: what is absent was skipped.
    let changes: Vec<AnswerChange> = parts
        .items
        .iter()
        .map(|info| {
            let part = |name: &str| Part::Set(form.get(&format!("{name}:{}", info.key)).cloned());
            AnswerChange {
                item: info.key.clone(),
                receive: part("receive"),
                give: part("give"),
                shared: part("shared"),
                note: part("note"),
            }
        })
        .collect();
    let variant = parts.variant;
    match profile::save_answers(&state.app, me.member.id, variant, &changes).await {
        Ok(_) => {}
        Err(tend_app::Error::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for problem in &problems {
                let key = problem
                    .entry
                    .and_then(|i| changes.get(i))
                    .map_or("", |c| c.item.as_str());
                errors.add(format!("{}:{key}", problem.field), ctx.t(problem.message));
            }
            let rows = parts
                .items
                .iter()
                .map(|info| ItemRow::from_form(info.clone(), &form).with_errors(&errors))
                .collect();
            let page = step_page(&state, ctx, parts, rows, errors, false);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
        Err(error) => return Err(error.into()),
    }
    let steps = rules::steps(state.app.catalog);
    let at = steps.iter().position(|s| *s == parts.step).unwrap_or(0);
    let base = format!("/profile/answers/{}", variant.as_str());
    let to = match form.get("go").map(String::as_str) {
        Some("back") if at > 0 => format!("{base}/{}", steps[at - 1]),
        Some("next") if at + 1 < steps.len() => format!("{base}/{}", steps[at + 1]),
        Some("next") => format!("/profile/language/{}", variant.as_str()),
        _ => format!("{base}/{}?saved=1", parts.step),
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "profile/language.html")]
struct LanguagePage {
    ctx: Ctx,
    variant: &'static str,
    variant_label: String,
    words: String,
    /// The chart of scores per topic, rendered.
    chart: String,
    loved: Vec<String>,
    glad: Vec<String>,
    first_step: String,
}

pub async fn language_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(variant): Path<String>,
) -> Result<Response, AppError> {
    let variant = parse_variant(&variant)?;
    let profile::Profile {
        answers,
        custom_items: custom,
    } = profile::profile(&state.app, me.member.id).await?;
    let answers = answers.effective(variant);
    let language = aftercare_language(state.app.catalog, &answers);
    let label = |category: &str| rules::step_title(&ctx.i18n, category);
    let phrase = variant_phrase(&ctx.i18n, variant);
    let top: Vec<&tend_core::profile::CategoryScore> =
        language.iter().filter(|s| s.score > 0).take(2).collect();
    let words = match top.as_slice() {
        [] => ctx.t("language-empty"),
        [one] => ctx.i18n.t_with(
            "language-top-one",
            &[("first", &label(&one.category)), ("variant", &phrase)],
        ),
        [first, second, ..] => ctx.i18n.t_with(
            "language-top-two",
            &[
                ("first", &label(&first.category)),
                ("second", &label(&second.category)),
                ("variant", &phrase),
            ],
        ),
    };
    let chart = BarChart {
        id: "language",
        title: ctx
            .i18n
            .t_with("language-chart-title", &[("variant", &phrase)]),
        caption: ctx.t("language-table-caption"),
        headings: vec![
            ctx.t("language-topic"),
            ctx.t("language-score"),
            ctx.t("language-rated"),
        ],
        rows: language
            .iter()
            .map(|s| BarRow {
                label: label(&s.category),
                value: s.score.to_string(),
                share: f64::from(s.score) / 100.0,
                cells: vec![s.score.to_string(), s.rated.to_string()],
            })
            .collect(),
    };
    let items = rules::all_items(state.app.catalog, &ctx.i18n, &custom);
    let labelled = |wanted: &dyn Fn(&Answer) -> bool| -> Vec<String> {
        items
            .iter()
            .filter(|info| answers.get(&info.key).is_some_and(wanted))
            .map(|info| info.label.clone())
            .collect()
    };
    let loved = labelled(&|a| a.receive == Some(Rating::Love) || a.shared == Some(Rating::Love));
    let glad = labelled(&|a| a.give == Some(GiveRating::Glad));
    let page = LanguagePage {
        chart: chart.render()?,
        variant: variant.as_str(),
        variant_label: variant_label(&ctx.i18n, variant),
        words,
        loved,
        glad,
        first_step: rules::steps(state.app.catalog)[0].clone(),
        ctx,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "profile/custom_items.html")]
struct CustomItemsPage {
    ctx: Ctx,
    items: Vec<CustomItemRow>,
    new_label: String,
    new_kind: String,
    errors: FormErrors,
}

struct CustomItemRow {
    id: String,
    label: String,
    kind: &'static str,
    error: String,
}

fn custom_rows(items: &[CustomItem]) -> Vec<CustomItemRow> {
    items
        .iter()
        .map(|item| CustomItemRow {
            id: item.id.to_string(),
            label: item.label.as_str().to_owned(),
            kind: item.kind.as_str(),
            error: String::new(),
        })
        .collect()
}

pub async fn custom_items_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let items = profile::custom_items(&state.app, me.member.id).await?;
    let page = CustomItemsPage {
        ctx,
        items: custom_rows(&items),
        new_label: String::new(),
        new_kind: "given".to_owned(),
        errors: FormErrors::default(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(serde::Deserialize)]
pub struct CustomItemForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    kind: String,
}

pub async fn custom_items_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    CsrfForm(form): CsrfForm<CustomItemForm>,
) -> Result<Response, AppError> {
    match profile::add_custom_item(&state.app, me.member.id, &form.label, &form.kind).await {
        Ok(_) => Ok(Redirect::to("/profile/custom-items").into_response()),
        Err(tend_app::Error::Invalid(problems)) => {
            // The page offers only the two kinds: another one is not from it.
            if problems.iter().any(|p| p.field == "kind") {
                return Err(ErrorKind::BadRequest.into());
            }
            let items = profile::custom_items(&state.app, me.member.id).await?;
            let errors = FormErrors::from_problems(&ctx.i18n, &problems);
            let page = CustomItemsPage {
                ctx,
                items: custom_rows(&items),
                new_label: form.label,
                new_kind: form.kind,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

fn custom_item_id(id: &str) -> Result<CustomItemId, AppError> {
    CustomItemId::parse(id).ok_or_else(|| ErrorKind::NotFound.into())
}

pub async fn custom_item_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CustomItemForm>,
) -> Result<Response, AppError> {
    let item = custom_item_id(&id)?;
    let changed =
        profile::change_custom_item(&state.app, me.member.id, item, &form.label, &form.kind).await;
    match changed {
        Ok(_) => Ok(Redirect::to("/profile/custom-items").into_response()),
        Err(tend_app::Error::Invalid(problems)) => {
            if problems.iter().any(|p| p.field == "kind") {
                return Err(ErrorKind::BadRequest.into());
            }
            let message = problems
                .first()
                .map(|p| ctx.t(p.message))
                .unwrap_or_default();
            let items = profile::custom_items(&state.app, me.member.id).await?;
            let mut rows = custom_rows(&items);
            if let Some(row) = rows.iter_mut().find(|row| row.id == id) {
                row.label = form.label;
                row.error = message.clone();
            }
            let mut errors = FormErrors::default();
            errors.add(format!("label-{id}"), message);
            let page = CustomItemsPage {
                ctx,
                items: rows,
                new_label: String::new(),
                new_kind: "given".to_owned(),
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn custom_item_delete_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    profile::delete_custom_item(&state.app, me.member.id, custom_item_id(&id)?).await?;
    Ok(Redirect::to("/profile/custom-items").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_label_and_a_phrase() {
        let i18n = I18n::default();
        for variant in Variant::ALL {
            assert!(i18n.exists(&format!("profile-variant-{}", variant.as_str())));
            assert!(i18n.exists(&format!("profile-variant-phrase-{}", variant.as_str())));
        }
    }
}
