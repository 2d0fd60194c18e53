//! Server-sent events for pages and the API alike: a session followed live (signals with
//! their number as the event id, so a browser that reconnects with `Last-Event-ID` gets what
//! it missed; who has seen each; the session's changes) and the unseen count for the
//! notification badge, which on a page also says when the page's sign-in has ended.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use tend_app::accounts::SignedIn;
use tend_app::live::{Live, Moment};
use tend_app::notifications::Badge;
use tend_app::{App, CareSessionId, MemberId};

/// A `signal` event: a signal as it was sent.
#[derive(Serialize)]
struct SignalMessage {
    /// green, yellow, red, pause or check-in.
    signal: &'static str,
    /// Who sent it (member id) and their name; absent for Tend's own check-in prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// When it was sent (Unix seconds).
    at: i64,
    /// Sent while the session was being planned: practice only.
    practice: bool,
    /// plan, live, aftercare or closed.
    state: &'static str,
    #[serde(rename = "steps-done")]
    steps_done: Vec<u32>,
}

/// A `session` event: the session as it is now.
#[derive(Serialize)]
struct SessionMessage {
    /// plan, live, aftercare or closed.
    state: &'static str,
    #[serde(rename = "steps-done")]
    steps_done: Vec<u32>,
    /// Who stepped out of the live session (member ids).
    #[serde(rename = "stepped-out")]
    stepped_out: Vec<String>,
    /// Whose own aftercare is done.
    done: Vec<String>,
    /// Who said stop, and when (Unix seconds).
    #[serde(rename = "stopped-by", skip_serializing_if = "Option::is_none")]
    stopped_by: Option<String>,
    #[serde(rename = "stopped-at", skip_serializing_if = "Option::is_none")]
    stopped_at: Option<i64>,
}

/// A `seen` event: a partner's page has shown signal `seq`.
#[derive(Serialize)]
struct SeenMessage {
    seq: i64,
    by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

fn ids(members: &[MemberId]) -> Vec<String> {
    members.iter().map(ToString::to_string).collect()
}

fn event(live: Live) -> Option<Event> {
    match live {
        Live::Signal {
            seq,
            signal,
            from,
            name,
            at,
            practice,
            state,
            steps_done,
        } => {
            let message = SignalMessage {
                signal: signal.as_str(),
                from: from.map(|m| m.to_string()),
                name,
                at: at.unix_seconds(),
                practice,
                state: state.as_str(),
                steps_done,
            };
            Event::default()
                .event("signal")
                .id(seq.to_string())
                .json_data(&message)
                .ok()
        }
        Live::Session(Moment {
            state,
            steps_done,
            stepped_out,
            done,
            stopped,
        }) => {
            let message = SessionMessage {
                state: state.as_str(),
                steps_done,
                stepped_out: ids(&stepped_out),
                done: ids(&done),
                stopped_by: stopped.map(|(by, _)| by.to_string()),
                stopped_at: stopped.map(|(_, at)| at.unix_seconds()),
            };
            Event::default().event("session").json_data(&message).ok()
        }
        Live::Seen { seq, by, name } => {
            let message = SeenMessage {
                seq,
                by: by.to_string(),
                name,
            };
            Event::default().event("seen").json_data(&message).ok()
        }
    }
}

/// The number after which a reconnecting stream wants signals (`Last-Event-ID`), else 0.
pub fn last_event_id(headers: &HeaderMap) -> i64 {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Follows a session for `me` as server-sent events, from signal number `after`.
pub async fn session(
    app: App,
    me: MemberId,
    id: CareSessionId,
    after: i64,
) -> tend_app::Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let live = tend_app::live::follow(app, me, id, after).await?;
    let events = live.filter_map(|live| async move { event(live).map(Ok) });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// The member's unseen count as server-sent events carrying `{"unseen": n}`: once at the
/// start and at every change.
pub fn badge(app: App, me: MemberId) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let counts = tend_app::notifications::badge(app, me);
    let events = counts.filter_map(|unseen| async move { unseen_event(unseen).map(Ok) });
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// `badge` for a page of one sign-in: when the sign-in ends (sign out, lock now, Quick exit
/// in another tab, or it expired), a last `signed-out` event, and the stream ends.
pub fn page_badge(
    app: App,
    signed_in: &SignedIn,
) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
    let badges = tend_app::notifications::badge_while_signed_in(app, signed_in);
    let events = badges.filter_map(|badge| async move {
        match badge {
            Badge::Unseen(unseen) => unseen_event(unseen).map(Ok),
            Badge::SignedOut => Some(Ok(signed_out_event())),
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// The badge stream of a page whose sign-in has ended: one `signed-out` event, then the end.
/// (A page answers a refused stream by going to the sign-in page; a redirect or an error
/// status would look the same to it as a server that is restarting.)
pub fn signed_out() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(futures_util::stream::iter([Ok(signed_out_event())]))
}

fn unseen_event(unseen: u32) -> Option<Event> {
    Event::default()
        .json_data(serde_json::json!({ "unseen": unseen }))
        .ok()
}

fn signed_out_event() -> Event {
    // A long retry: a browser that does not follow the event waits an hour to ask again.
    Event::default()
        .event("signed-out")
        .data("{}")
        .retry(Duration::from_secs(60 * 60))
}
