//! Sessions through the JSON API: plan one (readiness, "not today", withdraw), go straight to
//! aftercare, tick the routine's steps, close, reflect; and the follow-ups of the drop window.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_core::insights::{
    Entry, Feeling, Moment, Mood, REFLECTION_TEXT_MAX, Reflection, ReflectionNotes,
    SharedReflection,
};
use tend_core::profile::Variant;
use tend_core::routine::{StepId, StepWhat};
use tend_core::session::{
    Event, FollowUpAnswer, OFF_LIMITS_MAX, Readiness, Refusal, State as SessionState,
};
use tend_store::{
    CareSessionId, CircleId, FollowUpId, MemberId, Notification, NotificationId, StoredCareSession,
};
use utoipa::ToSchema;

use super::{ApiError, ApiJson};
use crate::auth::ApiMember;
use crate::i18n::{I18n, msg};
use crate::notifications;
use crate::sessions::{self, NewSession, SessionError};
use crate::state::AppState;

impl From<SessionError> for ApiError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::NotFound => Self::NotFound,
            SessionError::NotNow => Self::Conflict(msg("session-not-now")),
            SessionError::Other(error) => error.into(),
        }
    }
}

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
    /// Who stepped out (they still get their follow-ups).
    withdrawn: Vec<String>,
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

pub(crate) fn session_body(stored: &StoredCareSession) -> SessionBody {
    let record = &stored.record;
    SessionBody {
        id: stored.id.to_string(),
        circle: stored.circle.to_string(),
        state: record.session.state.as_str(),
        variant: record.variant.as_str(),
        participants: ids(&record.session.participants),
        ready: ids(&record.session.ready),
        withdrawn: ids(&record.session.withdrawn),
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
    }
}

/// Starts a session with some or all members of the circle.
#[utoipa::path(post, path = "/api/v1/circles/{id}/sessions", request_body = NewSessionBody, security(("bearer" = [])),
    responses((status = 201, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn sessions_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSessionBody>,
) -> Result<Response, ApiError> {
    let me = api.member.id;
    let circle_id = CircleId::parse(&id).ok_or(ApiError::NotFound)?;
    let circle = state.store.circle(me, circle_id).await?;
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
    let started = sessions::start(&state, me, &circle, new, state.clock.now()).await?;
    let Some(stored) = started else {
        return Err(ApiError::Invalid(vec![(
            "participants".into(),
            msg("session-participants"),
        )]));
    };
    Ok((StatusCode::CREATED, Json(session_body(&stored))).into_response())
}

/// The circle's sessions you take part in that have not closed, oldest first.
#[utoipa::path(get, path = "/api/v1/circles/{id}/sessions", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionBody>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn sessions_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<Vec<SessionBody>>, ApiError> {
    let circle = CircleId::parse(&id).ok_or(ApiError::NotFound)?;
    let open = state
        .store
        .open_care_sessions(api.member.id, circle)
        .await?;
    Ok(Json(open.iter().map(session_body).collect()))
}

/// A session you take part in.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn session_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    let stored = state
        .store
        .care_session(api.member.id, session_id(&id)?)
        .await?;
    Ok(Json(session_body(&stored)))
}

impl ReadinessBody {
    /// The body a page's form makes (numbers that do not parse become 0, which is refused).
    pub(crate) fn from_form(
        energy: &str,
        mood: &str,
        sober: bool,
        off_limits_today: &str,
        ready: bool,
    ) -> Self {
        Self {
            member: String::new(),
            energy: energy.trim().parse().unwrap_or(0),
            mood: mood.trim().parse().unwrap_or(0),
            sober,
            off_limits_today: off_limits_today.to_owned(),
            ready,
        }
    }

    pub(crate) fn is_ready(&self) -> bool {
        self.ready
    }
}

