//! Boundaries: limits, triggers, responses, health, drop and signals, each entry the
//! member's own, private until shared with a circle.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tend_app::boundaries::{self, BoundaryInput};
use tend_app::circles;
use tend_app::{BoundaryId, BoundaryRecord, CircleSummary, MemberId, Problem};
use tend_core::boundaries::{BoundaryGroup, BoundaryKind, STRESS_RESPONSES};

use super::ctx::{Ctx, EmptyForm, FormErrors, MemberCtx};
use crate::csrf::CsrfForm;
use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

/// One of the member's circles, ticked where an entry is shared with it.
#[derive(Clone)]
struct CircleTick {
    id: String,
    name: String,
    ticked: bool,
}

struct EntryRow {
    id: String,
    text: String,
    condition: String,
    error: String,
    circles: Vec<CircleTick>,
}

struct KindSection {
    kind: &'static str,
    heading: String,
    hint: String,
    soft_limit: bool,
    entries: Vec<EntryRow>,
    /// What the add form holds after a mistake.
    new_text: String,
    new_condition: String,
    new_error: String,
    /// A new entry is private until a circle is ticked on it.
    new_circles: Vec<CircleTick>,
}

struct GroupSection {
    heading: String,
    kinds: Vec<KindSection>,
}

#[derive(Template)]
#[template(path = "profile/boundaries.html")]
struct BoundariesPage {
    ctx: Ctx,
    groups: Vec<GroupSection>,
    /// (value, label, chosen) for the stress responses.
    stress: Vec<(&'static str, String, bool)>,
    /// "yes", "no" or "" (not said).
    override_im_fine: String,
    /// Whom the stress responses and the "I'm fine" answer are shared with.
    response_circles: Vec<CircleTick>,
    errors: FormErrors,
}

/// Kinds with a fixed set of answers get their own small forms, not free text.
fn free_text(kind: BoundaryKind) -> bool {
    !matches!(
        kind,
        BoundaryKind::StressResponse | BoundaryKind::OverrideImFine
    )
}

/// The member's circles, ticked where `record` is shared (none ticked for a new entry).
fn ticks(circles: &[CircleSummary], record: Option<&BoundaryRecord>) -> Vec<CircleTick> {
    circles
        .iter()
        .map(|c| CircleTick {
            id: c.id.to_string(),
            name: c.name.as_str().to_owned(),
            ticked: record
                .and_then(|r| r.shared_with.as_ref())
                .is_some_and(|set| set.contains(&c.id)),
        })
        .collect()
}

fn page(
    ctx: Ctx,
    records: &[BoundaryRecord],
    circles: &[CircleSummary],
    errors: FormErrors,
) -> BoundariesPage {
    let groups = BoundaryGroup::ALL
        .iter()
        .map(|group| GroupSection {
            heading: ctx.t(&format!("boundaries-group-{}", group.as_str())),
            kinds: group
                .kinds()
                .filter(|kind| free_text(*kind))
                .map(|kind| {
                    let name = kind.as_str();
                    let hint_id = format!("boundary-{name}-hint");
                    let hint = if ctx.i18n.exists(&hint_id) {
                        ctx.t(&hint_id)
                    } else {
                        String::new()
                    };
                    KindSection {
                        kind: name,
                        heading: ctx.t(&format!("boundary-{name}")),
                        hint,
                        soft_limit: kind == BoundaryKind::SoftLimit,
                        entries: records
                            .iter()
                            .filter(|r| r.boundary.kind == kind)
                            .map(|r| EntryRow {
                                id: r.id.to_string(),
                                text: r.boundary.text.clone(),
                                condition: r.boundary.condition.clone().unwrap_or_default(),
                                error: errors.get(&format!("text-{}", r.id)).to_owned(),
                                circles: ticks(circles, Some(r)),
                            })
                            .collect(),
                        new_text: String::new(),
                        new_condition: String::new(),
                        new_error: errors.get(&format!("new-{name}")).to_owned(),
                        new_circles: ticks(circles, None),
                    }
                })
                .collect(),
        })
        .collect();
    let chosen: Vec<&str> = records
        .iter()
        .filter(|r| r.boundary.kind == BoundaryKind::StressResponse)
        .map(|r| r.boundary.text.as_str())
        .collect();
    let stress = STRESS_RESPONSES
        .iter()
        .map(|value| {
            (
                *value,
                ctx.t(&format!("boundary-stress-{value}")),
                chosen.contains(value),
            )
        })
        .collect();
    let override_im_fine = records
        .iter()
        .find(|r| r.boundary.kind == BoundaryKind::OverrideImFine)
        .map(|r| r.boundary.text.clone())
        .unwrap_or_default();
    let response = records.iter().find(|r| {
        matches!(
            r.boundary.kind,
            BoundaryKind::StressResponse | BoundaryKind::OverrideImFine
        )
    });
    BoundariesPage {
        ctx,
        groups,
        stress,
        override_im_fine,
        response_circles: ticks(circles, response),
        errors,
    }
}

pub async fn boundaries_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let records = boundaries::boundaries(&state.app, me.member.id).await?;
    let circles = circles::list(&state.app, me.member.id).await?;
    Ok(Html(page(ctx, &records, &circles, FormErrors::default()).render()?).into_response())
}

/// An entry's form: its kind, words, "only if…", and the circles ticked (checkboxes: a
/// `circle` field per ticked one, and a `circles` field saying the list was on the form, so
/// unticking them all is heard).
#[derive(Default)]
pub struct BoundaryForm {
    kind: String,
    text: String,
    condition: String,
    circles: Option<Vec<String>>,
}

