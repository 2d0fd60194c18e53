//! The circle's routine through the JSON API: the current version, proposals that become
//! versions when everyone has said yes, every version kept, and comparisons between them.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_core::profile::Variant;
use tend_core::routine::{Proposal, Routine, Settings, Step, StepId, StepWhat, diff};
use tend_store::{CircleId, CircleRecord, MemberId, ProposalId};
use utoipa::ToSchema;

use super::{ApiError, ApiJson};
use crate::auth::ApiMember;
use crate::i18n::msg;
use crate::routines;
use crate::state::AppState;

async fn own_circle(
    state: &AppState,
    member: MemberId,
    id: &str,
) -> Result<CircleRecord, ApiError> {
    let id = CircleId::parse(id).ok_or(ApiError::NotFound)?;
    Ok(state.store.circle(member, id).await?)
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct StepBody {
    /// The step's id, kept across versions. Leave it out for a new step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<u32>,
    /// A catalog item id; or give `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) item: Option<String>,
    /// Words of the circle's own (up to 200 characters); or give `item`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    /// 1–240 minutes, or left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) minutes: Option<u16>,
    /// Member ids the step is for.
    #[serde(default, rename = "for")]
    pub(crate) for_members: Vec<String>,
    /// Member ids who offer it.
    #[serde(default, rename = "from")]
    pub(crate) from_members: Vec<String>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct SafewordsBody {
    /// Stops everything (default "red").
    pub(crate) stop: String,
    /// Slow down, check on me (default "yellow").
    pub(crate) slow: String,
}

pub(crate) fn default_safewords() -> SafewordsBody {
    SafewordsBody {
        stop: "red".to_owned(),
        slow: "yellow".to_owned(),
    }
}

fn default_follow_ups() -> Vec<u16> {
    Settings::default().follow_up_hours
}

fn default_variant() -> String {
    Variant::AfterSex.as_str().to_owned()
}

fn default_review_sessions() -> u16 {
    Settings::default().review_every_sessions
}

fn default_review_weeks() -> u16 {
    Settings::default().review_every_weeks
}

/// Which kind of session's routine a request is about (`?variant=`, after-sex by default).
#[derive(Deserialize, utoipa::IntoParams)]
pub struct VariantQuery {
    /// after-sex (the default), after-intense-scene or after-hard-scene.
    pub variant: Option<String>,
}

impl VariantQuery {
    pub(crate) fn variant(&self) -> Result<Variant, ApiError> {
        match &self.variant {
            None => Ok(Variant::AfterSex),
            Some(v) => Variant::parse(v).ok_or_else(|| {
                ApiError::Invalid(vec![("variant".into(), msg("profile-variant-invalid"))])
            }),
        }
    }
}

/// A whole routine, as the API shows and takes it.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct RoutineBody {
    /// 0 before anything is agreed. Ignored in a proposal.
    #[serde(default)]
    pub(crate) version: u32,
    #[serde(default)]
    pub(crate) steps: Vec<StepBody>,
    #[serde(default = "default_safewords")]
    pub(crate) safewords: SafewordsBody,
    #[serde(
        default,
        rename = "nonverbal-signal",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) nonverbal_signal: Option<String>,
    /// Minutes between check-in prompts during a session (1–120), or none.
    #[serde(
        default,
        rename = "check-in-minutes",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) check_in_minutes: Option<u16>,
    /// Hours after a session for follow-ups (each 1–168, at most 8).
    #[serde(default = "default_follow_ups", rename = "follow-up-hours")]
    pub(crate) follow_up_hours: Vec<u16>,
    /// after-sex, after-intense-scene or after-hard-scene: each kind of session has its
    /// own routine.
    #[serde(default = "default_variant")]
    pub(crate) variant: String,
    /// A review is due after this many sessions (0–50; 0 for never by sessions)…
    #[serde(default = "default_review_sessions", rename = "review-every-sessions")]
    pub(crate) review_every_sessions: u16,
    /// …or this many weeks (0–52; 0 for never by time), whichever comes first.
    #[serde(default = "default_review_weeks", rename = "review-every-weeks")]
    pub(crate) review_every_weeks: u16,
}

