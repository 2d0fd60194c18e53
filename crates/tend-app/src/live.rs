//! The live part of a session: a participant's signal is stored before anyone is told of it,
//! and each open page or app follows the session as a stream of what happens. A follower
//! that comes back after signal `n` gets every signal it missed; a red is never dropped.
//! A page that has shown a partner's signal says so, and the sender is told "seen".

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

use futures_util::Stream;
use tend_core::Timestamp;
use tend_core::session::{Event, Signal, State};
use tend_store::{CareSessionId, MemberId, SignalRecord, StoredCareSession};
use tokio::sync::broadcast;

use crate::app::App;
use crate::error::{Error, Result, msg};
use crate::sessions;
use crate::signals::shown_in;
pub use crate::signals::{LatestSignal, signals};

/// Sends `signal` from `me`: kept first, then every follower is nudged; returns its number
/// and the session after it. Red also stops a live session for everyone (aftercare). During
/// the plan, signals are practice (rehearsal): partners see them as practice, nothing else
/// happens, and they are gone once the session goes live. Someone who stepped out has no
/// live signals left to send.
pub async fn send(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    signal: Signal,
) -> Result<(i64, StoredCareSession)> {
    let stored = app.store.care_session(me, id).await?;
    let session = &stored.record.session;
    let practice = session.state == State::Plan;
    let live = session.state == State::Live && session.here().any(|m| *m == me);
    // A red at the same moment as a partner's (or just after it) is still said, and seen.
    let red_too = signal == Signal::Red
        && session.state == State::Aftercare
        && session.stopped.is_some()
        && session.in_aftercare(&me);
    if !practice && !live && !red_too {
        return Err(Error::NotNow(msg("session-not-now")));
    }
    let record = SignalRecord {
        signal,
        from: Some(me),
        at: app.clock.now().unix_seconds(),
        practice,
    };
    let seq = app.store.add_signal(me, &stored, &record).await?;
    app.bus.publish(id);
    if practice || red_too || signal != Signal::Red {
        return Ok((seq, stored));
    }
    match sessions::apply(app, me, id, &Event::Signal(me, Signal::Red)).await {
        Ok(stopped) => Ok((seq, stopped)),
        // A partner's red (or "aftercare now") moved it on first: the red still stands.
        Err(Error::NotNow(_)) => Ok((seq, app.store.care_session(me, id).await?)),
        Err(error) => Err(error),
    }
}

/// `me`'s page has shown signal `seq` of the session: its sender is told. Saying so again,
/// or of one's own signal, changes nothing. `NotFound` for a signal the session does not have.
pub async fn seen(app: &App, me: MemberId, id: CareSessionId, seq: i64) -> Result<()> {
    let stored = app.store.care_session(me, id).await?;
    let signal = app
        .store
        .signals_after(me, &stored, seq.saturating_sub(1))
        .await?
        .into_iter()
        .next()
        .filter(|(n, _)| *n == seq)
        .ok_or(Error::NotFound)?;
    if signal.1.from == Some(me) || signal.1.from.is_none() {
        return Ok(());
    }
    if !app.store.sightings(me, &stored).await?.contains(&(seq, me)) {
        app.store.add_sighting(me, &stored, seq).await?;
        app.bus.publish(id);
    }
    Ok(())
}

/// `me`'s page is showing `latest`: each partner's signal there not yet seen by `me` is,
/// now (so a page without a script tells the sender too).
pub async fn seen_on_page(
    app: &App,
    me: MemberId,
    stored: &StoredCareSession,
    latest: &mut [LatestSignal],
) -> Result<()> {
    let mut told = false;
    for signal in latest
        .iter_mut()
        .filter(|l| l.from != me && !l.seen_by.contains(&me))
    {
        app.store.add_sighting(me, stored, signal.seq).await?;
        signal.seen_by.insert(me);
        told = true;
    }
    if told {
        app.bus.publish(stored.id);
    }
    Ok(())
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
        at: Timestamp,
        practice: bool,
        state: State,
        steps_done: Vec<u32>,
    },
    /// The session changed: its state, its ticked steps, who stepped out, whose aftercare
    /// is done, who said stop.
    Session(Moment),
    /// A partner's page has shown signal `seq`.
    Seen {
        seq: i64,
        by: MemberId,
        name: Option<String>,
    },
}

/// The session as a follower is told of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    pub state: State,
    pub steps_done: Vec<u32>,
    pub stepped_out: Vec<MemberId>,
    pub done: Vec<MemberId>,
    pub stopped: Option<(MemberId, Timestamp)>,
}

impl Moment {
    pub fn of(stored: &StoredCareSession) -> Self {
        let session = &stored.record.session;
        Self {
            state: session.state,
            steps_done: stored.record.steps_done.iter().copied().collect(),
            stepped_out: session.stepped_out.keys().copied().collect(),
            done: session.done.iter().copied().collect(),
            stopped: session.stopped.as_ref().map(|s| (s.by, s.at)),
        }
    }
}

struct Follow {
    app: App,
    me: MemberId,
    id: CareSessionId,
    names: HashMap<MemberId, String>,
    after: i64,
    /// What the stream last said of the session, to tell only changes.
    said: Option<Moment>,
    /// The sightings already told.
    seen: BTreeSet<(i64, MemberId)>,
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
        let now = Moment::of(&stored);
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
            if !shown_in(now.state, &record) {
                continue;
            }
            self.pending.push_back(Live::Signal {
                seq,
                signal: record.signal,
                from: record.from,
                name: record.from.and_then(|m| self.names.get(&m).cloned()),
                at: Timestamp::from_unix_seconds(record.at),
                practice: record.practice,
                state: now.state,
                steps_done: now.steps_done.clone(),
            });
        }
        if now.state != State::Closed {
            let Ok(sightings) = self.app.store.sightings(self.me, &stored).await else {
                return false;
            };
            for (seq, by) in sightings.difference(&self.seen) {
                self.pending.push_back(Live::Seen {
                    seq: *seq,
                    by: *by,
                    name: self.names.get(by).cloned(),
                });
            }
            self.seen = sightings;
        }
        if self.said.as_ref() != Some(&now) {
            self.done = now.state == State::Closed;
            self.pending.push_back(Live::Session(now.clone()));
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
        seen: BTreeSet::new(),
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
