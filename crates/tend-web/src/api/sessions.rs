//! Sessions through the JSON API: plan one (readiness, "not today", withdraw), go straight to
//! aftercare, tick the routine's steps, close, reflect; and the follow-ups of the drop window.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_app::follow_ups::{self, AnswerInput, FollowUpView};
use tend_app::notes::{self, NoteKind};
use tend_app::reflections::{self, ReflectionInput};
use tend_app::sessions::{self, Action, NewSession, ReadinessInput};
use tend_app::{CareSessionId, CircleId, FollowUpId, MemberId, StoredCareSession};
use tend_core::insights::Mood;
use tend_core::profile::Variant;
use tend_core::session::FollowUpAnswer;
use utoipa::ToSchema;

use super::auth::ApiMember;
use super::problem::{ApiError, ApiJson, Problem};
use crate::i18n::{I18n, msg};
use crate::state::AppState;

fn session_id(id: &str) -> Result<CareSessionId, ApiError> {
    CareSessionId::parse(id).ok_or(ApiError::NotFound)
}

fn default_variant() -> String {
    Variant::AfterSex.as_str().to_owned()
}

fn default_start() -> String {
    "plan".to_owned()
}

/// A new session.
#[derive(Deserialize, ToSchema)]
pub struct NewSessionBody {
    /// Member ids of those taking part (you among them); all of the circle when left out.
    #[serde(default)]
    participants: Vec<String>,
    /// after-sex (the default), after-intense-scene or after-hard-scene.
    #[serde(default = "default_variant")]
    variant: String,
    /// "plan" (readiness checks first, the default) or "aftercare" (aftercare now).
    #[serde(default = "default_start")]
    start: String,
}

/// A participant's readiness check, as partners see it in the brief.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReadinessBody {
    /// Whose it is (left out when sending your own).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    member: String,
    /// 1 (very low) to 5 (full of energy).
    energy: u8,
    /// 1 (very low) to 5 (very good).
    mood: u8,
    sober: bool,
    /// Anything off-limits today, in your words (up to 500 characters).
    #[serde(default, rename = "off-limits-today")]
    off_limits_today: String,
    /// "I'm in": the session goes live once everyone taking part is.
    #[serde(default)]
    ready: bool,
}

/// A participant's latest signal while the session is live or in aftercare (practice ones
/// while it is planned).
#[derive(Serialize, ToSchema)]
pub struct LatestSignalBody {
    /// Its number in the session (the stream's event id); acknowledge it with
    /// `POST /api/v1/sessions/{id}/signals/{seq}/seen`.
    seq: i64,
    /// Who sent it.
    member: String,
    /// green, yellow, red, pause or check-in.
    kind: &'static str,
    /// When it was sent (Unix seconds).
    at: i64,
    /// Sent while the session was being planned.
    practice: bool,
    /// The others whose page or app has shown it.
    #[serde(rename = "seen-by")]
    seen_by: Vec<String>,
}

/// A session as its participants see it.
#[derive(Serialize, ToSchema)]
pub struct SessionBody {
    id: String,
    circle: String,
    /// plan, live, aftercare or closed.
    state: &'static str,
    variant: &'static str,
    participants: Vec<String>,
    /// Who has said they are in (during the plan).
    ready: Vec<String>,
    /// Who stepped out of the live session, to their own aftercare.
    #[serde(rename = "stepped-out")]
    stepped_out: Vec<String>,
    /// Whose own aftercare is done; the session closes when everyone's is.
    done: Vec<String>,
    /// Who said stop (red), and when (Unix seconds), once someone has.
    #[serde(rename = "stopped-by", skip_serializing_if = "Option::is_none")]
    stopped_by: Option<String>,
    #[serde(rename = "stopped-at", skip_serializing_if = "Option::is_none")]
    stopped_at: Option<i64>,
    /// Each participant's latest signal.
    signals: Vec<LatestSignalBody>,
    readiness: Vec<ReadinessBody>,
    /// The routine version it follows (0 when none was agreed).
    #[serde(rename = "routine-version")]
    routine_version: u32,
    /// Ids of the routine's steps ticked during aftercare.
    #[serde(rename = "steps-done")]
    steps_done: Vec<u32>,
    /// When aftercare began (Unix seconds): follow-ups count from here.
    #[serde(rename = "aftercare-at", skip_serializing_if = "Option::is_none")]
    aftercare_at: Option<i64>,
}