pub(crate) fn routine_body(version: u32, routine: &Routine<MemberId>) -> RoutineBody {
    let ids = |set: &BTreeSet<MemberId>| set.iter().map(ToString::to_string).collect();
    RoutineBody {
        version,
        steps: routine
            .steps
            .iter()
            .map(|step| StepBody {
                id: Some(step.id.0),
                item: match &step.what {
                    StepWhat::Item(item) => Some(item.clone()),
                    StepWhat::Text(_) => None,
                },
                text: match &step.what {
                    StepWhat::Text(text) => Some(text.clone()),
                    StepWhat::Item(_) => None,
                },
                minutes: step.minutes,
                for_members: ids(&step.for_members),
                from_members: ids(&step.from_members),
            })
            .collect(),
        safewords: SafewordsBody {
            stop: routine.settings.stop_word.clone(),
            slow: routine.settings.slow_word.clone(),
        },
        nonverbal_signal: routine.settings.nonverbal_signal.clone(),
        check_in_minutes: routine.settings.check_in_minutes,
        follow_up_hours: routine.settings.follow_up_hours.clone(),
        variant: routine.settings.variant.as_str().to_owned(),
        review_every_sessions: routine.settings.review_every_sessions,
        review_every_weeks: routine.settings.review_every_weeks,
    }
}

/// Short text: trimmed, 1–`max` characters, one line.
fn short_text(raw: &str, max: usize) -> Option<String> {
    let text = raw.trim();
    let fits =
        !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control);
    fits.then(|| text.to_owned())
}

