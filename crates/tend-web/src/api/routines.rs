//! The circle's routine through the JSON API: the current version, proposals that become
//! versions when everyone has said yes, every version kept, and comparisons between them.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_app::routine::{self, ProposalView, ReviewView, RoutineInput, StepInput};
use tend_app::{CircleId, MemberId, ProposalId, ReviewId};
use tend_core::profile::Variant;
use tend_core::routine::{Change, Routine, Settings, Step, StepWhat};
use utoipa::ToSchema;

use super::auth::ApiMember;
use super::problem::{ApiError, ApiJson, Problem};
use super::query::VariantQuery;
use crate::state::AppState;

fn circle_id(id: &str) -> Result<CircleId, ApiError> {
    CircleId::parse(id).ok_or(ApiError::NotFound)
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct StepBody {
    /// The step's id, kept across versions. Leave it out for a new step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u32>,
    /// A catalog item id; or give `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    item: Option<String>,
    /// Words of the circle's own (up to 200 characters); or give `item`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// 1–240 minutes, or left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minutes: Option<u16>,
    /// Member ids the step is for.
    #[serde(default, rename = "for")]
    for_members: Vec<String>,
    /// Member ids who offer it.
    #[serde(default, rename = "from")]
    from_members: Vec<String>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct SafewordsBody {
    /// Stops everything (default "red").
    stop: String,
    /// Slow down, check on me (default "yellow").
    slow: String,
}

fn default_safewords() -> SafewordsBody {
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

/// A whole routine, as the API shows and takes it.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct RoutineBody {
    /// 0 before anything is agreed. Ignored in a proposal.
    #[serde(default)]
    version: u32,
    #[serde(default)]
    steps: Vec<StepBody>,
    #[serde(default = "default_safewords")]
    safewords: SafewordsBody,
    #[serde(
        default,
        rename = "nonverbal-signal",
        skip_serializing_if = "Option::is_none"
    )]
    nonverbal_signal: Option<String>,
    /// Minutes between check-in prompts during a session (1–120), or none.
    #[serde(
        default,
        rename = "check-in-minutes",
        skip_serializing_if = "Option::is_none"
    )]
    check_in_minutes: Option<u16>,
    /// Hours after a session for follow-ups (each 1–168, at most 8).
    #[serde(default = "default_follow_ups", rename = "follow-up-hours")]
    follow_up_hours: Vec<u16>,
    /// after-sex, after-intense-scene or after-hard-scene: each kind of session has its
    /// own routine.
    #[serde(default = "default_variant")]
    variant: String,
    /// A review is due after this many sessions (0–50; 0 for never by sessions)…
    #[serde(default = "default_review_sessions", rename = "review-every-sessions")]
    review_every_sessions: u16,
    /// …or this many weeks (0–52; 0 for never by time), whichever comes first.
    #[serde(default = "default_review_weeks", rename = "review-every-weeks")]
    review_every_weeks: u16,
}

fn step_body(step: &Step<MemberId>) -> StepBody {
    let ids = |set: &BTreeSet<MemberId>| set.iter().map(ToString::to_string).collect();
    StepBody {
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
    }
}