fn ids(set: &BTreeSet<MemberId>) -> Vec<String> {
    set.iter().map(ToString::to_string).collect()
}

/// The session as `me` sees it, with everyone's latest signal.
async fn session_body(
    state: &AppState,
    me: MemberId,
    stored: &StoredCareSession,
) -> Result<SessionBody, ApiError> {
    let (_, latest) = tend_app::live::signals(&state.app, me, stored).await?;
    let record = &stored.record;
    let stopped = record.session.stopped.as_ref();
    Ok(SessionBody {
        id: stored.id.to_string(),
        circle: stored.circle.to_string(),
        state: record.session.state.as_str(),
        variant: record.variant.as_str(),
        participants: ids(&record.session.participants),
        ready: ids(&record.session.ready),
        stepped_out: record
            .session
            .stepped_out
            .keys()
            .map(ToString::to_string)
            .collect(),
        done: ids(&record.session.done),
        stopped_by: stopped.map(|s| s.by.to_string()),
        stopped_at: stopped.map(|s| s.at.unix_seconds()),
        signals: latest
            .into_iter()
            .map(|l| LatestSignalBody {
                seq: l.seq,
                member: l.from.to_string(),
                kind: l.signal.as_str(),
                at: l.at.unix_seconds(),
                practice: l.practice,
                seen_by: ids(&l.seen_by),
            })
            .collect(),
        readiness: record
            .readiness
            .iter()
            .map(|(member, r)| ReadinessBody {
                member: member.to_string(),
                energy: r.energy.value(),
                mood: r.mood.value(),
                sober: r.sober,
                off_limits_today: r.off_limits_today.clone(),
                ready: record.session.ready.contains(member),
            })
            .collect(),
        routine_version: record.routine_version,
        steps_done: record.steps_done.iter().copied().collect(),
        aftercare_at: record.session.aftercare_at.map(|t| t.unix_seconds()),
    })
}

/// Starts a session with some or all members of the circle.
#[utoipa::path(post, path = "/api/v1/circles/{id}/sessions", request_body = NewSessionBody, security(("bearer" = [])),
    responses((status = 201, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn sessions_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSessionBody>,
) -> Result<Response, ApiError> {
    let me = api.id();
    let circle = CircleId::parse(&id).ok_or(ApiError::NotFound)?;
    // Not this member's circle is 404 before anything is said about the body.
    tend_app::circles::circle(&state.app, me, circle).await?;
    let mut problems = Vec::new();
    let variant = Variant::parse(&body.variant);
    if variant.is_none() {
        problems.push(("variant".into(), msg("profile-variant-invalid")));
    }
    let aftercare_now = match body.start.as_str() {
        "plan" => Some(false),
        "aftercare" => Some(true),
        _ => None,
    };
    if aftercare_now.is_none() {
        problems.push(("start".into(), msg("session-start-invalid")));
    }
    let participants: Option<BTreeSet<MemberId>> = body
        .participants
        .iter()
        .map(|p| MemberId::parse(p))
        .collect();
    if participants.is_none() {
        problems.push(("participants".into(), msg("session-participants")));
    }
    let (Some(variant), Some(aftercare_now), Some(participants)) =
        (variant, aftercare_now, participants)
    else {
        return Err(ApiError::Invalid(problems));
    };
    let new = NewSession {
        participants,
        variant,
        aftercare_now,
    };
    let stored = sessions::start(&state.app, me, circle, new).await?;
    let body = session_body(&state, me, &stored).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The circle's sessions you take part in that have not closed, oldest first.
#[utoipa::path(get, path = "/api/v1/circles/{id}/sessions", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionBody>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn sessions_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<SessionBody>>, ApiError> {
    let circle = CircleId::parse(&id).ok_or(ApiError::NotFound)?;
    let open = sessions::open(&state.app, api.id(), circle).await?;
    let mut bodies = Vec::with_capacity(open.len());
    for stored in &open {
        bodies.push(session_body(&state, api.id(), stored).await?);
    }
    Ok(Json(bodies))
}

/// A session you take part in.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn session_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    let stored = sessions::session(&state.app, api.id(), session_id(&id)?).await?;
    Ok(Json(session_body(&state, api.id(), &stored).await?))
}