/// Checks a proposed routine against the circle, the catalog and the current version. Every
/// mistake is named; nothing is half-taken.
pub(crate) fn parse_routine(
    state: &AppState,
    body: &RoutineBody,
    circle: &CircleRecord,
    current: &Routine<MemberId>,
) -> Result<Routine<MemberId>, ApiError> {
    let members = routines::members(circle);
    let mut problems: Vec<(String, &'static str)> = Vec::new();
    let mut next_id = current.next_step_id().0.max(
        body.steps
            .iter()
            .filter_map(|s| s.id)
            .max()
            .map_or(1, |m| m + 1),
    );
    let mut seen = BTreeSet::new();
    let mut steps = Vec::new();
    for (i, raw) in body.steps.iter().enumerate() {
        let field = |name: &str| format!("steps[{i}].{name}");
        let what = match (&raw.item, &raw.text) {
            (Some(item), None) if state.catalog.item(item).is_some() => {
                Some(StepWhat::Item(item.clone()))
            }
            (None, Some(text)) => match short_text(text, 200) {
                Some(text) => Some(StepWhat::Text(text)),
                None => {
                    problems.push((field("text"), msg("routine-step-text")));
                    None
                }
            },
            _ => {
                problems.push((field("item"), msg("routine-step-what")));
                None
            }
        };
        let id = match raw.id {
            Some(id) if current.step(StepId(id)).is_some() && seen.insert(id) => StepId(id),
            Some(_) => {
                problems.push((field("id"), msg("routine-step-id")));
                StepId(0)
            }
            None => {
                let id = StepId(next_id);
                next_id += 1;
                id
            }
        };
        if raw.minutes.is_some_and(|m| !(1..=240).contains(&m)) {
            problems.push((field("minutes"), msg("routine-step-minutes")));
        }
        let mut who = |list: &[String], name: &str| -> BTreeSet<MemberId> {
            list.iter()
                .filter_map(|id| {
                    let member = MemberId::parse(id).filter(|m| members.contains(m));
                    if member.is_none() {
                        problems.push((field(name), msg("routine-step-member")));
                    }
                    member
                })
                .collect()
        };
        let for_members = who(&raw.for_members, "for");
        let from_members = who(&raw.from_members, "from");
        if let Some(what) = what {
            steps.push(Step {
                id,
                what,
                minutes: raw.minutes,
                for_members,
                from_members,
            });
        }
    }
    let stop = short_text(&body.safewords.stop, 40);
    let slow = short_text(&body.safewords.slow, 40);
    if stop.is_none() || slow.is_none() || stop == slow {
        problems.push(("safewords".into(), msg("routine-safewords")));
    }
    let nonverbal_signal = match &body.nonverbal_signal {
        None => None,
        Some(raw) => {
            let signal = short_text(raw, 200);
            if signal.is_none() {
                problems.push(("nonverbal-signal".into(), msg("routine-step-text")));
            }
            signal
        }
    };
    if body
        .check_in_minutes
        .is_some_and(|m| !(1..=120).contains(&m))
    {
        problems.push(("check-in-minutes".into(), msg("routine-check-in")));
    }
    let hours: BTreeSet<u16> = body.follow_up_hours.iter().copied().collect();
    if hours.len() > 8 || hours.iter().any(|h| !(1..=168).contains(h)) {
        problems.push(("follow-up-hours".into(), msg("routine-follow-ups")));
    }
    let variant = Variant::parse(&body.variant);
    if variant.is_none() {
        problems.push(("variant".into(), msg("profile-variant-invalid")));
    }
    if body.review_every_sessions > 50 {
        problems.push((
            "review-every-sessions".into(),
            msg("routine-review-sessions"),
        ));
    }
    if body.review_every_weeks > 52 {
        problems.push(("review-every-weeks".into(), msg("routine-review-weeks")));
    }
    match (problems.is_empty(), stop, slow, variant) {
        (true, Some(stop_word), Some(slow_word), Some(variant)) => Ok(Routine {
            steps,
            settings: Settings {
                stop_word,
                slow_word,
                nonverbal_signal,
                check_in_minutes: body.check_in_minutes,
                follow_up_hours: hours.into_iter().collect(),
                variant,
                review_every_sessions: body.review_every_sessions,
                review_every_weeks: body.review_every_weeks,
            },
        }),
        _ => Err(ApiError::Invalid(problems)),
    }
}

/// The circle's current routine for a kind of session (version 0 and no steps before
/// anything is agreed for it).
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine", params(VariantQuery), security(("bearer" = [])),
    responses((status = 200, body = RoutineBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn routine_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    Query(query): Query<VariantQuery>,
) -> Result<Json<RoutineBody>, ApiError> {
    let circle = own_circle(&state, api.member.id, &id).await?;
    let variant = query.variant()?;
    let settled = routines::settle_all(&state, api.member.id, &circle).await?;
    let (version, routine) = routines::current_of(&settled.history, variant);
    Ok(Json(routine_body(version, &routine)))
}

#[derive(Serialize, ToSchema)]
pub struct ProposalBody {
    id: String,
    author: String,
    /// open, accepted, declined or outdated.
    state: String,
    #[serde(rename = "base-version")]
    base_version: u32,
    #[serde(rename = "accepted-by")]
    accepted_by: Vec<String>,
    /// Declines with their notes.
    declined: Vec<DeclineBody>,
    routine: RoutineBody,
    /// The version it became, once accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct DeclineBody {
    member: String,
    note: String,
}

fn proposal_body(
    id: ProposalId,
    proposal: &Proposal<MemberId>,
    state: tend_core::routine::ProposalState,
    version: Option<u32>,
) -> ProposalBody {
    ProposalBody {
        id: id.to_string(),
        author: proposal.author.to_string(),
        state: routines::state_name(state).to_owned(),
        base_version: proposal.base_version,
        accepted_by: proposal
            .accepted_by
            .iter()
            .map(ToString::to_string)
            .collect(),
        declined: proposal
            .declined
            .iter()
            .map(|(m, note)| DeclineBody {
                member: m.to_string(),
                note: note.clone(),
            })
            .collect(),
        routine: routine_body(proposal.base_version, &proposal.routine),
        version,
    }
}

/// Proposes a whole new routine. It becomes the next version when every member has accepted
/// (at once, if it only adds care for you, given by you).
#[utoipa::path(post, path = "/api/v1/circles/{id}/routine/proposals", request_body = RoutineBody, security(("bearer" = [])),
    responses((status = 201, body = ProposalBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn proposals_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoutineBody>,
) -> Result<Response, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let variant = Variant::parse(&body.variant).unwrap_or(Variant::AfterSex);
    let (version, current) = routines::current(&state, me, &circle, variant).await?;
    let routine = parse_routine(&state, &body, &circle, &current)?;
    let proposal = Proposal {
        author: me,
        base_version: version,
        routine,
        accepted_by: [me].into(),
        declined: Vec::new(),
    };
    let (pid, outcome, version) = routines::propose(&state, me, &circle, &proposal).await?;
    Ok((
        StatusCode::CREATED,
        Json(proposal_body(pid, &proposal, outcome, version)),
    )
        .into_response())
}

/// The circle's proposals that are still open, or were declined.
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine/proposals", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProposalBody>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn proposals_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<ProposalBody>>, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let settled = routines::settle_all(&state, me, &circle).await?;
    let members = routines::members(&circle);
    Ok(Json(
        settled
            .proposals
            .iter()
            .map(|(pid, p)| {
                let outcome = routines::outcome(&settled.history, p, &members);
                proposal_body(*pid, p, outcome, None)
            })
            .collect(),
    ))
}

async fn own_proposal(
    state: &AppState,
    me: MemberId,
    circle: &CircleRecord,
    pid: &str,
) -> Result<(ProposalId, Proposal<MemberId>), ApiError> {
    let pid = ProposalId::parse(pid).ok_or(ApiError::NotFound)?;
    state
        .store
        .proposals(me, circle.id)
        .await?
        .into_iter()
        .find(|(id, _)| *id == pid)
        .ok_or(ApiError::NotFound)
}

/// Says yes to a proposal; the last yes makes it the next version.
#[utoipa::path(post, path = "/api/v1/circles/{id}/routine/proposals/{pid}/accept", security(("bearer" = [])),
    responses((status = 200, body = ProposalBody), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn proposal_accept_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Json<ProposalBody>, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let (pid, mut proposal) = own_proposal(&state, me, &circle, &pid).await?;
    proposal.accepted_by.insert(me);
    state
        .store
        .update_proposal(me, circle.id, pid, &proposal)
        .await?;
    let (outcome, version) = routines::settle(&state, me, &circle, pid, &proposal).await?;
    Ok(Json(proposal_body(pid, &proposal, outcome, version)))
}

#[derive(Deserialize, ToSchema)]
pub struct DeclineInput {
    /// Why, if you like (up to 500 characters). No reason is needed.
    #[serde(default)]
    note: String,
}

/// Says no to a proposal, with a note if you like. One no closes it.
#[utoipa::path(post, path = "/api/v1/circles/{id}/routine/proposals/{pid}/decline", request_body = DeclineInput, security(("bearer" = [])),
    responses((status = 200, body = ProposalBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn proposal_decline_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, pid)): Path<(String, String)>,
    ApiJson(input): ApiJson<DeclineInput>,
) -> Result<Json<ProposalBody>, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let (pid, mut proposal) = own_proposal(&state, me, &circle, &pid).await?;
    let note = input.note.trim();
    if note.chars().count() > 500 {
        return Err(ApiError::Invalid(vec![(
            "note".into(),
            msg("rule-text-too-long"),
        )]));
    }
    proposal.accepted_by.remove(&me);
    proposal.declined.retain(|(m, _)| *m != me);
    proposal.declined.push((me, note.to_owned()));
    state
        .store
        .update_proposal(me, circle.id, pid, &proposal)
        .await?;
    let (outcome, version) = routines::settle(&state, me, &circle, pid, &proposal).await?;
    Ok(Json(proposal_body(pid, &proposal, outcome, version)))
}

