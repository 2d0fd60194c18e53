//! Boundaries: limits, triggers, responses, health, drop and signals, each entry the
//! member's own, private until shared with a circle.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tend_app::boundaries::{self, BoundaryInput};
use tend_app::{BoundaryId, BoundaryRecord, Problem};
use tend_core::boundaries::{BoundaryGroup, BoundaryKind, STRESS_RESPONSES};

use super::ctx::{Ctx, EmptyForm, FormErrors, MemberCtx};
use crate::csrf::CsrfForm;
use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

struct EntryRow {
    id: String,
    text: String,
    condition: String,
    error: String,
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
    errors: FormErrors,
}

/// Kinds with a fixed set of answers get their own small forms, not free text.
fn free_text(kind: BoundaryKind) -> bool {
    !matches!(
        kind,
        BoundaryKind::StressResponse | BoundaryKind::OverrideImFine
    )
}

fn page(ctx: Ctx, records: &[BoundaryRecord], errors: FormErrors) -> BoundariesPage {
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
                            })
                            .collect(),
                        new_text: String::new(),
                        new_condition: String::new(),
                        new_error: errors.get(&format!("new-{name}")).to_owned(),
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
    BoundariesPage {
        ctx,
        groups,
        stress,
        override_im_fine,
        errors,
    }
}

pub async fn boundaries_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let records = boundaries::boundaries(&state.app, me.member.id).await?;
    Ok(Html(page(ctx, &records, FormErrors::default()).render()?).into_response())
}

#[derive(serde::Deserialize)]
pub struct BoundaryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    condition: String,
}

/// Re-renders the page with the mistake, keeping what the member typed in that form.
fn refused(
    ctx: Ctx,
    records: &[BoundaryRecord],
    field: String,
    problems: &[Problem],
    keep: impl FnOnce(&mut BoundariesPage),
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    if let Some(problem) = problems.first() {
        errors.add(field, ctx.t(problem.message));
    }
    let mut page = page(ctx, records, errors);
    keep(&mut page);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

pub async fn boundaries_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    CsrfForm(form): CsrfForm<BoundaryForm>,
) -> Result<Response, AppError> {
    // This form adds words; the fixed answers have their own form.
    let kind = BoundaryKind::parse(&form.kind)
        .filter(|kind| free_text(*kind))
        .ok_or(ErrorKind::BadRequest)?;
    let input = BoundaryInput {
        kind: kind.as_str(),
        text: &form.text,
        condition: &form.condition,
    };
    match boundaries::add(&state.app, me.member.id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/profile/boundaries#kind-{}", kind.as_str())).into_response(),
        ),
        Err(tend_app::Error::Invalid(problems)) => {
            let records = boundaries::boundaries(&state.app, me.member.id).await?;
            refused(
                ctx,
                &records,
                format!("new-{}", kind.as_str()),
                &problems,
                |page| {
                    for section in page.groups.iter_mut().flat_map(|g| g.kinds.iter_mut()) {
                        if section.kind == kind.as_str() {
                            section.new_text = form.text.clone();
                            section.new_condition = form.condition.clone();
                        }
                    }
                },
            )
        }
        Err(error) => Err(error.into()),
    }
}

fn boundary_id(id: &str) -> Result<BoundaryId, AppError> {
    BoundaryId::parse(id).ok_or_else(|| ErrorKind::NotFound.into())
}

/// Changes one entry's words; the kind stays.
pub async fn boundary_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BoundaryForm>,
) -> Result<Response, AppError> {
    let id = boundary_id(&id)?;
    match boundaries::change_words(&state.app, me.member.id, id, &form.text, &form.condition).await
    {
        Ok(record) => Ok(Redirect::to(&format!(
            "/profile/boundaries#kind-{}",
            record.boundary.kind.as_str()
        ))
        .into_response()),
        Err(tend_app::Error::Invalid(problems)) => {
            let records = boundaries::boundaries(&state.app, me.member.id).await?;
            refused(ctx, &records, format!("text-{id}"), &problems, |page| {
                for entry in page
                    .groups
                    .iter_mut()
                    .flat_map(|g| g.kinds.iter_mut())
                    .flat_map(|k| k.entries.iter_mut())
                {
                    if entry.id == id.to_string() {
                        entry.text = form.text.clone();
                        entry.condition = form.condition.clone();
                    }
                }
            })
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
    // The page offers only the fixed answers: anything else is not from it (400).
    boundaries::set_responses(&state.app, me.member.id, &chosen, override_im_fine).await?;
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