/// Your readiness check during a plan; with `ready` the session goes live once everyone
/// taking part is in.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/readiness", request_body = ReadinessBody, security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn readiness_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReadinessBody>,
) -> Result<Json<SessionBody>, ApiError> {
    let id = session_id(&id)?;
    let input = ReadinessInput {
        energy: body.energy,
        mood: body.mood,
        sober: Some(body.sober),
        off_limits_today: body.off_limits_today,
        ready: body.ready,
    };
    let stored = sessions::set_readiness(&state.app, api.id(), id, &input).await?;
    Ok(Json(session_body(&state, api.id(), &stored).await?))
}

async fn event(
    state: &AppState,
    api: &ApiMember,
    id: &str,
    action: Action,
) -> Result<Json<SessionBody>, ApiError> {
    let stored = sessions::act(&state.app, api.id(), session_id(id)?, action).await?;
    Ok(Json(session_body(state, api.id(), &stored).await?))
}

/// "Not today": ends a plan quietly for everyone; no reason asked, nobody told who.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/not-today", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn not_today_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Action::NotToday).await
}

/// Steps out, for you: ends a plan quietly; from a live session, takes you to your own
/// aftercare while the others carry on and are told (when fewer than two are left, the
/// session moves to aftercare); in aftercare, the same as `close`.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/withdraw", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Action::Withdraw).await
}

/// "Aftercare now", from a plan or a live session.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/aftercare", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn aftercare_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Action::Aftercare).await
}

/// Your aftercare is done (stepped out of a live session, or in aftercare); the others' goes
/// on. The state becomes `closed` once everyone's is.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/close", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn close_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Action::Close).await
}

/// Ticks a step of the routine during aftercare, for everyone to see.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/steps/{n}/done", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn step_done_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, n)): Path<(String, u32)>,
) -> Result<Json<SessionBody>, ApiError> {
    let stored = sessions::tick(&state.app, api.id(), session_id(&id)?, n).await?;
    Ok(Json(session_body(&state, api.id(), &stored).await?))
}