pub(crate) fn readiness_of(body: &ReadinessBody) -> Result<Readiness, ApiError> {
    let mut problems = Vec::new();
    let energy = Mood::new(body.energy);
    if energy.is_none() {
        problems.push(("energy".into(), msg("readiness-energy")));
    }
    let mood = Mood::new(body.mood);
    if mood.is_none() {
        problems.push(("mood".into(), msg("readiness-mood")));
    }
    let off_limits = body.off_limits_today.trim();
    if off_limits.chars().count() > OFF_LIMITS_MAX {
        problems.push(("off-limits-today".into(), msg("readiness-off-limits")));
    }
    match (energy, mood) {
        (Some(energy), Some(mood)) if problems.is_empty() => Ok(Readiness {
            energy,
            mood,
            sober: body.sober,
            off_limits_today: off_limits.to_owned(),
        }),
        _ => Err(ApiError::Invalid(problems)),
    }
}

/// Your readiness check during a plan; with `ready` the session goes live once everyone
/// taking part is in.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/readiness", request_body = ReadinessBody, security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn readiness_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReadinessBody>,
) -> Result<Json<SessionBody>, ApiError> {
    let me = api.member.id;
    let id = session_id(&id)?;
    let readiness = readiness_of(&body)?;
    let now = state.clock.now();
    let stored = sessions::act(&state, me, id, |record| {
        if record.session.state != SessionState::Plan {
            return Err(Refusal::NotNow);
        }
        record.readiness.insert(me, readiness.clone());
        if body.ready {
            record.session = record.session.apply(&Event::Ready(me), now)?;
        }
        Ok(())
    })
    .await?;
    Ok(Json(session_body(&stored)))
}

async fn event(
    state: &AppState,
    api: &ApiMember,
    id: &str,
    event: impl Fn(MemberId) -> Event<MemberId>,
) -> Result<Json<SessionBody>, ApiError> {
    let stored = sessions::apply(
        state,
        api.member.id,
        session_id(id)?,
        event,
        state.clock.now(),
    )
    .await?;
    Ok(Json(session_body(&stored)))
}

/// "Not today": ends a plan quietly for everyone; no reason asked, nobody told who.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/not-today", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn not_today_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Event::NotToday).await
}

/// Steps out: ends a plan quietly, stops a live session (aftercare for everyone), or leaves
/// aftercare (it goes on for the others).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/withdraw", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn withdraw_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Event::Withdraw).await
}

/// "Aftercare now", from a plan or a live session.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/aftercare", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn aftercare_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Event::Aftercare).await
}

/// Aftercare is done; the session closes for everyone.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/close", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn close_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<SessionBody>, ApiError> {
    event(&state, &api, &id, Event::Close).await
}

