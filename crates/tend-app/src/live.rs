//! The live part of a session: a participant's signal is stored before anyone is told of it,
//! and each open page or app follows the session as a stream of what happens. A follower
//! that comes back after signal `n` gets every signal it missed; a red is never dropped.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use futures_util::Stream;
use tend_core::session::{Event, Signal, State};
use tend_store::{CareSessionId, MemberId, SignalRecord, StoredCareSession};
use tokio::sync::broadcast;

use crate::app::App;
use crate::error::{Error, Result, msg};
use crate::sessions;

/// Sends `signal` from `me`: kept first, then every follower is nudged; returns its number
/// and the session after it. Red also stops a live session for everyone (aftercare). During
/// the plan, signals are practice (rehearsal): partners see them, and nothing else happens.
pub async fn send(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    signal: Signal,
) -> Result<(i64, StoredCareSession)> {
    let stored = app.store.care_session(me, id).await?;
    let practice = stored.record.session.state == State::Plan;
    if !practice && stored.record.session.state != State::Live {
        return Err(Error::NotNow(msg("session-not-now")));
    }
    let record = SignalRecord {
        signal,
        from: Some(me),
    };
    let seq = app.store.add_signal(me, &stored, &record).await?;
    app.bus.publish(id);
    if practice || signal != Signal::Red {
        return Ok((seq, stored));
    }
    match sessions::apply(app, me, id, &Event::Signal(me, Signal::Red)).await {
        Ok(stopped) => Ok((seq, stopped)),
        // A partner's red (or "aftercare now") moved it on first: the red still stands.
        Err(Error::NotNow(_)) => Ok((seq, app.store.care_session(me, id).await?)),
        Err(error) => Err(error),
    }
}

/// What a follower is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Live {
    /// A signal, with its number in the session; `from` and `name` are absent for Tend's own
    /// check-in prompt. A signal sent during the plan is practice.
    Signal {
        seq: i64,
        signal: Signal,
        from: Option<MemberId>,
        name: Option<String>,
        state: State,
        steps_done: Vec<u32>,
    },
    /// The session's state or its ticked steps changed.
    Session { state: State, steps_done: Vec<u32> },
}

struct Follow {
    app: App,
    me: MemberId,
    id: CareSessionId,
    names: HashMap<MemberId, String>,
    after: i64,
    /// What the stream last said of the session, to tell only changes.
    said: Option<(State, Vec<u32>)>,
    nudges: broadcast::Receiver<()>,
    pending: VecDeque<Live>,
    done: bool,
}

impl Follow {
    /// Reads what is new since the last look into `pending`; false when the member may no
    /// longer see the session.
    async fn look(&mut self) -> bool {
        let Ok(stored) = self.app.store.care_session(self.me, self.id).await else {
            return false;
        };
        let now = (
            stored.record.session.state,
            stored.record.steps_done.iter().copied().collect::<Vec<_>>(),
        );
        let Ok(signals) = self
            .app
            .store
            .signals_after(self.me, &stored, self.after)
            .await
        else {
            return false;
        };
        for (seq, record) in signals {
            self.after = seq;
            self.pending.push_back(Live::Signal {
                seq,
                signal: record.signal,
                from: record.from,
                name: record.from.and_then(|m| self.names.get(&m).cloned()),
                state: now.0,
                steps_done: now.1.clone(),
            });
        }
        if self.said.as_ref() != Some(&now) {
            self.pending.push_back(Live::Session {
                state: now.0,
                steps_done: now.1.clone(),
            });
            self.done = now.0 == State::Closed;
            self.said = Some(now);
        }
        true
    }
}

/// Follows a session for `me`: every signal after number `after`, then each change as it
/// comes. The stream ends once the session has closed (or `me` may no longer see it).
pub async fn follow(
    app: App,
    me: MemberId,
    id: CareSessionId,
    after: i64,
) -> Result<impl Stream<Item = Live> + Send + 'static> {
    let stored = app.store.care_session(me, id).await?;
    let circle = app.store.circle(me, stored.circle).await?;
    let names = circle
        .members
        .iter()
        .map(|m| (m.member.id, m.member.name().to_owned()))
        .collect();
    // Subscribe before the first look, so nothing sent in between is missed.
    let nudges = app.bus.subscribe(id);
    let follow = Follow {
        app,
        me,
        id,
        names,
        after,
        said: None,
        nudges,
        pending: VecDeque::new(),
        done: false,
    };
    Ok(futures_util::stream::unfold(
        Some(follow),
        |follow| async move {
            let mut follow = follow?;
            loop {
                if let Some(event) = follow.pending.pop_front() {
                    return Some((event, Some(follow)));
                }
                if follow.done || !follow.look().await {
                    return None;
                }
                if follow.pending.is_empty() {
                    // Nudged, lagged or woken by the timeout: look again either way.
                    let waited =
                        tokio::time::timeout(Duration::from_secs(30), follow.nudges.recv()).await;
                    if let Ok(Err(broadcast::error::RecvError::Closed)) = waited {
                        follow.nudges = follow.app.bus.subscribe(follow.id);
                    }
                }
            }
        },
    ))
}