#[derive(Serialize, ToSchema)]
pub struct VersionSummaryBody {
    version: u32,
    author: String,
    #[serde(rename = "created-at")]
    created_at: i64,
}

/// Every agreed version, oldest first, with who proposed it and when.
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine/versions", security(("bearer" = [])),
    responses((status = 200, body = Vec<VersionSummaryBody>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn versions_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionSummaryBody>>, ApiError> {
    let circle = own_circle(&state, api.member.id, &id).await?;
    let versions = state
        .store
        .routine_versions(api.member.id, circle.id)
        .await?;
    Ok(Json(
        versions
            .iter()
            .map(|v| VersionSummaryBody {
                version: v.version,
                author: v.author.to_string(),
                created_at: v.created_at,
            })
            .collect(),
    ))
}

pub(crate) async fn version_of(
    state: &AppState,
    me: MemberId,
    circle: &CircleRecord,
    n: u32,
) -> Result<Routine<MemberId>, ApiError> {
    if n == 0 {
        return Ok(Routine::default());
    }
    state
        .store
        .routine_versions(me, circle.id)
        .await?
        .into_iter()
        .find(|v| v.version == n)
        .map(|v| v.routine)
        .ok_or(ApiError::NotFound)
}

/// One version.
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine/versions/{n}", security(("bearer" = [])),
    responses((status = 200, body = RoutineBody), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn version_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, n)): Path<(String, u32)>,
) -> Result<Json<RoutineBody>, ApiError> {
    let circle = own_circle(&state, api.member.id, &id).await?;
    let routine = version_of(&state, api.member.id, &circle, n).await?;
    Ok(Json(routine_body(n, &routine)))
}

