//! Sessions in the browser: start one from the circle page ("plan a session" or "aftercare
//! now"), the readiness check and brief, aftercare with the routine per person and ticks, the
//! private reflection, the follow-ups of the drop window, and a breathing exercise.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tend_core::boundaries::BoundaryKind;
use tend_core::insights::{Entry, Feeling, Mood};
use tend_core::profile::Variant;
use tend_core::routine::StepId;
use tend_core::session::{Event, FollowUpAnswer, Refusal, Signal, State as SessionState};
use tend_store::{CareSessionId, CircleId, FollowUpId, MemberId, StoredCareSession};

use super::routines::{names, per_person, settings_words, step_what, variant_words};
use super::{Ctx, FormErrors, MemberCtx};
use crate::api::ApiError;
use crate::api::sessions::{ReadinessBody, ReflectionBody, readiness_of, reflection_of, tick};
use crate::error::{AppError, ErrorKind};
use crate::i18n::I18n;
use crate::security::CsrfForm;
use crate::sessions::{self, NewSession, SessionError, weekday};
use crate::state::AppState;

/// The form's fields in the order sent; a field may repeat (checkboxes).
type Fields = Vec<(String, String)>;

fn field<'a>(form: &'a Fields, name: &str) -> &'a str {
    form.iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

fn fields<'a>(form: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    form.iter()
        .filter(move |(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Where an action on a session leads: on to `to`, or, when it could not happen now (a
/// button pressed twice, or after a partner moved the session on), back to the session
/// with a word that things have moved on.
fn after_action(
    id: CareSessionId,
    done: Result<StoredCareSession, SessionError>,
    to: impl FnOnce(&StoredCareSession) -> String,
) -> Result<Response, AppError> {
    match done {
        Ok(stored) => Ok(Redirect::to(&to(&stored)).into_response()),
        Err(SessionError::NotNow) => {
            Ok(Redirect::to(&format!("{}?notice=moved-on", session_url(id))).into_response())
        }
        Err(SessionError::NotFound) => Err(ErrorKind::NotFound.into()),
        Err(SessionError::Other(error)) => Err(error),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

fn session_id(id: &str) -> Result<CareSessionId, AppError> {
    CareSessionId::parse(id).ok_or_else(|| ErrorKind::NotFound.into())
}

fn session_url(id: CareSessionId) -> String {
    format!("/sessions/{id}")
}

/// (field, message id) pairs of a refused API body, said on the page.
fn form_errors(i18n: &I18n, error: ApiError) -> Result<FormErrors, AppError> {
    match error {
        ApiError::Invalid(problems) => {
            let mut errors = FormErrors::default();
            for (field, id) in problems {
                errors.add(field, i18n.t(id));
            }
            Ok(errors)
        }
        ApiError::NotFound => Err(ErrorKind::NotFound.into()),
        _ => Err(ErrorKind::BadRequest.into()),
    }
}

/// Starts a session from the circle page: the people ticked, the kind, and whether to plan
/// it or go straight to aftercare.
pub async fn start_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let circle_id = CircleId::parse(&id).ok_or(ErrorKind::NotFound)?;
    let circle = state.store.circle(me.member.id, circle_id).await?;
    let participants: Option<BTreeSet<MemberId>> =
        fields(&form, "participant").map(MemberId::parse).collect();
    let participants = participants.ok_or(ErrorKind::BadRequest)?;
    if participants.is_empty() {
        let back = format!("/circles/{}?notice=session-with-you", circle.id);
        return Ok(Redirect::to(&back).into_response());
    }
    let new = NewSession {
        participants,
        variant: Variant::parse(field(&form, "variant")).unwrap_or(Variant::AfterSex),
        aftercare_now: field(&form, "start") == "aftercare",
    };
    let now = state.clock.now();
    match sessions::start(&state, me.member.id, &circle, new, now).await? {
        Some(stored) => Ok(Redirect::to(&session_url(stored.id)).into_response()),
        // Only someone else ticked: a session always includes the one who starts it.
        None => Ok(
            Redirect::to(&format!("/circles/{}?notice=session-with-you", circle.id))
                .into_response(),
        ),
    }
}

/// The last session of the same kind, for the brief.
struct SinceLast {
    day: String,
    /// The routine version it followed, when this one follows another.
    changed_from: Option<u32>,
    /// Boundaries the other participants shared with the circle, new or changed since then:
    /// (name, kind, what they wrote).
    new_boundaries: Vec<(String, String, String)>,
}

struct ReadinessRow {
    name: String,
    ready: bool,
    /// "Energy 3 of 5 · mood 4 of 5 · sober", or empty before their check.
    summary: String,
    off_limits: String,
}

struct StepRow {
    id: u32,
    words: String,
    done: bool,
}

#[derive(Template)]
#[template(path = "sessions/session.html")]
struct SessionPage {
    ctx: Ctx,
    id: String,
    circle_id: String,
    circle_name: String,
    state: &'static str,
    state_words: String,
    variant: String,
    people: Vec<ReadinessRow>,
    /// The routine's words for safewords, signal, check-ins and follow-ups.
    settings: Vec<(String, String)>,
    steps: Vec<StepRow>,
    per_person: Vec<(String, String)>,
    /// My readiness form, as typed (or as saved).
    energy: String,
    mood: String,
    sober: String,
    off_limits: String,
    i_am_ready: bool,
    /// Still taking part (not stepped out), so the aftercare buttons are mine to press.
    i_am_present: bool,
    /// Aftercare has happened, so there is something to reflect on.
    has_aftercare: bool,
    notice: Option<String>,
    since_last: Option<SinceLast>,
    routine_version: u32,
    /// For the note of appreciation: the others who took part (id, name), and what was typed.
    partners: Vec<(String, String)>,
    note_to: String,
    note_text: String,
    /// The live buttons: (signal, words with the circle's own word, if any).
    signals: Vec<(&'static str, String)>,
    /// The latest signal from someone else, in words ("Sam: Yellow — slow down").
    latest: String,
    /// Each signal's words, for the page's script to say new ones.
    signal_words: Vec<(&'static str, String)>,
    /// "{name}: {words}" in the member's language, for the script to fill in.
    from_template: String,
    /// Tend's own check-in prompt, for the script.
    prompt: String,
    /// Where the page's stream starts: after the last signal the page already shows.
    stream_url: String,
    me: String,
    /// The ticked steps as the page shows them, so the script knows when to refresh.
    steps_key: String,
    levels: Vec<(String, String)>,
    errors: FormErrors,
}

fn levels(i18n: &I18n) -> Vec<(String, String)> {
    (Mood::LOWEST..=Mood::HIGHEST)
        .map(|m| (m.to_string(), i18n.t(&format!("insights-mood-{m}"))))
        .collect()
}

async fn session_page(
    state: &AppState,
    ctx: Ctx,
    me: MemberId,
    stored: &StoredCareSession,
    typed: Option<&Fields>,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<SessionPage, AppError> {
    let circle = state.store.circle(me, stored.circle).await?;
    let routine = sessions::routine_of(state, me, stored).await?;
    let names = names(&circle);
    let record = &stored.record;
    let i18n = &ctx.i18n;
    let people = record
        .session
        .participants
        .iter()
        .map(|m| {
            let readiness = record.readiness.get(m);
            ReadinessRow {
                name: names.get(m).cloned().unwrap_or_default(),
                ready: record.session.ready.contains(m),
                summary: readiness.map_or_else(String::new, |r| {
                    let sober = if r.sober {
                        "session-sober"
                    } else {
                        "session-not-sober"
                    };
                    i18n.t_with(
                        "session-readiness-summary",
                        &[
                            ("energy", &r.energy.value().to_string()),
                            ("mood", &r.mood.value().to_string()),
                            ("sober", &i18n.t(sober)),
                        ],
                    )
                }),
                off_limits: readiness
                    .map(|r| r.off_limits_today.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mine = record.readiness.get(&me);
    // The brief: what changed since this circle's last session of the same kind.
    let since_last = if record.session.state == SessionState::Plan {
        let past = state.store.sessions_with_aftercare(me, circle.id).await?;
        match past.iter().rev().find(|p| p.variant == record.variant) {
            Some(last) => {
                let mut new_boundaries = Vec::new();
                for (partner, records) in
                    crate::circles::shared_boundaries(state, me, &circle).await?
                {
                    if !record.session.participants.contains(&partner) {
                        continue;
                    }
                    let name = names.get(&partner).cloned().unwrap_or_default();
                    for r in records.iter().filter(|r| r.updated_at > last.aftercare_at) {
                        let (kind, detail) = super::circles::boundary_words(i18n, &r.boundary);
                        new_boundaries.push((name.clone(), kind, detail));
                    }
                }
                Some(SinceLast {
                    day: weekday(i18n, last.aftercare_at),
                    changed_from: (last.routine_version != record.routine_version
                        && last.routine_version > 0)
                        .then_some(last.routine_version),
                    new_boundaries,
                })
            }
            None => None,
        }
    } else {
        None
    };
    let signal_words: Vec<(&'static str, String)> = Signal::ALL
        .into_iter()
        .map(|signal| {
            (
                signal.as_str(),
                i18n.t(&format!("signal-{}", signal.as_str())),
            )
        })
        .collect();
    let signals = if matches!(
        record.session.state,
        SessionState::Live | SessionState::Plan
    ) {
        state.store.signals_after(me, stored, 0).await?
    } else {
        Vec::new()
    };
    let last_seq = signals.last().map_or(0, |(seq, _)| *seq);
    let latest = {
        signals
            .iter()
            .rev()
            .find(|(_, s)| s.from != Some(me))
            .map(|(_, s)| match s.from {
                Some(from) => {
                    let words = i18n.t(&format!("signal-{}", s.signal.as_str()));
                    let name = names.get(&from).cloned().unwrap_or_default();
                    i18n.t_with("signal-from", &[("name", &name), ("words", &words)])
                }
                None => i18n.t("signal-prompt"),
            })
            .unwrap_or_default()
    };
    let own_word = |signal: Signal| match signal {
        Signal::Red => Some(&routine.settings.stop_word),
        Signal::Yellow => Some(&routine.settings.slow_word),
        _ => None,
    };
    let signals = [
        Signal::Green,
        Signal::Yellow,
        Signal::Red,
        Signal::Pause,
        Signal::CheckIn,
    ]
    .into_iter()
    .map(|signal| {
        let words = i18n.t(&format!("signal-{}", signal.as_str()));
        let words = match own_word(signal) {
            Some(word) => i18n.t_with("signal-with-word", &[("words", &words), ("word", word)]),
            None => words,
        };
        (signal.as_str(), words)
    })
    .collect();
    let typed_or = |name: &str, saved: Option<String>| match typed {
        Some(form) => field(form, name).to_owned(),
        None => saved.unwrap_or_default(),
    };
    Ok(SessionPage {
        id: stored.id.to_string(),
        circle_id: circle.id.to_string(),
        circle_name: circle.name.as_str().to_owned(),
        state: record.session.state.as_str(),
        state_words: i18n.t(&format!("session-state-{}", record.session.state.as_str())),
        variant: variant_words(i18n, record.variant),
        people,
        settings: settings_words(i18n, &routine).into_iter().take(4).collect(),
        steps: routine
            .steps
            .iter()
            .map(|s| StepRow {
                id: s.id.0,
                words: step_what(i18n, s),
                done: record.steps_done.contains(&s.id.0),
            })
            .collect(),
        per_person: per_person(i18n, &circle, &routine),
        energy: typed_or("energy", mine.map(|r| r.energy.value().to_string())),
        mood: typed_or("mood", mine.map(|r| r.mood.value().to_string())),
        sober: typed_or(
            "sober",
            mine.map(|r| if r.sober { "yes" } else { "no" }.to_owned()),
        ),
        off_limits: typed_or("off-limits-today", mine.map(|r| r.off_limits_today.clone())),
        i_am_ready: record.session.ready.contains(&me),
        i_am_present: !record.session.withdrawn.contains(&me),
        has_aftercare: record.session.aftercare_at.is_some(),
        notice,
        since_last,
        routine_version: record.routine_version,
        partners: record
            .session
            .participants
            .iter()
            .filter(|m| **m != me)
            .map(|m| (m.to_string(), names.get(m).cloned().unwrap_or_default()))
            .collect(),
        note_to: typed
            .map(|form| field(form, "to").to_owned())
            .unwrap_or_default(),
        note_text: typed
            .map(|form| field(form, "text").to_owned())
            .unwrap_or_default(),
        signals,
        latest,
        signal_words,
        from_template: i18n.t_with("signal-from", &[("name", "{name}"), ("words", "{words}")]),
        prompt: i18n.t("signal-prompt"),
        stream_url: format!("{}/stream?after={last_seq}", session_url(stored.id)),
        me: me.to_string(),
        steps_key: record
            .steps_done
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        levels: levels(i18n),
        errors,
        ctx,
    })
}

pub async fn session_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let stored = state
        .store
        .care_session(me.member.id, session_id(&id)?)
        .await?;
    let notice = match query.notice.as_str() {
        "moved-on" => Some(ctx.t("session-moved-on")),
        "note-sent" => Some(ctx.t("appreciation-sent")),
        _ => None,
    };
    let no_errors = FormErrors::default();
    let page = session_page(&state, ctx, me.member.id, &stored, None, no_errors, notice).await?;
    Ok(Html(page.render()?).into_response())
}

/// The readiness check: saved as typed, and "I'm in" when the member says so. Every
/// question but "off-limits today" needs an answer; nobody is taken as sober by default.
pub async fn readiness_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    let me = me.member.id;
    let body = ReadinessBody::from_form(
        field(&form, "energy"),
        field(&form, "mood"),
        field(&form, "sober") == "yes",
        field(&form, "off-limits-today"),
        field(&form, "go") == "ready",
    );
    let (readiness, mut errors) = match readiness_of(&body) {
        Ok(readiness) => (Some(readiness), FormErrors::default()),
        Err(error) => (None, form_errors(&ctx.i18n, error)?),
    };
    if field(&form, "sober").is_empty() {
        errors.add("sober", ctx.t("readiness-sober"));
    }
    let Some(readiness) = readiness.filter(|_| errors.is_empty()) else {
        let stored = state.store.care_session(me, id).await?;
        let page = session_page(&state, ctx, me, &stored, Some(&form), errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    let now = state.clock.now();
    let done = sessions::act(&state, me, id, |record| {
        if record.session.state != SessionState::Plan {
            return Err(Refusal::NotNow);
        }
        record.readiness.insert(me, readiness.clone());
        if body.is_ready() {
            record.session = record.session.apply(&Event::Ready(me), now)?;
        }
        Ok(())
    })
    .await;
    after_action(id, done, |stored| session_url(stored.id))
}

async fn event_post(
    state: &AppState,
    me: MemberId,
    id: &str,
    event: impl Fn(MemberId) -> Event<MemberId>,
    to: impl FnOnce(&StoredCareSession) -> String,
) -> Result<Response, AppError> {
    let id = session_id(id)?;
    let done = sessions::apply(state, me, id, event, state.clock.now()).await;
    after_action(id, done, to)
}

/// "Not today": the plan ends quietly for everyone, and the member goes back to the circle.
pub async fn not_today_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    event_post(&state, me.member.id, &id, Event::NotToday, |stored| {
        format!("/circles/{}?notice=not-today", stored.circle)
    })
    .await
}

pub async fn withdraw_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    event_post(&state, me.member.id, &id, Event::Withdraw, |stored| {
        format!("/circles/{}?notice=withdrew", stored.circle)
    })
    .await
}

pub async fn aftercare_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    event_post(&state, me.member.id, &id, Event::Aftercare, |stored| {
        session_url(stored.id)
    })
    .await
}

/// Aftercare is done: on to the member's own reflection.
pub async fn close_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    event_post(&state, me.member.id, &id, Event::Close, |stored| {
        format!("{}/reflection", session_url(stored.id))
    })
    .await
}

pub async fn step_done_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path((id, n)): Path<(String, u32)>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    let me = me.member.id;
    let stored = state.store.care_session(me, id).await?;
    let routine = sessions::routine_of(&state, me, &stored).await?;
    if routine.step(StepId(n)).is_none() {
        return Err(ErrorKind::NotFound.into());
    }
    let done = sessions::act(&state, me, id, |record| tick(record, me, n)).await;
    after_action(id, done, |stored| {
        format!("{}#step-{n}", session_url(stored.id))
    })
}

/// A note of appreciation for a partner; a mistake keeps the words and says what to fix.
pub async fn appreciation_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    let me = me.member.id;
    let stored = state.store.care_session(me, id).await?;
    let sent = crate::api::sessions::send_appreciation(
        &state,
        me,
        &stored,
        field(&form, "to"),
        field(&form, "text"),
    )
    .await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("{}?notice=note-sent", session_url(id))).into_response()),
        Err(ApiError::Conflict(_)) => {
            Ok(Redirect::to(&format!("{}?notice=moved-on", session_url(id))).into_response())
        }
        Err(error) => {
            let errors = form_errors(&ctx.i18n, error)?;
            let page = session_page(&state, ctx, me, &stored, Some(&form), errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}

/// A signal pressed on the live screen: kept, then sent to everyone's open page.
pub async fn signal_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    let signal = Signal::parse(field(&form, "signal")).ok_or(ErrorKind::BadRequest)?;
    let done = crate::live::send(&state, me.member.id, id, signal)
        .await
        .map(|(_, stored)| stored);
    after_action(id, done, |stored| session_url(stored.id))
}

#[derive(serde::Deserialize, Default)]
pub struct AfterQuery {
    #[serde(default)]
    after: i64,
}

/// The session as server-sent events, for the page's script: from the last signal the page
/// showed (`?after=`), or from `Last-Event-ID` when the browser reconnects.
pub async fn stream_get(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<AfterQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    let after = crate::live::last_event_id(&headers).max(query.after);
    Ok(crate::live::stream(state, me.member.id, id, after)
        .await?
        .into_response())
}

#[derive(Template)]
#[template(path = "sessions/reflection.html")]
struct ReflectionPage {
    ctx: Ctx,
    id: String,
    levels: Vec<(String, String)>,
    /// (value, words, ticked)
    feelings: Vec<(&'static str, String, bool)>,
    mood: String,
    energy: String,
    /// (field, label, as typed): what felt good, what to change, a safeword used.
    texts: Vec<(&'static str, String, String)>,
    drop: bool,
    /// Entries that can be shared with the partners who were there: (value, words, ticked);
    /// empty when nobody else took part.
    share: Vec<(&'static str, String, bool)>,
    errors: FormErrors,
    /// After saving: whether to show gentle words about post-sex blues.
    saved: Option<bool>,
    /// After saving: whether entries went to partners.
    shared: bool,
}

fn reflection_page(
    ctx: Ctx,
    stored: &StoredCareSession,
    typed: &Fields,
    errors: FormErrors,
) -> ReflectionPage {
    let ticked: BTreeSet<&str> = fields(typed, "feeling").collect();
    let to_share: BTreeSet<&str> = fields(typed, "share").collect();
    let share = if stored.record.session.participants.len() > 1 {
        Entry::ALL
            .iter()
            .map(|e| {
                let value = e.as_str();
                let words = ctx.t(&format!("reflection-share-{value}"));
                (value, words, to_share.contains(value))
            })
            .collect()
    } else {
        Vec::new()
    };
    ReflectionPage {
        id: stored.id.to_string(),
        levels: levels(&ctx.i18n),
        feelings: Feeling::ALL
            .iter()
            .map(|f| {
                (
                    f.as_str(),
                    ctx.t(&format!("feeling-{}", f.as_str())),
                    ticked.contains(f.as_str()),
                )
            })
            .collect(),
        mood: field(typed, "mood").to_owned(),
        energy: field(typed, "energy").to_owned(),
        texts: [
            ("felt-good", "reflection-felt-good"),
            ("to-change", "reflection-to-change"),
            ("safeword-used", "reflection-safeword"),
        ]
        .into_iter()
        .map(|(name, label)| (name, ctx.t(label), field(typed, name).to_owned()))
        .collect(),
        drop: field(typed, "drop") == "yes",
        share,
        errors,
        saved: None,
        shared: false,
        ctx,
    }
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    /// "yes", or "blues" when gentle words on post-sex blues may help.
    #[serde(default)]
    saved: String,
    /// "yes" when entries went to partners.
    #[serde(default)]
    shared: String,
}

/// The member's own session that has reached aftercare; otherwise there is nothing to
/// reflect on yet (back to the session).
async fn reflectable(
    state: &AppState,
    me: MemberId,
    id: CareSessionId,
) -> Result<Result<StoredCareSession, Response>, AppError> {
    let stored = state.store.care_session(me, id).await?;
    Ok(match stored.record.session.aftercare_at {
        Some(_) => Ok(stored),
        None => Err(Redirect::to(&session_url(id)).into_response()),
    })
}

pub async fn reflection_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    let stored = match reflectable(&state, me.member.id, id).await? {
        Ok(stored) => stored,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let mut page = reflection_page(ctx, &stored, &Vec::new(), FormErrors::default());
    page.saved = match query.saved.as_str() {
        "yes" => Some(false),
        "blues" => Some(true),
        _ => None,
    };
    page.shared = query.shared == "yes";
    Ok(Html(page.render()?).into_response())
}

/// Saves the reflection, then shows it saved (a reload does not save it twice).
pub async fn reflection_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    let me = me.member.id;
    let stored = match reflectable(&state, me, id).await? {
        Ok(stored) => stored,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let body = ReflectionBody::from_form(
        field(&form, "mood"),
        field(&form, "energy"),
        fields(&form, "feeling").collect(),
        [
            field(&form, "felt-good"),
            field(&form, "to-change"),
            field(&form, "safeword-used"),
        ],
        field(&form, "drop") == "yes",
        fields(&form, "share").collect(),
    );
    let checked = match reflection_of(&body) {
        Ok(checked) => checked,
        Err(error) => {
            let errors = form_errors(&ctx.i18n, error)?;
            let page = reflection_page(ctx, &stored, &form, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let saved = crate::api::sessions::save_reflection(&state, me, &stored, checked, body.drop())
        .await
        .map_err(|_| AppError::internal("saving a reflection"))?;
    let blues = if saved.blues { "blues" } else { "yes" };
    let shared = if saved.shared_with > 0 { "yes" } else { "no" };
    Ok(Redirect::to(&format!(
        "{}/reflection?saved={blues}&shared={shared}",
        session_url(id)
    ))
    .into_response())
}

struct FollowUpRow {
    id: String,
    /// "How are you feeling after Saturday?"
    question: String,
    /// The answer in words, once given.
    answer: Option<String>,
    /// Partners from that session who can be told "could use some care": (id, name).
    partners: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "sessions/follow_ups.html")]
struct FollowUpsPage {
    ctx: Ctx,
    due: Vec<FollowUpRow>,
    upcoming: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    /// After 🟡 or 🔴: what helps the member when they drop, in their own words.
    what_helps: Option<Vec<String>>,
    /// Notes of appreciation received: (who, what).
    notes: Vec<(String, String)>,
}

async fn follow_ups_page(
    state: &AppState,
    ctx: Ctx,
    me: MemberId,
    what_helps: Option<Vec<String>>,
) -> Result<FollowUpsPage, AppError> {
    let now = state.clock.now();
    let all = state.store.follow_ups(me).await?;
    let mut due = Vec::new();
    let mut upcoming = Vec::new();
    for (id, due_at, follow_up) in all {
        let day = weekday(&ctx.i18n, follow_up.session_at);
        if due_at <= now {
            let mut partners = Vec::new();
            if follow_up.answer.is_none() {
                let ids = crate::api::sessions::follow_up_partners(state, me, &follow_up)
                    .await
                    .map_err(|_| AppError::internal("reading a follow-up's partners"))?;
                for partner in ids {
                    let name = state.store.member(partner).await?.name().to_owned();
                    partners.push((partner.to_string(), name));
                }
            }
            due.push(FollowUpRow {
                partners,
                id: id.to_string(),
                question: ctx.i18n.t_with("follow-up-question", &[("day", &day)]),
                answer: follow_up
                    .answer
                    .map(|a| ctx.t(&format!("follow-up-answered-{}", a.as_str()))),
            });
        } else {
            let hours = ctx
                .i18n
                .t_count("insights-hours-after", u32::from(follow_up.hours));
            upcoming.push((day, hours));
        }
    }
    due.reverse();
    let notes = crate::api::sessions::received_appreciations(state, me)
        .await
        .map_err(|_| AppError::internal("reading notes of appreciation"))?
        .iter()
        .map(|note| {
            if note.care_wanted() {
                let words = ctx.i18n.t_with("care-wanted", &[("name", note.name())]);
                (String::new(), words)
            } else {
                (note.name().to_owned(), note.text().to_owned())
            }
        })
        .collect();
    Ok(FollowUpsPage {
        notes,
        due,
        upcoming,
        levels: levels(&ctx.i18n),
        what_helps,
        ctx,
    })
}

pub async fn follow_ups_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let page = follow_ups_page(&state, ctx, me.member.id, None).await?;
    Ok(Html(page.render()?).into_response())
}

pub async fn follow_up_answer_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let me = me.member.id;
    let id = FollowUpId::parse(&id).ok_or(ErrorKind::NotFound)?;
    let answer = FollowUpAnswer::parse(field(&form, "answer")).ok_or(ErrorKind::BadRequest)?;
    let mood = field(&form, "mood").parse().ok().and_then(Mood::new);
    // Partners are told only when the member ticked them and answered 🟡 or 🔴.
    let notify: BTreeSet<MemberId> = if answer.is_drop() {
        fields(&form, "notify")
            .filter_map(MemberId::parse)
            .collect()
    } else {
        BTreeSet::new()
    };
    match crate::api::sessions::answer_follow_up(&state, me, id, answer, mood, &notify).await {
        Ok(_) => {}
        Err(ApiError::NotFound) => return Err(ErrorKind::NotFound.into()),
        // Answered already (another tab), or not come yet: the page shows how things stand.
        Err(ApiError::Conflict(_)) => {
            let page = follow_ups_page(&state, ctx, me, None).await?;
            return Ok(Html(page.render()?).into_response());
        }
        Err(_) => return Err(AppError::internal("answering a follow-up")),
    }
    let what_helps = if answer.is_drop() {
        let helps: Vec<String> = state
            .store
            .boundaries(me)
            .await?
            .into_iter()
            .filter(|b| b.boundary.kind == BoundaryKind::DropHelp)
            .map(|b| b.boundary.text)
            .collect();
        Some(helps)
    } else {
        None
    };
    let page = follow_ups_page(&state, ctx, me, what_helps).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "sessions/breathe.html")]
struct BreathePage {
    ctx: Ctx,
}

/// A breathing exercise: in for four, hold for four, out for six. Usable alone, any time.
pub async fn breathe_get(ctx: Ctx) -> Result<Response, AppError> {
    Ok(Html(BreathePage { ctx }.render()?).into_response())
}