fn routine_body(version: u32, routine: &Routine<MemberId>) -> RoutineBody {
    RoutineBody {
        version,
        steps: routine.steps.iter().map(step_body).collect(),
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

/// A routine as the API takes it, as the use cases take it.
impl From<RoutineBody> for RoutineInput {
    fn from(body: RoutineBody) -> Self {
        Self {
            steps: body
                .steps
                .into_iter()
                .map(|step| StepInput {
                    id: step.id,
                    item: step.item,
                    text: step.text,
                    minutes: step.minutes,
                    for_members: step.for_members,
                    from_members: step.from_members,
                })
                .collect(),
            stop_word: body.safewords.stop,
            slow_word: body.safewords.slow,
            nonverbal_signal: body.nonverbal_signal,
            check_in_minutes: body.check_in_minutes,
            follow_up_hours: body.follow_up_hours,
            variant: body.variant,
            review_every_sessions: body.review_every_sessions,
            review_every_weeks: body.review_every_weeks,
        }
    }
}

/// The circle's current routine for a kind of session (version 0 and no steps before
/// anything is agreed for it).
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine", params(VariantQuery), security(("bearer" = [])),
    responses((status = 200, body = RoutineBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn routine_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    Query(query): Query<VariantQuery>,
) -> Result<Json<RoutineBody>, ApiError> {
    let id = circle_id(&id)?;
    let variant = query.variant(&state.app, api.id(), id).await?;
    let overview = routine::overview(&state.app, api.id(), id).await?;
    let (version, routine) = overview.current(variant);
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
    /// The whole routine it would make: every step and setting, as it would be agreed.
    routine: RoutineBody,
    /// What it changes against the routine it was made from (`base-version`, the current
    /// routine while it is open): the new routine's steps in order, then the steps removed,
    /// then the settings. Empty when it changes nothing.
    changes: Vec<ChangeBody>,
    /// The version it became, once accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
}

/// One thing a proposal changes, named by `what`. Steps: `step-added` and `step-removed`
/// (with the step), `step-changed` (`before` and `after`: the same step id with other
/// content), `step-moved` (the step, and its places `from` and `to`, counted from 0 in the
/// old and the new routine's steps; a step that only shifts because others were added or
/// removed has not moved). Settings, each with its value `from` and `to` (`null` for none):
/// `stop-word`, `slow-word`, `nonverbal-signal`, `check-in-minutes`, `follow-up-hours`,
/// `variant`, `review-every-sessions`, `review-every-weeks`.
#[derive(Serialize, ToSchema)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum ChangeBody {
    StepAdded {
        step: StepBody,
    },
    StepRemoved {
        step: StepBody,
    },
    StepChanged {
        before: StepBody,
        after: StepBody,
    },
    StepMoved {
        step: StepBody,
        from: usize,
        to: usize,
    },
    StopWord {
        from: String,
        to: String,
    },
    SlowWord {
        from: String,
        to: String,
    },
    NonverbalSignal {
        #[schema(required = true)]
        from: Option<String>,
        #[schema(required = true)]
        to: Option<String>,
    },
    CheckInMinutes {
        #[schema(required = true)]
        from: Option<u16>,
        #[schema(required = true)]
        to: Option<u16>,
    },
    FollowUpHours {
        from: Vec<u16>,
        to: Vec<u16>,
    },
    Variant {
        from: String,
        to: String,
    },
    ReviewEverySessions {
        from: u16,
        to: u16,
    },
    ReviewEveryWeeks {
        from: u16,
        to: u16,
    },
}

fn change_body(change: Change<MemberId>) -> ChangeBody {
    match change {
        Change::StepAdded(step) => ChangeBody::StepAdded {
            step: step_body(&step),
        },
        Change::StepRemoved(step) => ChangeBody::StepRemoved {
            step: step_body(&step),
        },
        Change::StepChanged { before, after } => ChangeBody::StepChanged {
            before: step_body(&before),
            after: step_body(&after),
        },
        Change::StepMoved { step, from, to } => ChangeBody::StepMoved {
            step: step_body(&step),
            from,
            to,
        },
        Change::StopWord { from, to } => ChangeBody::StopWord { from, to },
        Change::SlowWord { from, to } => ChangeBody::SlowWord { from, to },
        Change::NonverbalSignal { from, to } => ChangeBody::NonverbalSignal { from, to },
        Change::CheckInMinutes { from, to } => ChangeBody::CheckInMinutes { from, to },
        Change::FollowUpHours { from, to } => ChangeBody::FollowUpHours { from, to },
        Change::Variant { from, to } => ChangeBody::Variant {
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
        },
        Change::ReviewEverySessions { from, to } => ChangeBody::ReviewEverySessions { from, to },
        Change::ReviewEveryWeeks { from, to } => ChangeBody::ReviewEveryWeeks { from, to },
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeclineBody {
    member: String,
    note: String,
}

fn proposal_body(view: &ProposalView) -> ProposalBody {
    let proposal = &view.proposal;
    ProposalBody {
        id: view.id.to_string(),
        author: proposal.author.to_string(),
        state: routine::state_name(view.state).to_owned(),
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
        changes: view.changes().into_iter().map(change_body).collect(),
        version: view.version,
    }
}

/// Proposes a whole new routine. It becomes the next version when every member has accepted
/// (at once, if it only adds care for you, given by you).
#[utoipa::path(post, path = "/api/v1/circles/{id}/routine/proposals", request_body = RoutineBody, security(("bearer" = [])),
    responses((status = 201, body = ProposalBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn proposals_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoutineBody>,
) -> Result<Response, ApiError> {
    let input = RoutineInput::from(body);
    let proposed = routine::propose(&state.app, api.id(), circle_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(proposal_body(&proposed))).into_response())
}

/// The circle's proposals that are still open, or were declined: each with the whole routine
/// it would make and what that changes, to read before saying yes or no.
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine/proposals", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProposalBody>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn proposals_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<ProposalBody>>, ApiError> {
    let overview = routine::overview(&state.app, api.id(), circle_id(&id)?).await?;
    Ok(Json(overview.proposals.iter().map(proposal_body).collect()))
}

/// Says yes to a proposal; the last yes makes it the next version.
#[utoipa::path(post, path = "/api/v1/circles/{id}/routine/proposals/{pid}/accept", security(("bearer" = [])),
    responses((status = 200, body = ProposalBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn proposal_accept_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Json<ProposalBody>, ApiError> {
    let id = circle_id(&id)?;
    let accepted = routine::accept(&state.app, api.id(), id, proposal_id(&pid)?).await?;
    Ok(Json(proposal_body(&accepted)))
}

#[derive(Deserialize, ToSchema)]
pub struct DeclineInput {
    /// Why, if you like (up to 500 characters). No reason is needed.
    #[serde(default)]
    note: String,
}

/// Says no to a proposal, with a note if you like. One no closes it.
#[utoipa::path(post, path = "/api/v1/circles/{id}/routine/proposals/{pid}/decline", request_body = DeclineInput, security(("bearer" = [])),
    responses((status = 200, body = ProposalBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn proposal_decline_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, pid)): Path<(String, String)>,
    ApiJson(input): ApiJson<DeclineInput>,
) -> Result<Json<ProposalBody>, ApiError> {
    let id = circle_id(&id)?;
    let declined =
        routine::decline(&state.app, api.id(), id, proposal_id(&pid)?, &input.note).await?;
    Ok(Json(proposal_body(&declined)))
}

fn proposal_id(pid: &str) -> Result<ProposalId, ApiError> {
    ProposalId::parse(pid).ok_or(ApiError::NotFound)
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
    responses((status = 200, body = Vec<VersionSummaryBody>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn versions_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionSummaryBody>>, ApiError> {
    let versions = routine::versions(&state.app, api.id(), circle_id(&id)?).await?;
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

/// One version.
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine/versions/{n}", security(("bearer" = [])),
    responses((status = 200, body = RoutineBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn version_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, n)): Path<(String, u32)>,
) -> Result<Json<RoutineBody>, ApiError> {
    let (_, routine) = routine::version(&state.app, api.id(), circle_id(&id)?, n).await?;
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

fn steps_body(steps: &[Step<MemberId>]) -> Vec<StepBody> {
    steps.iter().map(step_body).collect()
}

/// What changed between two versions.
#[utoipa::path(get, path = "/api/v1/circles/{id}/routine/compare", security(("bearer" = [])),
    params(("from" = u32, Query, description = "the earlier version"), ("to" = u32, Query, description = "the later version")),
    responses((status = 200, body = CompareBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn compare_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    Query(query): Query<CompareQuery>,
) -> Result<Json<CompareBody>, ApiError> {
    let id = circle_id(&id)?;
    let change = routine::compare(&state.app, api.id(), id, query.from, query.to)
        .await?
        .change;
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
        added: steps_body(&change.added),
        removed: steps_body(&change.removed),
        changed: change
            .changed
            .iter()
            .map(|(before, after)| ChangedStepBody {
                before: step_body(before),
                after: step_body(after),
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
    /// author chose to be named. Empty until every member has answered or the review has
    /// closed (before, results could be traced to whoever answered first).
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

fn review_body(view: &ReviewView) -> ReviewBody {
    ReviewBody {
        id: view.id.to_string(),
        version: view.record.version,
        answered: view.answered,
        waiting_for: view.waiting_for,
        steps: view
            .outcomes
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
        mine: view.mine.as_ref().map(|a| ReviewInput {
            verdicts: a.verdicts.iter().map(|(s, v)| (s.0, *v)).collect(),
            suggestions: a.suggestions.clone(),
            named: a.named,
        }),
        proposal: view.record.proposal.map(|p| p.to_string()),
    }
}

/// Starts a review of the current routine for a kind of session (or returns the one
/// already open). Reviews also start by themselves when they fall due.
#[utoipa::path(post, path = "/api/v1/circles/{id}/reviews", params(VariantQuery), security(("bearer" = [])),
    responses((status = 201, body = ReviewBody), (status = 200, body = ReviewBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn reviews_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    Query(query): Query<VariantQuery>,
) -> Result<Response, ApiError> {
    let id = circle_id(&id)?;
    let variant = query.variant(&state.app, api.id(), id).await?;
    let (review, started) = routine::start_review_now(&state.app, api.id(), id, variant).await?;
    let status = if started {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(review_body(&review))).into_response())
}

/// The circle's reviews, oldest first: open ones wait for answers, done ones name their
/// proposal.
#[utoipa::path(get, path = "/api/v1/circles/{id}/reviews", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReviewBody>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reviews_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReviewBody>>, ApiError> {
    let reviews = routine::reviews(&state.app, api.id(), circle_id(&id)?).await?;
    Ok(Json(reviews.iter().map(review_body).collect()))
}

/// A review's outcome so far, under the rules.
#[utoipa::path(get, path = "/api/v1/circles/{id}/reviews/{rid}", security(("bearer" = [])),
    responses((status = 200, body = ReviewBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn review_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, rid)): Path<(String, String)>,
) -> Result<Json<ReviewBody>, ApiError> {
    let (_, review) =
        routine::review(&state.app, api.id(), circle_id(&id)?, review_id(&rid)?).await?;
    Ok(Json(review_body(&review)))
}

/// Gives (or changes) your answers. When every member has answered, the outcome becomes a
/// proposal for the next version.
#[utoipa::path(put, path = "/api/v1/circles/{id}/reviews/{rid}", request_body = ReviewInput, security(("bearer" = [])),
    responses((status = 200, body = ReviewBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn review_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, rid)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<ReviewBody>, ApiError> {
    let id = circle_id(&id)?;
    let answer = routine::ReviewInput {
        verdicts: input.verdicts,
        suggestions: input.suggestions,
        named: input.named,
    };
    let review =
        routine::answer_review(&state.app, api.id(), id, review_id(&rid)?, &answer).await?;
    Ok(Json(review_body(&review)))
}

fn review_id(rid: &str) -> Result<ReviewId, ApiError> {
    ReviewId::parse(rid).ok_or(ApiError::NotFound)
}