impl BoundaryForm {
    fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        let mut ticked = Vec::new();
        let mut listed = false;
        for (name, value) in fields {
            match name.as_str() {
                "kind" => form.kind = value,
                "text" => form.text = value,
                "condition" => form.condition = value,
                "circle" => ticked.push(value),
                "circles" => listed = true,
                _ => {}
            }
        }
        form.circles = listed.then_some(ticked);
        form
    }
}

/// Keeps the ticks as sent, for a form shown again after a mistake.
fn keep_ticks(ticks: &mut [CircleTick], sent: Option<&Vec<String>>) {
    if let Some(sent) = sent {
        for tick in ticks {
            tick.ticked = sent.contains(&tick.id);
        }
    }
}

/// Re-renders the page with the mistake, keeping what the member typed in that form.
async fn refused(
    state: &AppState,
    ctx: Ctx,
    me: MemberId,
    field: String,
    problems: &[Problem],
    keep: impl FnOnce(&mut BoundariesPage),
) -> Result<Response, AppError> {
    let records = boundaries::boundaries(&state.app, me).await?;
    let circles = circles::list(&state.app, me).await?;
    let mut errors = FormErrors::default();
    if let Some(problem) = problems.first() {
        errors.add(field, ctx.t(problem.message));
    }
    let mut page = page(ctx, &records, &circles, errors);
    keep(&mut page);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

pub async fn boundaries_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = BoundaryForm::from_fields(fields);
    // This form adds words; the fixed answers have their own form.
    let kind = BoundaryKind::parse(&form.kind)
        .filter(|kind| free_text(*kind))
        .ok_or(ErrorKind::BadRequest)?;
    let input = BoundaryInput {
        kind: kind.as_str(),
        text: &form.text,
        condition: &form.condition,
        circles: form.circles.as_deref(),
    };
    match boundaries::add(&state.app, me.member.id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/profile/boundaries#kind-{}", kind.as_str())).into_response(),
        ),
        Err(tend_app::Error::Invalid(problems)) => {
            refused(
                &state,
                ctx,
                me.member.id,
                format!("new-{}", kind.as_str()),
                &problems,
                |page| {
                    for section in page.groups.iter_mut().flat_map(|g| g.kinds.iter_mut()) {
                        if section.kind == kind.as_str() {
                            section.new_text = form.text.clone();
                            section.new_condition = form.condition.clone();
                            keep_ticks(&mut section.new_circles, form.circles.as_ref());
                        }
                    }
                },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

fn boundary_id(id: &str) -> Result<BoundaryId, AppError> {
    BoundaryId::parse(id).ok_or_else(|| ErrorKind::NotFound.into())
}

/// Changes one entry's words and the circles it is shared with; the kind stays.
pub async fn boundary_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = BoundaryForm::from_fields(fields);
    let id = boundary_id(&id)?;
    let changed = boundaries::change_words(
        &state.app,
        me.member.id,
        id,
        &form.text,
        &form.condition,
        form.circles.as_deref(),
    )
    .await;
    match changed {
        Ok(record) => Ok(Redirect::to(&format!(
            "/profile/boundaries#kind-{}",
            record.boundary.kind.as_str()
        ))
        .into_response()),
        Err(tend_app::Error::Invalid(problems)) => {
            refused(
                &state,
                ctx,
                me.member.id,
                format!("text-{id}"),
                &problems,
                |page| {
                    for entry in page
                        .groups
                        .iter_mut()
                        .flat_map(|g| g.kinds.iter_mut())
                        .flat_map(|k| k.entries.iter_mut())
                    {
                        if entry.id == id.to_string() {
                            entry.text = form.text.clone();
                            entry.condition = form.condition.clone();
                            keep_ticks(&mut entry.circles, form.circles.as_ref());
                        }
                    }
                },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn boundary_delete_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    boundaries::delete(&state.app, me.member.id, boundary_id(&id)?).await?;
    Ok(Redirect::to("/profile/boundaries").into_response())
}

/// The stress responses and the "I'm fine" answer: fixed choices, saved as a whole.
pub async fn responses_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(name, _)| name == "stress")
        .map(|(_, value)| value.as_str())
        .collect();
    let override_im_fine = form
        .iter()
        .find(|(name, _)| name == "override")
        .map_or("", |(_, value)| value.as_str());
    let listed = form.iter().any(|(name, _)| name == "circles");
    let ticked: Vec<String> = form
        .iter()
        .filter(|(name, _)| name == "circle")
        .map(|(_, value)| value.clone())
        .collect();
    // The page offers only the fixed answers: anything else is not from it (400).
    boundaries::set_responses(
        &state.app,
        me.member.id,
        &chosen,
        override_im_fine,
        listed.then_some(ticked.as_slice()),
    )
    .await?;
    Ok(Redirect::to("/profile/boundaries#responses").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;

    #[test]
    fn every_kind_group_and_stress_response_has_words() {
        let i18n = I18n::default();
        for kind in BoundaryKind::ALL {
            assert!(
                i18n.exists(&format!("boundary-{}", kind.as_str())),
                "{kind:?}"
            );
        }
        for group in BoundaryGroup::ALL {
            assert!(i18n.exists(&format!("boundaries-group-{}", group.as_str())));
        }
        for value in STRESS_RESPONSES {
            assert!(i18n.exists(&format!("boundary-stress-{value}")));
        }
    }
}