/// A live signal.
#[derive(Deserialize, ToSchema)]
pub struct SignalBody {
    /// green, yellow (slow down, check on me), red (stop), pause or check-in.
    signal: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignalSent {
    /// The signal's number in the session (the SSE event id).
    seq: i64,
    /// The session's state after it: red moves a live session to aftercare.
    state: &'static str,
}

/// Sends a signal to every participant while the session is live (or as practice while it is
/// planned). It is kept before this answers, so a partner who reconnects still gets it; red
/// stops the session for everyone.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/signals", request_body = SignalBody, security(("bearer" = [])),
    responses((status = 201, body = SignalSent), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn signals_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SignalBody>,
) -> Result<Response, ApiError> {
    let id = session_id(&id)?;
    let signal = tend_core::session::Signal::parse(&body.signal)
        .ok_or_else(|| ApiError::Invalid(vec![("signal".into(), msg("signal-invalid"))]))?;
    let (seq, stored) = tend_app::live::send(&state.app, api.id(), id, signal).await?;
    let sent = SignalSent {
        seq,
        state: stored.record.session.state.as_str(),
    };
    Ok((StatusCode::CREATED, Json(sent)).into_response())
}

/// Says your page or app has shown signal `seq`: its sender is told "seen". Saying it again,
/// or of your own signal, changes nothing.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/signals/{seq}/seen", security(("bearer" = [])),
    responses((status = 204, description = "noted"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn signal_seen_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, seq)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    tend_app::live::seen(&state.app, api.id(), session_id(&id)?, seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follows the session as server-sent events: `signal` events (JSON with `signal`, `from`,
/// `name`, `at`, `practice`, `state`; the event id is the signal's number, so
/// `Last-Event-ID` replays what was missed), `seen` events (`seq`, `by`, `name`: a
/// partner's page showed that signal) and `session` events (`state`, `steps-done`,
/// `stepped-out`, `done`, `stopped-by`, `stopped-at`) when any of those change.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/stream", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "server-sent events"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn stream_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let id = session_id(&id)?;
    let after = crate::streams::last_event_id(&headers);
    let stream = crate::streams::session(state.app.clone(), api.id(), id, after).await?;
    Ok(stream.into_response())
}

/// A short note of specific appreciation for a partner in the session.
#[derive(Deserialize, ToSchema)]
pub struct AppreciationBody {
    /// The member id of a partner who took part.
    to: String,
    /// What you appreciated, 1 to 500 characters.
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppreciationSent {
    id: String,
}

/// Sends a partner a short note of what you appreciated, once aftercare has begun.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/appreciations", request_body = AppreciationBody, security(("bearer" = [])),
    responses((status = 201, body = AppreciationSent), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn appreciations_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AppreciationBody>,
) -> Result<Response, ApiError> {
    let id = session_id(&id)?;
    let id = notes::appreciate(&state.app, api.id(), id, &body.to, &body.text).await?;
    let sent = AppreciationSent { id: id.to_string() };
    Ok((StatusCode::CREATED, Json(sent)).into_response())
}

/// A note you received: appreciation in a partner's words, the entries of their reflection
/// they chose to share (`shared-reflection`, also put in words in `text`), or that they
/// could use some extra care today (`care-wanted`, no words, no details).
#[derive(Serialize, ToSchema)]
pub struct AppreciationReceived {
    id: String,
    /// appreciation, shared-reflection or care-wanted.
    kind: &'static str,
    /// Who sent it: member id and name.
    from: String,
    name: String,
    session: String,
    text: String,
    /// When it was sent (Unix seconds).
    at: i64,
}

/// The notes of appreciation you received, newest first.
#[utoipa::path(get, path = "/api/v1/appreciations", security(("bearer" = [])),
    responses((status = 200, body = Vec<AppreciationReceived>)))]
pub async fn appreciations_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<Vec<AppreciationReceived>>, ApiError> {
    let i18n = I18n::default();
    let received = notes::received(&state.app, api.id())
        .await?
        .into_iter()
        .map(|note| {
            let (kind, text) = match note.kind {
                NoteKind::SharedReflection(shared) => (
                    "shared-reflection",
                    crate::words::shared_reflection(&i18n, &shared),
                ),
                NoteKind::CareWanted => ("care-wanted", String::new()),
                NoteKind::Appreciation(text) => ("appreciation", text),
            };
            AppreciationReceived {
                id: note.id.to_string(),
                kind,
                from: note.from.to_string(),
                name: note.name,
                session: note.session.to_string(),
                text,
                at: note.at.unix_seconds(),
            }
        })
        .collect();
    Ok(Json(received))
}

/// A reflection after a session, private to you.
#[derive(Deserialize, ToSchema)]
pub struct ReflectionBody {
    /// 1 (very low) to 5 (very good).
    mood: u8,
    /// 1 to 5, if you like.
    #[serde(default)]
    energy: Option<u8>,
    /// Any of calm, close, happy, tender, tired, numb, anxious, sad, irritable, ashamed.
    #[serde(default)]
    feelings: Vec<String>,
    #[serde(default, rename = "felt-good")]
    felt_good: String,
    #[serde(default, rename = "to-change")]
    to_change: String,
    /// A safeword used, and why, if you want to note it.
    #[serde(default, rename = "safeword-used")]
    safeword_used: String,
    /// Whether drop came.
    #[serde(default)]
    drop: bool,
    /// Entries to share with the partners who were there, one by one: any of mood, energy,
    /// feelings, felt-good, to-change, safeword-used. Nothing is shared unless named here.
    #[serde(default)]
    shared: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReflectionSaved {
    id: String,
    /// How many partners the shared entries went to (0 when nothing was shared).
    #[serde(rename = "shared-with")]
    shared_with: usize,
    /// True when gentle information about post-sex blues may help (a low mood, or feelings
    /// such as sad, irritable or ashamed).
    blues: bool,
}

/// Your reflection on a session, once aftercare has begun. Private: sealed with your key,
/// read only by you (Insights).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/reflections", request_body = ReflectionBody, security(("bearer" = [])),
    responses((status = 201, body = ReflectionSaved), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reflections_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReflectionBody>,
) -> Result<Response, ApiError> {
    let input = ReflectionInput {
        mood: body.mood,
        energy: body.energy,
        feelings: body.feelings,
        felt_good: body.felt_good,
        to_change: body.to_change,
        safeword_used: body.safeword_used,
        drop: body.drop,
        shared: body.shared,
    };
    let saved = reflections::reflect(&state.app, api.id(), session_id(&id)?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReflectionSaved {
            id: saved.id.to_string(),
            shared_with: saved.shared_with,
            blues: saved.blues,
        }),
    )
        .into_response())
}

/// One of your follow-ups in the drop window.
#[derive(Serialize, ToSchema)]
pub struct FollowUpBody {
    id: String,
    session: String,
    circle: String,
    /// Hours after aftercare began.
    hours: u16,
    /// When it comes (Unix seconds).
    #[serde(rename = "due-at")]
    due_at: i64,
    /// Whether it has come.
    due: bool,
    /// fine, contact or support, once answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<&'static str>,
}

fn follow_up_body(view: &FollowUpView) -> FollowUpBody {
    let follow_up = &view.follow_up;
    FollowUpBody {
        id: view.id.to_string(),
        session: follow_up.session.to_string(),
        circle: follow_up.circle.to_string(),
        hours: follow_up.hours,
        due_at: view.due_at.unix_seconds(),
        due: view.due,
        answer: follow_up.answer.map(FollowUpAnswer::as_str),
    }
}

/// Your follow-ups, due and scheduled, earliest first.
#[utoipa::path(get, path = "/api/v1/follow-ups", security(("bearer" = [])),
    responses((status = 200, body = Vec<FollowUpBody>)))]
