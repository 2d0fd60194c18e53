//! Sessions in the browser: start one from the circle page ("plan a session" or "aftercare
//! now"), the readiness check and brief, aftercare with the routine per person and ticks, the
//! private reflection, the follow-ups of the drop window, and a breathing exercise.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tend_app::follow_ups::{self, AnswerInput};
use tend_app::live::LatestSignal;
use tend_app::notes::{self, NoteKind};
use tend_app::reflections::{self, ReflectionInput};
use tend_app::sessions::{self, Action, NewSession, ReadinessInput, SessionView};
use tend_app::{CareSessionId, CircleId, FollowUpId, MemberId, StoredCareSession};
use tend_core::insights::{Entry, Feeling, Mood};
use tend_core::profile::Variant;
use tend_core::routine::Routine;
use tend_core::session::{FollowUpAnswer, Signal, State as SessionState};

use super::ctx::{Ctx, FormErrors, MemberCtx};
use super::words::{
    boundary_words, names, names_and, per_person, settings_words, step_what, variant_words,
};
use crate::csrf::CsrfForm;
use crate::error::{AppError, ErrorKind};
use crate::i18n::I18n;
use crate::state::AppState;
use crate::words::{Zone, clock, weekday_in};

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
    done: tend_app::Result<StoredCareSession>,
    to: impl FnOnce(&StoredCareSession) -> String,
) -> Result<Response, AppError> {
    match done {
        Ok(stored) => Ok(Redirect::to(&to(&stored)).into_response()),
        Err(tend_app::Error::NotNow(_)) => {
            Ok(Redirect::to(&format!("{}?notice=moved-on", session_url(id))).into_response())
        }
        Err(error) => Err(error.into()),
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

/// Starts a session from the circle page: the people ticked, the kind, and whether to plan
/// it or go straight to aftercare.
pub async fn start_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let circle = CircleId::parse(&id).ok_or(ErrorKind::NotFound)?;
    let participants: Option<BTreeSet<MemberId>> =
        fields(&form, "participant").map(MemberId::parse).collect();
    let participants = participants.ok_or(ErrorKind::BadRequest)?;
    let with_you =
        || Redirect::to(&format!("/circles/{circle}?notice=session-with-you")).into_response();
    if participants.is_empty() {
        // The member may not be in this circle: starting checks that before saying anything.
        tend_app::circles::circle(&state.app, me.member.id, circle).await?;
        return Ok(with_you());
    }
    let new = NewSession {
        participants,
        variant: Variant::parse(field(&form, "variant")).unwrap_or(Variant::AfterSex),
        aftercare_now: field(&form, "start") == "aftercare",
    };
    match sessions::start(&state.app, me.member.id, circle, new).await {
        Ok(stored) => Ok(Redirect::to(&session_url(stored.id)).into_response()),
        // Only someone else ticked: a session always includes the one who starts it.
        Err(tend_app::Error::Invalid(_)) => Ok(with_you()),
        Err(error) => Err(error.into()),
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
    /// While live or in aftercare: here, stepped out, or done with their aftercare.
    status: String,
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

/// One person's latest signal, as every page shows it.
struct SignalRow {
    seq: i64,
    /// The sender's member id, so the script can replace the row.
    from: String,
    /// "You", or the partner's name.
    name: String,
    /// green, yellow, red, pause or check-in: the row's shape and colour.
    signal: &'static str,
    words: String,
    /// When, on the member's clock: "22:31".
    time: String,
    /// For the member's own signal: "Sent", then who has seen it.
    status: String,
    mine: bool,
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
    /// What to say where there are no steps to show.
    no_steps: String,
    per_person: Vec<(String, String)>,
    /// My readiness form, as typed (or as saved).
    energy: String,
    mood: String,
    sober: String,
    off_limits: String,
    i_am_ready: bool,
    /// In aftercare and not done with it, so its buttons are the member's to press.
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
    /// Tend's own check-in prompt, when it is the latest signal.
    latest: String,
    /// Each person's latest signal (practice ones while planning).
    signal_rows: Vec<SignalRow>,
    /// "Sam said stop ("pineapple") at 22:31.", from red until aftercare ends.
    stop_banner: Option<String>,
    /// "Bea started aftercare for everyone at 22:31.", while in aftercare without a stop.
    started_banner: Option<String>,
    /// "Cass stepped out at 22:31. Check in with Cass when you can.", for each other who did.
    stepped_out: Vec<String>,
    /// The member stepped out of the live session and is in their own aftercare.
    own_aftercare: bool,
    /// The steps for the member (or for everyone), for their own aftercare.
    my_steps: Vec<String>,
    /// The member's own aftercare is done.
    i_am_done: bool,
    /// The member can send live signals (or practise them while planning).
    i_can_signal: bool,
    /// What the page shows now, so the script reloads only when it changes.
    key: String,
    /// "Sent" and "Sent · seen by {names}", for the script.
    sent_words: String,
    seen_template: String,
    /// "{words} (practice)", for the script.
    practice_template: String,
    you: String,
    /// Each signal's words, for the page's script to say new ones.
    signal_words: Vec<(&'static str, String)>,
    /// "{name}: {words}" in the member's language, for the script to fill in.
    from_template: String,
    /// Tend's own check-in prompt, for the script.
    prompt: String,
    /// Where the page's stream starts: after the last signal the page already shows.
    stream_url: String,
    me: String,
    levels: Vec<(String, String)>,
    errors: FormErrors,
}

/// What a session page shows of the session, as the script computes it from a `session`
/// event: when it differs, the page reloads.
fn page_key(moment: &tend_app::live::Moment) -> String {
    let ids = |members: &[MemberId]| {
        members
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let steps: Vec<String> = moment.steps_done.iter().map(ToString::to_string).collect();
    format!(
        "{}|{}|{}|{}",
        moment.state.as_str(),
        steps.join(","),
        ids(&moment.stepped_out),
        ids(&moment.done)
    )
}

fn signal_row(
    i18n: &I18n,
    zone: &Zone,
    names: &std::collections::HashMap<MemberId, String>,
    me: MemberId,
    you: &str,
    latest: &LatestSignal,
) -> SignalRow {
    let mine = latest.from == me;
    let status = if !mine {
        String::new()
    } else if latest.seen_by.is_empty() {
        i18n.t("signal-sent")
    } else {
        let seen: Vec<&str> = latest
            .seen_by
            .iter()
            .filter_map(|m| names.get(m).map(String::as_str))
            .collect();
        i18n.t_with("signal-seen-by", &[("names", &names_and(i18n, &seen))])
    };
    let mut words = i18n.t(&format!("signal-{}", latest.signal.as_str()));
    if latest.practice {
        words = i18n.t_with("signal-practice", &[("words", &words)]);
    }
    SignalRow {
        seq: latest.seq,
        from: latest.from.to_string(),
        name: if mine {
            you.to_owned()
        } else {
            names.get(&latest.from).cloned().unwrap_or_default()
        },
        signal: latest.signal.as_str(),
        words,
        time: clock(zone, latest.at),
        status,
        mine,
    }
}

/// The routine's steps for `me` or for everyone, in words: someone's own aftercare.
fn steps_for(i18n: &I18n, routine: &Routine<MemberId>, me: MemberId) -> Vec<String> {
    routine
        .steps
        .iter()
        .filter(|s| s.for_members.is_empty() || s.for_members.contains(&me))
        .map(|s| step_what(i18n, s))
        .collect()
}

fn levels(i18n: &I18n) -> Vec<(String, String)> {
    (Mood::LOWEST..=Mood::HIGHEST)
        .map(|m| (m.to_string(), i18n.t(&format!("insights-mood-{m}"))))
        .collect()
}

fn session_page(
    ctx: Ctx,
    me: MemberId,
    view: &SessionView,
    typed: Option<&Fields>,
    errors: FormErrors,
    notice: Option<String>,
) -> SessionPage {
    let stored = &view.stored;
    let circle = &view.circle;
    let routine = &view.routine;
    let names = names(circle);
    let record = &stored.record;
    let i18n = &ctx.i18n;
    let session = &record.session;
    let state = session.state;
    let people = session
        .participants
        .iter()
        .map(|m| {
            let readiness = record.readiness.get(m);
            let status = match state {
                SessionState::Plan | SessionState::Closed => "",
                _ if session.done.contains(m) => "session-person-done",
                _ if session.stepped_out.contains_key(m) => "session-person-stepped-out",
                _ => "session-person-here",
            };
            ReadinessRow {
                name: names.get(m).cloned().unwrap_or_default(),
                status: if status.is_empty() {
                    String::new()
                } else {
                    i18n.t(status)
                },
                ready: session.ready.contains(m),
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
    let since_last = view.since_last.as_ref().map(|last| SinceLast {
        day: weekday_in(i18n, &ctx.zone, last.at),
        changed_from: last.changed_from,
        new_boundaries: last
            .new_boundaries
            .iter()
            .map(|(partner, boundary)| {
                let name = names.get(partner).cloned().unwrap_or_default();
                let (kind, detail) = boundary_words(i18n, boundary);
                (name, kind, detail)
            })
            .collect(),
    });
    let signal_words: Vec<(&'static str, String)> = Signal::ALL
        .into_iter()
        .map(|signal| {
            (
                signal.as_str(),
                i18n.t(&format!("signal-{}", signal.as_str())),
            )
        })
        .collect();
    let signals = &view.signals;
    let last_seq = signals.last().map_or(0, |(seq, _)| *seq);
    // Tend's check-in prompt stands until someone signals after it.
    let latest = match signals.last() {
        Some((_, s)) if s.from.is_none() => i18n.t("signal-prompt"),
        _ => String::new(),
    };
    let name_of = |m: &MemberId| names.get(m).cloned().unwrap_or_default();
    let stop_banner = session
        .stopped
        .as_ref()
        .filter(|_| state == SessionState::Aftercare)
        .map(|stop| {
            let args = [
                ("name", name_of(&stop.by)),
                ("word", routine.settings.stop_word.clone()),
                ("time", clock(&ctx.zone, stop.at)),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let id = if stop.by == me {
                "session-stop-banner-you"
            } else {
                "session-stop-banner"
            };
            i18n.t_with(id, &args)
        });
    // "Aftercare now" from someone: not a stop, but everyone is told who and when.
    let started_banner = session
        .aftercare_by
        .as_ref()
        .filter(|_| state == SessionState::Aftercare && session.stopped.is_none())
        .map(|started| {
            let time = clock(&ctx.zone, started.at);
            if started.by == me {
                i18n.t_with("session-started-aftercare-you", &[("time", &time)])
            } else {
                let name = name_of(&started.by);
                i18n.t_with(
                    "session-started-aftercare",
                    &[("name", &name), ("time", &time)],
                )
            }
        });
    let stepped_out = match state {
        SessionState::Live | SessionState::Aftercare => session
            .stepped_out
            .iter()
            .filter(|(m, _)| **m != me)
            .map(|(m, at)| {
                let (name, time) = (name_of(m), clock(&ctx.zone, *at));
                i18n.t_with(
                    "session-stepped-out-note",
                    &[("name", &name), ("time", &time)],
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let own_aftercare = state == SessionState::Live && session.in_aftercare(&me);
    let you = i18n.t("signal-you");
    let signal_rows = view
        .latest
        .iter()
        .map(|latest| signal_row(i18n, &ctx.zone, &names, me, &you, latest))
        .collect();
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
    SessionPage {
        id: stored.id.to_string(),
        circle_id: circle.id.to_string(),
        circle_name: circle.name.as_str().to_owned(),
        state: state.as_str(),
        state_words: if state == SessionState::Live && session.in_aftercare(&me) {
            i18n.t("session-state-own-aftercare")
        } else {
            i18n.t(&format!("session-state-{}", state.as_str()))
        },
        variant: variant_words(i18n, record.variant),
        people,
        settings: settings_words(i18n, routine).into_iter().take(4).collect(),
        steps: routine
            .steps
            .iter()
            .map(|s| StepRow {
                id: s.id.0,
                words: step_what(i18n, s),
                done: record.steps_done.contains(&s.id.0),
            })
            .collect(),
        // A routine agreed, but no step to show: the steps name partners who have not yet
        // confirmed what they share with this member.
        no_steps: i18n.t(if record.routine_version > 0 {
            "session-steps-not-yet"
        } else {
            "session-no-routine"
        }),
        per_person: per_person(i18n, circle, routine),
        energy: typed_or("energy", mine.map(|r| r.energy.value().to_string())),
        mood: typed_or("mood", mine.map(|r| r.mood.value().to_string())),
        sober: typed_or(
            "sober",
            mine.map(|r| if r.sober { "yes" } else { "no" }.to_owned()),
        ),
        off_limits: typed_or("off-limits-today", mine.map(|r| r.off_limits_today.clone())),
        i_am_ready: session.ready.contains(&me),
        i_am_present: state == SessionState::Aftercare && session.in_aftercare(&me),
        has_aftercare: session.aftercare_began(&me).is_some(),
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
        signal_rows,
        stop_banner,
        started_banner,
        stepped_out,
        own_aftercare,
        my_steps: if own_aftercare {
            steps_for(i18n, routine, me)
        } else {
            Vec::new()
        },
        i_am_done: session.done.contains(&me),
        i_can_signal: match state {
            SessionState::Plan => true,
            SessionState::Live => session.here().any(|m| *m == me),
            _ => false,
        },
        key: page_key(&tend_app::live::Moment::of(stored)),
        sent_words: i18n.t("signal-sent"),
        seen_template: i18n.t_with("signal-seen-by", &[("names", "{names}")]),
        practice_template: i18n.t_with("signal-practice", &[("words", "{words}")]),
        you,
        signal_words,
        from_template: i18n.t_with("signal-from", &[("name", "{name}"), ("words", "{words}")]),
        prompt: i18n.t("signal-prompt"),
        stream_url: format!("{}/stream?after={last_seq}", session_url(stored.id)),
        me: me.to_string(),
        levels: levels(i18n),
        errors,
        ctx,
    }
}

pub async fn session_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let mut view = sessions::view(&state.app, me.member.id, session_id(&id)?).await?;
    // This page shows partners' latest signals: their senders are told it has.
    tend_app::live::seen_on_page(&state.app, me.member.id, &view.stored, &mut view.latest).await?;
    let notice = match query.notice.as_str() {
        "moved-on" => Some(ctx.t("session-moved-on")),
        "note-sent" => Some(ctx.t("appreciation-sent")),
        _ => None,
    };
    let no_errors = FormErrors::default();
    let page = session_page(ctx, me.member.id, &view, None, no_errors, notice);
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
    let input = ReadinessInput {
        // Numbers that do not parse become 0, which is refused with the question's words.
        energy: field(&form, "energy").trim().parse().unwrap_or(0),
        mood: field(&form, "mood").trim().parse().unwrap_or(0),
        sober: match field(&form, "sober") {
            "" => None,
            answer => Some(answer == "yes"),
        },
        off_limits_today: field(&form, "off-limits-today").to_owned(),
        ready: field(&form, "go") == "ready",
    };
    match sessions::set_readiness(&state.app, me, id, &input).await {
        Err(tend_app::Error::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, &problems);
            let view = sessions::view(&state.app, me, id).await?;
            let page = session_page(ctx, me, &view, Some(&form), errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        done => after_action(id, done, |stored| session_url(stored.id)),
    }
}

async fn event_post(
    state: &AppState,
    me: MemberId,
    id: &str,
    action: Action,
    to: impl FnOnce(&StoredCareSession) -> String,
) -> Result<Response, AppError> {
    let id = session_id(id)?;
    let done = sessions::act(&state.app, me, id, action).await;
    after_action(id, done, to)
}

/// "Not today": the plan ends quietly for everyone, and the member goes back to the circle.
pub async fn not_today_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    event_post(&state, me.member.id, &id, Action::NotToday, |stored| {
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
    // To the member's own aftercare (or, from a plan, the circle: it has ended quietly).
    event_post(
        &state,
        me.member.id,
        &id,
        Action::Withdraw,
        |stored| match stored.record.session.state {
            SessionState::Closed => format!("/circles/{}?notice=not-today", stored.circle),
            _ => session_url(stored.id),
        },
    )
    .await
}

pub async fn aftercare_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    event_post(&state, me.member.id, &id, Action::Aftercare, |stored| {
        session_url(stored.id)
    })
    .await
}

/// The member's aftercare is done (the others' goes on): on to their own reflection.
pub async fn close_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    event_post(&state, me.member.id, &id, Action::Close, |stored| {
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
    let done = sessions::tick(&state.app, me.member.id, id, n).await;
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
    let sent =
        notes::appreciate(&state.app, me, id, field(&form, "to"), field(&form, "text")).await;
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("{}?notice=note-sent", session_url(id))).into_response()),
        Err(tend_app::Error::NotNow(_)) => {
            Ok(Redirect::to(&format!("{}?notice=moved-on", session_url(id))).into_response())
        }
        Err(tend_app::Error::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, &problems);
            let view = sessions::view(&state.app, me, id).await?;
            let page = session_page(ctx, me, &view, Some(&form), errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(error.into()),
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
    let done = tend_app::live::send(&state.app, me.member.id, id, signal)
        .await
        .map(|(_, stored)| stored);
    after_action(id, done, |stored| session_url(stored.id))
}

/// The page's script has shown a partner's signal: its sender is told "seen".
pub async fn seen_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path((id, seq)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, AppError> {
    let id = session_id(&id)?;
    tend_app::live::seen(&state.app, me.member.id, id, seq).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
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
    let after = crate::streams::last_event_id(&headers).max(query.after);
    Ok(
        crate::streams::session(state.app.clone(), me.member.id, id, after)
            .await?
            .into_response(),
    )
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
    let stored = sessions::session(&state.app, me, id).await?;
    Ok(match stored.record.session.aftercare_began(&me) {
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
    let energy = field(&form, "energy").trim();
    let input = ReflectionInput {
        // Numbers that do not parse become 0, which is refused; an empty energy is left out.
        mood: field(&form, "mood").trim().parse().unwrap_or(0),
        energy: (!energy.is_empty()).then(|| energy.parse().unwrap_or(0)),
        feelings: fields(&form, "feeling").map(str::to_owned).collect(),
        felt_good: field(&form, "felt-good").to_owned(),
        to_change: field(&form, "to-change").to_owned(),
        safeword_used: field(&form, "safeword-used").to_owned(),
        drop: field(&form, "drop") == "yes",
        shared: fields(&form, "share").map(str::to_owned).collect(),
    };
    let saved = match reflections::reflect(&state.app, me, id, &input).await {
        Ok(saved) => saved,
        Err(tend_app::Error::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, &problems);
            let page = reflection_page(ctx, &stored, &form, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
        Err(tend_app::Error::NotNow(_)) => {
            return Ok(Redirect::to(&session_url(id)).into_response());
        }
        Err(error) => return Err(error.into()),
    };
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

/// A follow-up still to come, said in the member's time zone.
struct UpcomingRow {
    /// "Thursday 10:00"
    when: String,
    /// "in 2 days"
    from_now: String,
    /// "12 hours after"
    hours: String,
}

#[derive(Template)]
#[template(path = "sessions/follow_ups.html")]
struct FollowUpsPage {
    ctx: Ctx,
    due: Vec<FollowUpRow>,
    upcoming: Vec<UpcomingRow>,
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
    let mut due = Vec::new();
    let mut upcoming = Vec::new();
    let now = state.app.clock.now();
    for view in follow_ups::list_with_partners(&state.app, me).await? {
        let follow_up = &view.follow_up;
        let day = crate::words::weekday_in(&ctx.i18n, &ctx.zone, follow_up.session_at);
        if view.due {
            due.push(FollowUpRow {
                partners: view
                    .partners
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone()))
                    .collect(),
                id: view.id.to_string(),
                question: ctx.i18n.t_with("follow-up-question", &[("day", &day)]),
                answer: follow_up
                    .answer
                    .map(|a| ctx.t(&format!("follow-up-answered-{}", a.as_str()))),
            });
        } else {
            // Each at its own day and time, as the member's clocks will show it.
            upcoming.push(UpcomingRow {
                when: crate::words::day_and_clock(&ctx.i18n, &ctx.zone, view.due_at),
                from_now: crate::words::from_now(&ctx.i18n, now, view.due_at),
                hours: ctx
                    .i18n
                    .t_count("insights-hours-after", u32::from(follow_up.hours)),
            });
        }
    }
    due.reverse();
    let notes = notes::received(&state.app, me)
        .await?
        .into_iter()
        .map(|note| match note.kind {
            NoteKind::CareWanted => {
                let words = ctx.i18n.t_with("care-wanted", &[("name", &note.name)]);
                (String::new(), words)
            }
            NoteKind::Appreciation(text) => (note.name, text),
            NoteKind::SharedReflection(shared) => (
                note.name,
                crate::words::shared_reflection(&ctx.i18n, &shared),
            ),
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
    let input = AnswerInput {
        answer,
        mood,
        notify,
    };
    let what_helps = match follow_ups::answer(&state.app, me, id, &input).await {
        Ok(answered) => answered.what_helps,
        // Answered already (another tab), or not come yet: the page shows how things stand.
        Err(tend_app::Error::NotNow(_)) => None,
        Err(error) => return Err(error.into()),
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
