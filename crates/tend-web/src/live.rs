//! The live part of a session: a participant's signal is stored before anyone is told of it,
//! and each open page or app follows the session over server-sent events. A stream that
//! reconnects with `Last-Event-ID` gets every signal it missed; a red is never dropped.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde::Serialize;
use tend_core::session::{Event, Signal, State as SessionState};
use tend_store::{CareSessionId, MemberId, SignalRecord, StoredCareSession};
use tokio::sync::broadcast;

use crate::error::AppError;
use crate::sessions::{self, SessionError};
use crate::state::AppState;

/// Sends `signal` from `me`: kept first, then every stream is nudged. Red also stops a
/// live session for everyone (aftercare). During the plan, signals are practice (rehearsal):
/// partners see them, and nothing else happens.
pub async fn send(
    state: &AppState,
    me: MemberId,
    id: CareSessionId,
    signal: Signal,
) -> Result<(i64, StoredCareSession), SessionError> {
    let stored = state.store.care_session(me, id).await?;
    let practice = stored.record.session.state == SessionState::Plan;
    if !practice && stored.record.session.state != SessionState::Live {
        return Err(SessionError::NotNow);
    }
    let seq = state
        .store
        .add_signal(
            me,
            &stored,
            &SignalRecord {
                signal,
                from: Some(me),
            },
        )
        .await?;
    state.bus.publish(id);
    if practice || signal != Signal::Red {
        return Ok((seq, stored));
    }
    let now = state.clock.now();
    match sessions::apply(state, me, id, |m| Event::Signal(m, Signal::Red), now).await {
        Ok(stopped) => Ok((seq, stopped)),
        // A partner's red (or "aftercare now") moved it on first: the red still stands.
        Err(SessionError::NotNow) => Ok((seq, state.store.care_session(me, id).await?)),
        Err(error) => Err(error),
    }
}

/// One message of the stream: a signal (with its number as the event id) or the session's
/// new state.
#[derive(Serialize)]
struct Message {
    /// green, yellow, red, pause or check-in; absent for a change of state.
    #[serde(skip_serializing_if = "Option::is_none")]
    signal: Option<&'static str>,
    /// Who sent it (member id) and their name; absent for Tend's own check-in prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// plan, live, aftercare or closed. A signal sent during the plan is practice.
    state: &'static str,
    #[serde(rename = "steps-done")]
    steps_done: Vec<u32>,
}

/// The number after which a reconnecting stream wants signals (`Last-Event-ID`), else 0.
pub fn last_event_id(headers: &HeaderMap) -> i64 {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

struct Follow {
    state: AppState,
    me: MemberId,
    id: CareSessionId,
    names: std::collections::HashMap<MemberId, String>,
    after: i64,
    /// What the stream last said of the session, to tell only changes.
    said: Option<(SessionState, Vec<u32>)>,
    nudges: broadcast::Receiver<()>,
    pending: VecDeque<SseEvent>,
    done: bool,
}

impl Follow {
    /// Reads what is new since the last look into `pending`; false when the member may no
    /// longer see the session.
    async fn look(&mut self) -> bool {
        let Ok(stored) = self.state.store.care_session(self.me, self.id).await else {
            return false;
        };
        let now = (
            stored.record.session.state,
            stored.record.steps_done.iter().copied().collect::<Vec<_>>(),
        );
        let Ok(signals) = self
            .state
            .store
            .signals_after(self.me, &stored, self.after)
            .await
        else {
            return false;
        };
        for (seq, record) in signals {
            self.after = seq;
            let message = Message {
                signal: Some(record.signal.as_str()),
                from: record.from.map(|m| m.to_string()),
                name: record.from.and_then(|m| self.names.get(&m).cloned()),
                state: now.0.as_str(),
                steps_done: now.1.clone(),
            };
            if let Ok(event) = SseEvent::default()
                .event("signal")
                .id(seq.to_string())
                .json_data(&message)
            {
                self.pending.push_back(event);
            }
        }
        if self.said.as_ref() != Some(&now) {
            let message = Message {
                signal: None,
                from: None,
                name: None,
                state: now.0.as_str(),
                steps_done: now.1.clone(),
            };
            if let Ok(event) = SseEvent::default().event("session").json_data(&message) {
                self.pending.push_back(event);
            }
            self.done = now.0 == SessionState::Closed;
            self.said = Some(now);
        }
        true
    }
}

/// Follows a session for `me`: every signal after `after`, then each change as it comes.
pub async fn stream(
    state: AppState,
    me: MemberId,
    id: CareSessionId,
    after: i64,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    let stored = state.store.care_session(me, id).await?;
    let circle = state.store.circle(me, stored.circle).await?;
    let names = circle
        .members
        .iter()
        .map(|m| (m.member.id, m.member.name().to_owned()))
        .collect();
    // Subscribe before the first look, so nothing sent in between is missed.
    let nudges = state.bus.subscribe(id);
    let follow = Follow {
        state,
        me,
        id,
        names,
        after,
        said: None,
        nudges,
        pending: VecDeque::new(),
        done: false,
    };
    let events = futures_util::stream::unfold(Some(follow), |follow| async move {
        let mut follow = follow?;
        loop {
            if let Some(event) = follow.pending.pop_front() {
                return Some((Ok(event), Some(follow)));
            }
            if follow.done || !follow.look().await {
                return None;
            }
            if follow.pending.is_empty() {
                // Nudged, lagged or woken by the timeout: look again either way.
                let waited =
                    tokio::time::timeout(Duration::from_secs(30), follow.nudges.recv()).await;
                if let Ok(Err(broadcast::error::RecvError::Closed)) = waited {
                    follow.nudges = follow.state.bus.subscribe(follow.id);
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// Schedules the next check-in prompt of a live session, at the routine's cadence (none
/// when the routine asks for none).
pub async fn schedule_check_in(
    state: &AppState,
    me: MemberId,
    stored: &StoredCareSession,
    now: tend_core::Timestamp,
) -> Result<(), AppError> {
    let routine = sessions::routine_of(state, me, stored).await?;
    if let Some(minutes) = routine.settings.check_in_minutes.filter(|m| *m > 0) {
        let at = now.after(Duration::from_secs(u64::from(minutes) * 60));
        state
            .store
            .schedule_job(tend_store::JobKind::CheckIn, stored.id.as_uuid(), at)
            .await?;
    }
    Ok(())
}

/// The check-in job: while the session is live, asks everyone "How are you?" (answered with
/// the same buttons) and schedules the next; once it is not live, nothing more.
pub async fn check_in(
    state: &AppState,
    id: CareSessionId,
    now: tend_core::Timestamp,
) -> Result<(), AppError> {
    let participant = match state.store.session_participant(id).await {
        Ok(participant) => participant,
        // Gone, or nobody left in it: nothing to ask.
        Err(tend_store::StoreError::NotFound) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    let stored = state.store.care_session(participant, id).await?;
    if stored.record.session.state != SessionState::Live {
        return Ok(());
    }
    let prompt = SignalRecord {
        signal: Signal::CheckIn,
        from: None,
    };
    state
        .store
        .add_signal(participant, &stored, &prompt)
        .await?;
    state.bus.publish(id);
    schedule_check_in(state, participant, &stored, now).await
}