/// Ticks a step of the routine during aftercare, for everyone to see.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/steps/{n}/done", security(("bearer" = [])),
    responses((status = 200, body = SessionBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn step_done_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, n)): Path<(String, u32)>,
) -> Result<Json<SessionBody>, ApiError> {
    let me = api.member.id;
    let id = session_id(&id)?;
    let stored = state.store.care_session(me, id).await?;
    let routine = sessions::routine_of(&state, me, &stored).await?;
    if routine.step(StepId(n)).is_none() {
        return Err(ApiError::NotFound);
    }
    let stored = sessions::act(&state, me, id, |record| tick(record, me, n)).await?;
    Ok(Json(session_body(&stored)))
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

/// Sends a signal to every participant while the session is live. It is kept before this
/// answers, so a partner who reconnects still gets it; red stops the session for everyone.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/signals", request_body = SignalBody, security(("bearer" = [])),
    responses((status = 201, body = SignalSent), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn signals_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SignalBody>,
) -> Result<Response, ApiError> {
    let id = session_id(&id)?;
    let signal = tend_core::session::Signal::parse(&body.signal)
        .ok_or_else(|| ApiError::Invalid(vec![("signal".into(), msg("signal-invalid"))]))?;
    let (seq, stored) = crate::live::send(&state, api.member.id, id, signal).await?;
    let sent = SignalSent {
        seq,
        state: stored.record.session.state.as_str(),
    };
    Ok((StatusCode::CREATED, Json(sent)).into_response())
}

/// Follows the session as server-sent events: `signal` events (JSON with `signal`, `from`,
/// `name`, `state`; the event id is the signal's number, so `Last-Event-ID` replays what was
/// missed) and `session` events when the state or the ticked steps change.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/stream", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "server-sent events"), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn stream_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let id = session_id(&id)?;
    let after = crate::live::last_event_id(&headers);
    let stream = crate::live::stream(state, api.member.id, id, after).await?;
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

/// The longest note of appreciation, in characters.
pub(crate) const APPRECIATION_MAX: usize = 500;

/// Checks and sends `me`'s note of appreciation to a partner of a session that has reached
/// aftercare; the note is sealed for that partner alone.
pub(crate) async fn send_appreciation(
    state: &AppState,
    me: MemberId,
    stored: &StoredCareSession,
    to: &str,
    text: &str,
) -> Result<tend_store::AppreciationId, ApiError> {
    let mut problems = Vec::new();
    let to = MemberId::parse(to)
        .filter(|to| *to != me && stored.record.session.participants.contains(to));
    if to.is_none() {
        problems.push(("to".into(), msg("appreciation-to")));
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > APPRECIATION_MAX {
        problems.push(("text".into(), msg("appreciation-text")));
    }
    let Some(to) = to.filter(|_| problems.is_empty()) else {
        return Err(ApiError::Invalid(problems));
    };
    if stored.record.session.aftercare_at.is_none() {
        return Err(ApiError::Conflict(msg("session-not-now")));
    }
    let note = tend_store::Appreciation {
        from: me,
        session: stored.id,
        text: text.to_owned(),
        care_wanted: false,
        reflection: None,
    };
    let id = state
        .store
        .add_appreciation(to, &note, state.clock.now())
        .await?;
    notifications::notify_now(state, to, &Notification::Appreciation { from: me }).await?;
    Ok(id)
}

/// Sends a partner a short note of what you appreciated, once aftercare has begun.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/appreciations", request_body = AppreciationBody, security(("bearer" = [])),
    responses((status = 201, body = AppreciationSent), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn appreciations_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AppreciationBody>,
) -> Result<Response, ApiError> {
    let stored = state
        .store
        .care_session(api.member.id, session_id(&id)?)
        .await?;
    let id = send_appreciation(&state, api.member.id, &stored, &body.to, &body.text).await?;
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
    Ok(Json(received_appreciations(&state, api.member.id).await?))
}

pub(crate) async fn received_appreciations(
    state: &AppState,
    me: MemberId,
) -> Result<Vec<AppreciationReceived>, ApiError> {
    let mut received = Vec::new();
    for (id, at, note) in state.store.appreciations(me).await? {
        let name = match state.store.member(note.from).await {
            Ok(member) => member.name().to_owned(),
            Err(tend_store::StoreError::NotFound) => String::new(),
            Err(error) => return Err(error.into()),
        };
        let (kind, text) = match (&note.reflection, note.care_wanted) {
            (Some(shared), _) => ("shared-reflection", shared_words(&I18n::default(), shared)),
            (None, true) => ("care-wanted", note.text),
            (None, false) => ("appreciation", note.text),
        };
        received.push(AppreciationReceived {
            id: id.to_string(),
            kind,
            from: note.from.to_string(),
            name,
            session: note.session.to_string(),
            text,
            at: at.unix_seconds(),
        });
    }
    Ok(received)
}

/// A partner's shared entries in words: "From their reflection: mood 4 of 5 · …".
fn shared_words(i18n: &I18n, shared: &SharedReflection) -> String {
    let mut parts = Vec::new();
    let level = |id: &str, mood: Mood| i18n.t_with(id, &[("value", &mood.value().to_string())]);
    if let Some(mood) = shared.mood {
        parts.push(level("shared-mood", mood));
    }
    if let Some(energy) = shared.energy {
        parts.push(level("shared-energy", energy));
    }
    if !shared.feelings.is_empty() {
        let feelings: Vec<String> = shared
            .feelings
            .iter()
            .map(|f| i18n.t(&format!("feeling-{}", f.as_str())))
            .collect();
        parts.push(i18n.t_with("shared-feelings", &[("feelings", &feelings.join(", "))]));
    }
    for (id, text) in [
        ("shared-felt-good", &shared.felt_good),
        ("shared-to-change", &shared.to_change),
        ("shared-safeword-used", &shared.safeword_used),
    ] {
        if !text.is_empty() {
            parts.push(i18n.t_with(id, &[("text", text)]));
        }
    }
    i18n.t_with("shared-intro", &[("entries", &parts.join(" · "))])
}

impl AppreciationReceived {
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn care_wanted(&self) -> bool {
        self.kind == "care-wanted"
    }
}

/// Ticks step `n` for everyone, during aftercare, by someone still in it.
pub(crate) fn tick(
    record: &mut tend_store::CareSession,
    me: MemberId,
    n: u32,
) -> Result<(), Refusal> {
    if record.session.withdrawn.contains(&me) {
        return Err(Refusal::NotTakingPart);
    }
    if record.session.state != SessionState::Aftercare {
        return Err(Refusal::NotNow);
    }
    record.steps_done.insert(n);
    Ok(())
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

impl ReflectionBody {
    /// The body a page's form makes (numbers that do not parse become 0, which is refused;
    /// an empty energy is left out).
    pub(crate) fn from_form(
        mood: &str,
        energy: &str,
        feelings: Vec<&str>,
        [felt_good, to_change, safeword_used]: [&str; 3],
        drop: bool,
        shared: Vec<&str>,
    ) -> Self {
        let energy = energy.trim();
        Self {
            mood: mood.trim().parse().unwrap_or(0),
            energy: (!energy.is_empty()).then(|| energy.parse().unwrap_or(0)),
            feelings: feelings.into_iter().map(str::to_owned).collect(),
            felt_good: felt_good.to_owned(),
            to_change: to_change.to_owned(),
            safeword_used: safeword_used.to_owned(),
            drop,
            shared: shared.into_iter().map(str::to_owned).collect(),
        }
    }

    pub(crate) fn drop(&self) -> bool {
        self.drop
    }
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

pub(crate) fn reflection_of(body: &ReflectionBody) -> Result<ReflectionNotesAndMood, ApiError> {
    let mut problems = Vec::new();
    let mood = Mood::new(body.mood);
    if mood.is_none() {
        problems.push(("mood".into(), msg("reflection-mood")));
    }
    let energy = body.energy.map(Mood::new);
    if energy.is_some_and(|e| e.is_none()) {
        problems.push(("energy".into(), msg("reflection-energy")));
    }
    let feelings: Option<BTreeSet<Feeling>> =
        body.feelings.iter().map(|f| Feeling::parse(f)).collect();
    if feelings.is_none() {
        problems.push(("feelings".into(), msg("reflection-feelings")));
    }
    let entries: Option<BTreeSet<Entry>> = body.shared.iter().map(|e| Entry::parse(e)).collect();
    if entries.is_none() {
        problems.push(("shared".into(), msg("reflection-shared")));
    }
    for (field, text) in [
        ("felt-good", &body.felt_good),
        ("to-change", &body.to_change),
        ("safeword-used", &body.safeword_used),
    ] {
        if text.chars().count() > REFLECTION_TEXT_MAX {
            problems.push((field.into(), msg("reflection-too-long")));
        }
    }
    match (mood, feelings, entries) {
        (Some(mood), Some(feelings), Some(entries)) if problems.is_empty() => {
            Ok(ReflectionNotesAndMood {
                mood,
                entries,
                notes: ReflectionNotes {
                    energy: energy.flatten(),
                    feelings,
                    felt_good: body.felt_good.trim().to_owned(),
                    to_change: body.to_change.trim().to_owned(),
                    safeword_used: body.safeword_used.trim().to_owned(),
                },
            })
        }
        _ => Err(ApiError::Invalid(problems)),
    }
}

/// A checked reflection, before it is tied to a session.
pub(crate) struct ReflectionNotesAndMood {
    pub mood: Mood,
    /// The entries to share with the partners who were there.
    pub entries: BTreeSet<Entry>,
    pub notes: ReflectionNotes,
}

/// The routine's steps ticked in the session, as insights name them: a catalog item's id or
/// a free step's words.
fn steps_done_words(
    routine: &tend_core::routine::Routine<MemberId>,
    stored: &StoredCareSession,
) -> BTreeSet<String> {
    stored
        .record
        .steps_done
        .iter()
        .filter_map(|n| routine.step(StepId(*n)))
        .map(|step| match &step.what {
            StepWhat::Item(item) => item.clone(),
            StepWhat::Text(text) => text.clone(),
        })
        .collect()
}

/// Your reflection on a session, once aftercare has begun. Private: sealed with your key,
/// read only by you (Insights).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/reflections", request_body = ReflectionBody, security(("bearer" = [])),
    responses((status = 201, body = ReflectionSaved), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn reflections_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReflectionBody>,
) -> Result<Response, ApiError> {
    let me = api.member.id;
    let stored = state.store.care_session(me, session_id(&id)?).await?;
    let checked = reflection_of(&body)?;
    let saved = save_reflection(&state, me, &stored, checked, body.drop).await?;
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

/// A reflection, kept.
pub(crate) struct SavedReflection {
    pub id: tend_store::ReflectionId,
    /// Whether gentle information about post-sex blues may help.
    pub blues: bool,
    /// How many partners the shared entries went to.
    pub shared_with: usize,
}

/// Keeps `me`'s reflection on a session that has reached aftercare, and passes the entries
/// they ticked (and only those) to the others who took part.
pub(crate) async fn save_reflection(
    state: &AppState,
    me: MemberId,
    stored: &StoredCareSession,
    checked: ReflectionNotesAndMood,
    drop: bool,
) -> Result<SavedReflection, ApiError> {
    let Some(session_at) = stored.record.session.aftercare_at else {
        return Err(ApiError::Conflict(msg("session-not-now")));
    };
    let routine = sessions::routine_of(state, me, stored).await?;
    let reflection = Reflection {
        session_at,
        moment: Moment::AfterSession,
        mood: Some(checked.mood),
        drop,
        steps_done: steps_done_words(&routine, stored),
        notes: checked.notes,
    };
    let blues = reflection.suggests_blues();
    let now = state.clock.now();
    let id = state.store.add_reflection(me, &reflection, now).await?;
    let shared = reflection.share(&checked.entries);
    let mut shared_with = 0;
    if !shared.is_empty() {
        let partners = stored
            .record
            .session
            .participants
            .iter()
            .filter(|p| **p != me);
        for partner in partners {
            let note = tend_store::Appreciation {
                from: me,
                session: stored.id,
                text: String::new(),
                care_wanted: false,
                reflection: Some(shared.clone()),
            };
            state.store.add_appreciation(*partner, &note, now).await?;
            notifications::notify_now(
                state,
                *partner,
                &Notification::SharedReflection { from: me },
            )
            .await?;
            shared_with += 1;
        }
    }
    Ok(SavedReflection {
        id,
        blues,
        shared_with,
    })
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

fn follow_up_body(
    id: FollowUpId,
    due_at: tend_core::Timestamp,
    follow_up: &tend_store::FollowUp,
    now: tend_core::Timestamp,
) -> FollowUpBody {
    FollowUpBody {
        id: id.to_string(),
        session: follow_up.session.to_string(),
        circle: follow_up.circle.to_string(),
        hours: follow_up.hours,
        due_at: due_at.unix_seconds(),
        due: due_at <= now,
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
    let now = state.clock.now();
    let all = state.store.follow_ups(api.member.id).await?;
    Ok(Json(
        all.iter()
            .map(|(id, due_at, f)| follow_up_body(*id, *due_at, f, now))
            .collect(),
    ))
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
    responses((status = 200, body = FollowUpBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 409, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn follow_up_answer_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FollowUpAnswerBody>,
) -> Result<Json<FollowUpBody>, ApiError> {
    let me = api.member.id;
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
    let saved = answer_follow_up(&state, me, id, answer, mood.flatten(), &notify).await?;
    Ok(Json(saved))
}

/// Records `me`'s answer to a follow-up that has come, and a reflection for insights.
pub(crate) async fn answer_follow_up(
    state: &AppState,
    me: MemberId,
    id: FollowUpId,
    answer: FollowUpAnswer,
    mood: Option<Mood>,
    notify: &BTreeSet<MemberId>,
) -> Result<FollowUpBody, ApiError> {
    let now = state.clock.now();
    let all = state.store.follow_ups(me).await?;
    let (_, due_at, mut follow_up) = all
        .into_iter()
        .find(|(found, _, _)| *found == id)
        .ok_or(ApiError::NotFound)?;
    // Only partners who were in that session can be told, and only with 🟡 or 🔴.
    let partners = follow_up_partners(state, me, &follow_up).await?;
    if !notify.is_subset(&partners) || (!notify.is_empty() && !answer.is_drop()) {
        return Err(ApiError::Invalid(vec![(
            "notify".into(),
            msg("follow-up-notify"),
        )]));
    }
    if due_at > now {
        return Err(ApiError::Conflict(msg("follow-up-not-yet")));
    }
    if follow_up.answer.is_some() {
        return Err(ApiError::Conflict(msg("follow-up-answered")));
    }
    follow_up.answer = Some(answer);
    match state.store.answer_follow_up(me, id, &follow_up).await {
        Ok(()) => {}
        // Answered from another tab meanwhile: the first answer stands.
        Err(tend_store::StoreError::Conflict) => {
            return Err(ApiError::Conflict(msg("follow-up-answered")));
        }
        Err(error) => return Err(error.into()),
    }
    let reflection = Reflection {
        session_at: follow_up.session_at,
        moment: Moment::FollowUp {
            hours: follow_up.hours,
        },
        mood,
        drop: answer.is_drop(),
        steps_done: BTreeSet::new(),
        notes: ReflectionNotes::default(),
    };
    state.store.add_reflection(me, &reflection, now).await?;
    // Answered: its notification needs no more attention.
    state
        .store
        .see_notifications(me, &[NotificationId::from_uuid(id.as_uuid())])
        .await?;
    state.bus.publish(me);
    for partner in notify {
        let note = tend_store::Appreciation {
            from: me,
            session: follow_up.session,
            text: String::new(),
            care_wanted: true,
            reflection: None,
        };
        state.store.add_appreciation(*partner, &note, now).await?;
        notifications::notify_now(state, *partner, &Notification::ExtraCare { from: me }).await?;
    }
    Ok(follow_up_body(id, due_at, &follow_up, now))
}

/// The others who took part in a follow-up's session, while `me` is still in its circle
/// (none once the session or the circle is gone).
pub(crate) async fn follow_up_partners(
    state: &AppState,
    me: MemberId,
    follow_up: &tend_store::FollowUp,
) -> Result<BTreeSet<MemberId>, ApiError> {
    match state.store.care_session(me, follow_up.session).await {
        Ok(stored) => Ok(stored
            .record
            .session
            .participants
            .into_iter()
            .filter(|m| *m != me)
            .collect()),
        Err(tend_store::StoreError::NotFound) => Ok(BTreeSet::new()),
        Err(error) => Err(error.into()),
    }
}