pub async fn follow_ups_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<Vec<FollowUpBody>>, ApiError> {
    let all = follow_ups::list(&state.app, api.id()).await?;
    Ok(Json(all.iter().map(follow_up_body).collect()))
}

/// How you are, answering a follow-up that has come.
#[derive(Deserialize, ToSchema)]
pub struct FollowUpAnswerBody {
    /// fine, contact (could use contact) or support (need support).
    answer: String,
    /// Your mood, 1 to 5, if you like: it shows in your insights.
    #[serde(default)]
    mood: Option<u8>,
    /// With contact or support: member ids of partners from that session to tell that you
    /// could use some extra care today (no details). Nobody is told unless listed.
    #[serde(default)]
    notify: Vec<String>,
}

/// Answers a follow-up once it has come (once; the answer also counts in your insights).
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/answer", request_body = FollowUpAnswerBody, security(("bearer" = [])),
    responses((status = 200, body = FollowUpBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn follow_up_answer_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FollowUpAnswerBody>,
) -> Result<Json<FollowUpBody>, ApiError> {
    let me = api.id();
    let id = FollowUpId::parse(&id).ok_or(ApiError::NotFound)?;
    let mut problems = Vec::new();
    let answer = FollowUpAnswer::parse(&body.answer);
    if answer.is_none() {
        problems.push(("answer".into(), msg("follow-up-answer")));
    }
    let mood = body.mood.map(Mood::new);
    if mood.is_some_and(|m| m.is_none()) {
        problems.push(("mood".into(), msg("reflection-mood")));
    }
    let notify: Option<BTreeSet<MemberId>> =
        body.notify.iter().map(|m| MemberId::parse(m)).collect();
    if notify.is_none() {
        problems.push(("notify".into(), msg("follow-up-notify")));
    }
    let (Some(answer), Some(notify)) = (answer.filter(|_| problems.is_empty()), notify) else {
        return Err(ApiError::Invalid(problems));
    };
    let input = AnswerInput {
        answer,
        mood: mood.flatten(),
        notify,
    };
    let answered = follow_ups::answer(&state.app, me, id, &input).await?;
    Ok(Json(follow_up_body(&answered.follow_up)))
}