#[derive(Deserialize)]
pub struct CompareQuery {
    from: u32,
    to: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CompareBody {
    added: Vec<StepBody>,
    removed: Vec<StepBody>,
    /// Steps present in both whose content changed.
    changed: Vec<ChangedStepBody>,
    reordered: bool,
    /// The settings before and after, when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<SettingsChangeBody>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangedStepBody {
    before: StepBody,
    after: StepBody,
}

#[derive(Serialize, ToSchema)]
pub struct SettingsChangeBody {
    before: RoutineBody,
    after: RoutineBody,
}

fn steps_body(steps: Vec<Step<MemberId>>) -> Vec<StepBody> {
    routine_body(
        0,
        &Routine {
            steps,
            settings: Settings::default(),
        },
    )
    .steps
}

/// What changed between two versions.
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine/compare", security(("bearer" = [])),
    params(("from" = u32, Query, description = "the earlier version"), ("to" = u32, Query, description = "the later version")),
    responses((status = 200, body = CompareBody), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn compare_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Result<Json<CompareBody>, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let from = version_of(&state, me, &circle, query.from).await?;
    let to = version_of(&state, me, &circle, query.to).await?;
    let change = diff(&from, &to);
    let settings = change
        .settings
        .as_ref()
        .map(|(before, after)| SettingsChangeBody {
            before: routine_body(
                query.from,
                &Routine {
                    steps: Vec::new(),
                    settings: before.clone(),
                },
            ),
            after: routine_body(
                query.to,
                &Routine {
                    steps: Vec::new(),
                    settings: after.clone(),
                },
            ),
        });
    Ok(Json(CompareBody {
        added: steps_body(change.added.clone()),
        removed: steps_body(change.removed.clone()),
        changed: change
            .changed
            .iter()
            .map(|(before, after)| {
                let mut pair = steps_body(vec![before.clone(), after.clone()]);
                let after = pair.pop();
                let before = pair.pop();
                (before, after)
            })
            .filter_map(|pair| match pair {
                (Some(before), Some(after)) => Some(ChangedStepBody { before, after }),
                _ => None,
            })
            .collect(),
        reordered: change.reordered,
        settings,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ReviewBody {
    id: String,
    /// The version under review.
    version: u32,
    /// Members who have answered (how many, not who).
    answered: usize,
    #[serde(rename = "waiting-for")]
    waiting_for: usize,
    /// Per step: keeps counted; a wish to change or drop shown without a name unless its
    /// author chose to be named.
    steps: Vec<ReviewStepBody>,
    /// Your own answer, if you gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    mine: Option<ReviewInput>,
    /// The proposal the review turned into, once everyone answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewStepBody {
    step: u32,
    keep: usize,
    /// "Someone would like to change this": how many, unnamed.
    #[serde(rename = "unnamed-wishes")]
    unnamed_wishes: usize,
    /// Members who chose to be named, with their wish (change or drop).
    named: Vec<NamedWishBody>,
    /// Whether the proposed version drops the step (everyone who rated it said drop).
    dropped: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NamedWishBody {
    member: String,
    wish: String,
}

/// A member's answers in a review.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct ReviewInput {
    /// Step id → keep, change or drop.
    #[serde(default)]
    #[schema(value_type = Object)]
    verdicts: std::collections::BTreeMap<u32, tend_core::routine::StepVerdict>,
    /// New steps to suggest (each up to 200 characters, at most 10).
    #[serde(default)]
    suggestions: Vec<String>,
    /// Whether partners may see your name beside a wish to change or drop.
    #[serde(default)]
    named: bool,
}

fn review_body(
    id: tend_store::ReviewId,
    review: &tend_store::ReviewRecord,
    routine: &Routine<MemberId>,
    members: &BTreeSet<MemberId>,
    me: MemberId,
) -> ReviewBody {
    let answers: std::collections::BTreeMap<MemberId, tend_core::routine::ReviewAnswer> = review
        .answers
        .iter()
        .filter(|(m, _)| members.contains(m))
        .map(|(m, a)| (*m, a.clone()))
        .collect();
    let (outcomes, _) = tend_core::routine::review_outcome(routine, &answers);
    ReviewBody {
        id: id.to_string(),
        version: review.version,
        answered: answers.len(),
        waiting_for: members.len().saturating_sub(answers.len()),
        steps: outcomes
            .iter()
            .map(|o| ReviewStepBody {
                step: o.step.0,
                keep: o.keep,
                unnamed_wishes: o.unnamed_wishes,
                named: o
                    .named_wishes
                    .iter()
                    .map(|(m, v)| NamedWishBody {
                        member: m.to_string(),
                        wish: serde_json::to_value(v)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                    })
                    .collect(),
                dropped: o.dropped,
            })
            .collect(),
        mine: review.answers.get(&me).map(|a| ReviewInput {
            verdicts: a.verdicts.iter().map(|(s, v)| (s.0, *v)).collect(),
            suggestions: a.suggestions.clone(),
            named: a.named,
        }),
        proposal: review.proposal.map(|p| p.to_string()),
    }
}

/// Starts a review of the current routine for a kind of session (or returns the one
/// already open). Reviews also start by themselves when they fall due.
#[utoipa::path(post, path = "/api/v1/circles/{id}/reviews", params(VariantQuery), security(("bearer" = [])),
    responses((status = 201, body = ReviewBody), (status = 200, body = ReviewBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn reviews_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    Query(query): Query<VariantQuery>,
) -> Result<Response, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let (version, routine) = routines::current(&state, me, &circle, query.variant()?).await?;
    if version == 0 {
        return Err(ApiError::Conflict(msg("review-nothing-agreed")));
    }
    let members = routines::members(&circle);
    let (rid, review, started) =
        routines::start_review(&state, me, Some(me), &circle, version, state.clock.now()).await?;
    let status = if started {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(review_body(rid, &review, &routine, &members, me)),
    )
        .into_response())
}

/// The circle's reviews, oldest first: open ones wait for answers, done ones name their
/// proposal.
#[utoipa::path(get, path = "/api/v1/circles/{id}/reviews", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReviewBody>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn reviews_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReviewBody>>, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let history = routines::history(&state, me, &circle).await?;
    let members = routines::members(&circle);
    let reviews = state.store.reviews(me, circle.id).await?;
    Ok(Json(
        reviews
            .iter()
            .filter_map(|(rid, review)| {
                let version = history.iter().find(|v| v.version == review.version)?;
                Some(review_body(*rid, review, &version.routine, &members, me))
            })
            .collect(),
    ))
}

async fn own_review(
    state: &AppState,
    me: MemberId,
    circle: &CircleRecord,
    rid: &str,
) -> Result<(tend_store::ReviewId, tend_store::ReviewRecord), ApiError> {
    let rid = tend_store::ReviewId::parse(rid).ok_or(ApiError::NotFound)?;
    state
        .store
        .reviews(me, circle.id)
        .await?
        .into_iter()
        .find(|(id, _)| *id == rid)
        .ok_or(ApiError::NotFound)
}

/// A review's outcome so far, under the rules.
#[utoipa::path(get, path = "/api/v1/circles/{id}/reviews/{rid}", security(("bearer" = [])),
    responses((status = 200, body = ReviewBody), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn review_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, rid)): Path<(String, String)>,
) -> Result<Json<ReviewBody>, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let (rid, review) = own_review(&state, me, &circle, &rid).await?;
    let routine = version_of(&state, me, &circle, review.version).await?;
    Ok(Json(review_body(
        rid,
        &review,
        &routine,
        &routines::members(&circle),
        me,
    )))
}

/// Gives (or changes) your answers. When every member has answered, the outcome becomes a
/// proposal for the next version.
#[utoipa::path(put, path = "/api/v1/circles/{id}/reviews/{rid}", request_body = ReviewInput, security(("bearer" = [])),
    responses((status = 200, body = ReviewBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn review_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, rid)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<ReviewBody>, ApiError> {
    let me = api.member.id;
    let circle = own_circle(&state, me, &id).await?;
    let (rid, review) = own_review(&state, me, &circle, &rid).await?;
    if review.proposal.is_some() {
        return Err(ApiError::Conflict(msg("review-closed")));
    }
    let routine = version_of(&state, me, &circle, review.version).await?;
    let mut problems = Vec::new();
    for step in input.verdicts.keys() {
        if routine.step(StepId(*step)).is_none() {
            problems.push((format!("verdicts.{step}"), msg("routine-step-id")));
        }
    }
    let suggestions: Vec<String> = input
        .suggestions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let text = short_text(s, 200);
            if text.is_none() {
                problems.push((format!("suggestions[{i}]"), msg("routine-step-text")));
            }
            text
        })
        .collect();
    if suggestions.len() > 10 {
        problems.push(("suggestions".into(), msg("review-too-many-suggestions")));
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let answer = tend_core::routine::ReviewAnswer {
        verdicts: input
            .verdicts
            .iter()
            .map(|(s, v)| (StepId(*s), *v))
            .collect(),
        suggestions,
        named: input.named,
    };
    let review =
        routines::record_review_answer(&state, me, &circle, rid, review, &routine, answer).await?;
    let members = routines::members(&circle);
    Ok(Json(review_body(rid, &review, &routine, &members, me)))
}
