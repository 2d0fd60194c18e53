//! A session: one encounter of some members of a circle. An optional *plan* (each person's
//! readiness check; anyone's "not today" ends it quietly), an optional *live* part (signals;
//! red stops it for everyone; stepping out stops it for one person, who goes to their own
//! aftercare), *aftercare* (always; "aftercare now" starts there), then *closed* once
//! everyone has said their own aftercare is done, or by itself a day after aftercare began.
//! Follow-ups in the drop window count from the start of each person's aftercare.
//!
//! The state machine is a pure function of the session and one event, so every event can be
//! tried in every state by the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Where a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Plan,
    Live,
    Aftercare,
    Closed,
}

impl State {
    pub const ALL: [State; 4] = [State::Plan, State::Live, State::Aftercare, State::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Plan => "plan",
            State::Live => "live",
            State::Aftercare => "aftercare",
            State::Closed => "closed",
        }
    }
}

/// A live message between participants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// All good, carry on.
    Green,
    /// Slow down, check on me.
    Yellow,
    /// Stop: the session moves to aftercare for everyone.
    Red,
    /// Hold still for a moment; nothing moves on.
    Pause,
    /// "How are you?": asks every other participant for green, yellow or red.
    CheckIn,
}

impl Signal {
    pub const ALL: [Signal; 5] = [
        Signal::Green,
        Signal::Yellow,
        Signal::Red,
        Signal::Pause,
        Signal::CheckIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Green => "green",
            Signal::Yellow => "yellow",
            Signal::Red => "red",
            Signal::Pause => "pause",
            Signal::CheckIn => "check-in",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// How a session came to be closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// Someone said "not today" or withdrew before it went live: nothing happened, so no
    /// follow-ups, and nobody is told who.
    Quietly,
    /// Closed after aftercare: everyone's was done, or a day had passed.
    AfterAftercare,
}

/// How long aftercare stays open when not everyone says theirs is done: a session closes by
/// itself this long after aftercare began.
pub const AFTERCARE_OPEN_FOR: Duration = Duration::from_secs(24 * 3600);

/// Who said stop (red), and when: every participant's page says so until aftercare ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stop<M> {
    pub by: M,
    pub at: Timestamp,
}

/// Something a participant does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<M> {
    /// "I'm in", after their readiness check.
    Ready(M),
    /// "Not today": ends a plan for everyone, no reason asked.
    NotToday(M),
    /// Stepping out, for me: ends a plan quietly; during a live session takes this person
    /// to their own aftercare while the others carry on (when fewer than two are left, the
    /// session moves to aftercare); in aftercare it is the same as "my aftercare is done".
    Withdraw(M),
    Signal(M, Signal),
    /// "Aftercare now": from a plan or a live session straight to aftercare.
    Aftercare(M),
    /// My aftercare is done; the others' goes on. The session closes when everyone's is.
    Close(M),
}

impl<M> Event<M> {
    pub fn member(&self) -> &M {
        match self {
            Event::Ready(m)
            | Event::NotToday(m)
            | Event::Withdraw(m)
            | Event::Signal(m, _)
            | Event::Aftercare(m)
            | Event::Close(m) => m,
        }
    }
}

/// Why an event changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not one of the session's participants.
    NotTakingPart,
    /// Not something that can happen in this state, e.g. a signal before the session is live.
    NotNow,
}

/// One session, as the state machine sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session<M: Ord> {
    pub state: State,
    pub participants: BTreeSet<M>,
    /// Participants who said they are in (during the plan).
    pub ready: BTreeSet<M>,
    /// Participants whose own aftercare is done. (Sessions saved before aftercare was each
    /// person's own called those who left it "withdrawn".)
    #[serde(alias = "withdrawn")]
    pub done: BTreeSet<M>,
    /// Participants who stepped out of the live session, and when: their own aftercare
    /// began then.
    #[serde(default)]
    pub stepped_out: BTreeMap<M, Timestamp>,
    /// Who said stop, once someone has.
    #[serde(default)]
    pub stopped: Option<Stop<M>>,
    /// Who moved everyone to aftercare ("aftercare now"), and when.
    #[serde(default)]
    pub aftercare_by: Option<Stop<M>>,
    /// When aftercare began for everyone: the follow-ups count from here (or from when a
    /// person stepped out).
    pub aftercare_at: Option<Timestamp>,
    pub ending: Option<Ending>,
}

impl<M: Ord + Clone> Session<M> {
    /// A planned session: everyone does a readiness check first.
    pub fn plan(participants: BTreeSet<M>) -> Self {
        Self {
            state: State::Plan,
            participants,
            ready: BTreeSet::new(),
            done: BTreeSet::new(),
            stepped_out: BTreeMap::new(),
            stopped: None,
            aftercare_by: None,
            aftercare_at: None,
            ending: None,
        }
    }

    /// "Aftercare now": a session that starts with aftercare, started by `by`.
    pub fn aftercare_now(participants: BTreeSet<M>, by: M, now: Timestamp) -> Self {
        Self {
            state: State::Aftercare,
            aftercare_at: Some(now),
            aftercare_by: Some(Stop { by, at: now }),
            ..Self::plan(participants)
        }
    }

    /// Participants still here: neither stepped out nor done with their aftercare.
    pub fn here(&self) -> impl Iterator<Item = &M> {
        self.participants
            .iter()
            .filter(|m| !self.stepped_out.contains_key(*m) && !self.done.contains(*m))
    }

    /// When `member`'s own aftercare began: when they stepped out, else when it began for
    /// everyone. Their follow-ups count from here.
    pub fn aftercare_began(&self, member: &M) -> Option<Timestamp> {
        self.stepped_out.get(member).copied().or(self.aftercare_at)
    }

    /// Whether `member` is in aftercare now (everyone's, or their own after stepping out)
    /// and has not said it is done.
    pub fn in_aftercare(&self, member: &M) -> bool {
        let begun = match self.state {
            State::Aftercare => true,
            State::Live => self.stepped_out.contains_key(member),
            State::Plan | State::Closed => false,
        };
        begun && self.participants.contains(member) && !self.done.contains(member)
    }

    /// The session once a day has passed since aftercare began: closed, with no one's
    /// aftercare left open. `None` while it is not yet time (or not in aftercare).
    pub fn expire(&self, now: Timestamp) -> Option<Self> {
        let began = self.aftercare_at?;
        let due = self.state == State::Aftercare && began.after(AFTERCARE_OPEN_FOR) <= now;
        due.then(|| self.clone().closed(Ending::AfterAftercare))
    }

    fn into_aftercare(mut self, now: Timestamp) -> Self {
        self.state = State::Aftercare;
        self.aftercare_at = Some(now);
        self
    }

    fn closed(mut self, ending: Ending) -> Self {
        self.state = State::Closed;
        self.ending = Some(ending);
        self
    }

    /// `member`'s own aftercare is done; the session closes once everyone's is.
    fn done_for(mut self, member: &M) -> Self {
        self.done.insert(member.clone());
        if self.state == State::Aftercare && self.participants.is_subset(&self.done) {
            return self.closed(Ending::AfterAftercare);
        }
        self
    }

    /// The session after `event` at `now`, or why the event changes nothing.
    pub fn apply(&self, event: &Event<M>, now: Timestamp) -> Result<Self, Refusal> {
        let member = event.member();
        if !self.participants.contains(member) {
            return Err(Refusal::NotTakingPart);
        }
        if self.done.contains(member) {
            // Their aftercare is done: there is nothing left for them to do here.
            return Err(Refusal::NotNow);
        }
        let out = self.stepped_out.contains_key(member);
        let next = self.clone();
        match (self.state, event) {
            // Someone who stepped out of a live session is in their own aftercare: the only
            // thing left to them is saying it is done.
            (State::Live, Event::Close(m)) if out => Ok(next.done_for(m)),
            (State::Live, _) if out => Err(Refusal::NotNow),
            (State::Plan, Event::Ready(m)) => {
                let mut next = next;
                next.ready.insert(m.clone());
                if next.here().all(|p| next.ready.contains(p)) {
                    next.state = State::Live;
                }
                Ok(next)
            }
            (State::Plan, Event::NotToday(_) | Event::Withdraw(_)) => {
                // Nobody is told who: who had said "I'm in" is forgotten too.
                let mut next = next;
                next.ready.clear();
                Ok(next.closed(Ending::Quietly))
            }
            (State::Live, Event::Signal(m, Signal::Red)) => {
                let mut next = next;
                next.stopped = Some(Stop {
                    by: m.clone(),
                    at: now,
                });
                Ok(next.into_aftercare(now))
            }
            (State::Live, Event::Withdraw(m)) => {
                let mut next = next;
                next.stepped_out.insert(m.clone(), now);
                // Nobody left to carry on with: aftercare for whoever is still here.
                Ok(if next.here().nth(1).is_none() {
                    next.into_aftercare(now)
                } else {
                    next
                })
            }
            (State::Live, Event::Signal(..)) => Ok(next),
            (State::Plan | State::Live, Event::Aftercare(m)) => {
                let mut next = next;
                next.aftercare_by = Some(Stop {
                    by: m.clone(),
                    at: now,
                });
                Ok(next.into_aftercare(now))
            }
            (State::Aftercare, Event::Withdraw(m) | Event::Close(m)) => Ok(next.done_for(m)),
            _ => Err(Refusal::NotNow),
        }
    }
}

/// A participant's readiness check before a planned session. Partners see it in the brief,
/// so "off-limits today" tightens limits for this session only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Readiness {
    /// 1 (very low) to 5 (full of energy).
    pub energy: crate::insights::Mood,
    pub mood: crate::insights::Mood,
    pub sober: bool,
    /// Anything off-limits today, in the member's words (empty for nothing).
    #[serde(default)]
    pub off_limits_today: String,
}

/// The longest "off-limits today" note, in characters.
pub const OFF_LIMITS_MAX: usize = 500;

/// How a participant is, answering a follow-up in the drop window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUpAnswer {
    /// 🟢 I'm fine.
    Fine,
    /// 🟡 I could use some contact.
    Contact,
    /// 🔴 I need support.
    Support,
}

impl FollowUpAnswer {
    pub const ALL: [FollowUpAnswer; 3] = [Self::Fine, Self::Contact, Self::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fine => "fine",
            Self::Contact => "contact",
            Self::Support => "support",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }

    /// Whether the answer counts as drop in the member's insights.
    pub fn is_drop(self) -> bool {
        self != Self::Fine
    }
}

/// The follow-ups of a session whose aftercare began at `aftercare_at`: (hours after, when),
/// earliest first, once per distinct hour. Every participant gets each of them.
pub fn follow_ups(aftercare_at: Timestamp, hours: &[u16]) -> Vec<(u16, Timestamp)> {
    hours
        .iter()
        .copied()
        .collect::<BTreeSet<u16>>()
        .into_iter()
        .map(|h| {
            let after = Duration::from_secs(u64::from(h) * 3600);
            (h, aftercare_at.after(after))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: Timestamp = Timestamp::from_unix_seconds(1_800_000_000);
    const LATER: Timestamp = Timestamp::from_unix_seconds(1_800_000_600);

    fn people(members: &[u8]) -> BTreeSet<u8> {
        members.iter().copied().collect()
    }

    /// A session of sam (1), alex (2) and kim (3) in `state`, with sam already ready in a
    /// plan and kim done with their aftercare.
    fn in_state(state: State) -> Session<u8> {
        let mut session = Session::plan(people(&[1, 2, 3]));
        session.state = state;
        match state {
            State::Plan => {
                session.ready.insert(1);
            }
            State::Live => {}
            State::Aftercare => {
                session.aftercare_at = Some(NOW);
                session.done.insert(3);
            }
            State::Closed => {
                session.aftercare_at = Some(NOW);
                session.ending = Some(Ending::AfterAftercare);
            }
        }
        session
    }

    fn every_event(member: u8) -> Vec<Event<u8>> {
        let mut events = vec![
            Event::Ready(member),
            Event::NotToday(member),
            Event::Withdraw(member),
            Event::Aftercare(member),
            Event::Close(member),
        ];
        events.extend(Signal::ALL.map(|s| Event::Signal(member, s)));
        events
    }

    /// What each event does in each state, written as a table from the issue's words rather
    /// than from `apply`: (state after, ending) or the refusal. Alex (2) acts.
    fn expected(state: State, event: &Event<u8>) -> Result<(State, Option<Ending>), Refusal> {
        use State::*;
        match (state, event) {
            (Plan, Event::Ready(_)) => Ok((Plan, None)), // kim is not ready yet
            (Plan, Event::NotToday(_) | Event::Withdraw(_)) => Ok((Closed, Some(Ending::Quietly))),
            (Plan, Event::Aftercare(_)) => Ok((Aftercare, None)),
            (Live, Event::Signal(_, Signal::Red) | Event::Aftercare(_)) => Ok((Aftercare, None)),
            // Alex steps out for themself; sam and kim carry on.
            (Live, Event::Withdraw(_) | Event::Signal(..)) => Ok((Live, None)),
            // Alex's aftercare is done; sam's goes on.
            (Aftercare, Event::Withdraw(_) | Event::Close(_)) => Ok((Aftercare, None)),
            _ => Err(Refusal::NotNow),
        }
    }

    #[test]
    fn every_event_in_every_state_does_what_the_table_says() {
        for state in State::ALL {
            for event in every_event(2) {
                let got = in_state(state)
                    .apply(&event, LATER)
                    .map(|s| (s.state, s.ending));
                assert_eq!(got, expected(state, &event), "{state:?} + {event:?}");
            }
        }
    }

    #[test]
    fn outsiders_and_those_whose_aftercare_is_done_change_nothing() {
        for state in State::ALL {
            for event in every_event(9) {
                assert_eq!(
                    in_state(state).apply(&event, LATER),
                    Err(Refusal::NotTakingPart)
                );
            }
        }
        for event in every_event(3) {
            assert_eq!(
                in_state(State::Aftercare).apply(&event, LATER),
                Err(Refusal::NotNow),
                "kim's aftercare is done"
            );
        }
    }

    #[test]
    fn a_plan_goes_live_when_everyone_present_is_ready() {
        let session = Session::plan(people(&[1, 2]));
        let one = session.apply(&Event::Ready(1), NOW).unwrap();
        assert_eq!(one.state, State::Plan);
        let both = one.apply(&Event::Ready(2), NOW).unwrap();
        assert_eq!(both.state, State::Live);
        assert_eq!(both.aftercare_at, None);
    }

    #[test]
    fn red_moves_everyone_to_aftercare_and_follow_ups_count_from_then() {
        let live = in_state(State::Live);
        let stopped = live.apply(&Event::Signal(1, Signal::Red), LATER).unwrap();
        assert_eq!(stopped.state, State::Aftercare);
        assert_eq!(stopped.aftercare_at, Some(LATER));
        assert_eq!(stopped.stopped, Some(Stop { by: 1, at: LATER }));
        assert_eq!(stopped.here().count(), 3, "everyone gets aftercare");
        let closed = [2, 1, 3]
            .into_iter()
            .fold(stopped, |s, m| s.apply(&Event::Close(m), LATER).unwrap());
        assert_eq!(closed.ending, Some(Ending::AfterAftercare));
        assert_eq!(closed.aftercare_at, Some(LATER), "closing keeps the time");
        assert_eq!(closed.stopped, Some(Stop { by: 1, at: LATER }));
    }

    #[test]
    fn each_persons_aftercare_is_their_own_and_the_last_one_done_closes() {
        let stopped = in_state(State::Live)
            .apply(&Event::Signal(1, Signal::Red), NOW)
            .unwrap();
        let one = stopped.apply(&Event::Close(2), LATER).unwrap();
        assert_eq!(
            one.state,
            State::Aftercare,
            "sam said stop and is still in aftercare"
        );
        assert!(one.in_aftercare(&1) && !one.in_aftercare(&2));
        assert_eq!(one.apply(&Event::Close(2), LATER), Err(Refusal::NotNow));
        let two = one.apply(&Event::Close(1), LATER).unwrap();
        assert_eq!(two.state, State::Aftercare, "kim is still in aftercare");
        let all = two.apply(&Event::Close(3), LATER).unwrap();
        assert_eq!(all.state, State::Closed);
    }

    #[test]
    fn stepping_out_of_a_live_session_is_for_me_and_the_others_carry_on() {
        let out = in_state(State::Live)
            .apply(&Event::Withdraw(3), NOW)
            .unwrap();
        assert_eq!(out.state, State::Live);
        assert_eq!(out.here().copied().collect::<Vec<_>>(), [1, 2]);
        assert!(out.in_aftercare(&3), "kim is in their own aftercare");
        assert_eq!(out.aftercare_began(&3), Some(NOW));
        assert_eq!(out.stopped, None, "stepping out is not a stop for everyone");
        for event in [Event::Signal(3, Signal::Red), Event::Aftercare(3)] {
            assert_eq!(out.apply(&event, LATER), Err(Refusal::NotNow));
        }
        let kim_done = out.apply(&Event::Close(3), LATER).unwrap();
        assert_eq!(kim_done.state, State::Live);
        assert!(!kim_done.in_aftercare(&3));
        // Then sam says stop: aftercare for sam and alex, which kim's follow-ups ignore.
        let stopped = kim_done
            .apply(&Event::Signal(1, Signal::Red), LATER)
            .unwrap();
        assert_eq!(stopped.aftercare_began(&1), Some(LATER));
        assert_eq!(stopped.aftercare_began(&3), Some(NOW));
        let closed = [1, 2]
            .into_iter()
            .fold(stopped, |s, m| s.apply(&Event::Close(m), LATER).unwrap());
        assert_eq!(closed.state, State::Closed);
    }

    #[test]
    fn aftercare_now_names_who_started_it_and_is_not_a_stop() {
        let started = in_state(State::Live)
            .apply(&Event::Aftercare(2), LATER)
            .unwrap();
        assert_eq!(started.aftercare_by, Some(Stop { by: 2, at: LATER }));
        assert_eq!(started.stopped, None);
        let now = Session::aftercare_now(people(&[1, 2]), 1, NOW);
        assert_eq!(now.aftercare_by, Some(Stop { by: 1, at: NOW }));
    }

    #[test]
    fn when_one_of_two_steps_out_the_other_goes_to_aftercare_too() {
        let mut live = Session::plan(people(&[1, 2]));
        live.state = State::Live;
        let out = live.apply(&Event::Withdraw(2), NOW).unwrap();
        assert_eq!(out.state, State::Aftercare);
        assert!(out.in_aftercare(&1) && out.in_aftercare(&2));
        assert_eq!(out.stopped, None);
    }

    #[test]
    fn aftercare_closes_by_itself_a_day_after_it_began() {
        let aftercare = Session::aftercare_now(people(&[1, 2]), 1, NOW);
        let almost = NOW.after(AFTERCARE_OPEN_FOR - Duration::from_secs(1));
        assert_eq!(aftercare.expire(almost), None);
        let closed = aftercare.expire(NOW.after(AFTERCARE_OPEN_FOR)).unwrap();
        assert_eq!(closed.state, State::Closed);
        assert_eq!(closed.ending, Some(Ending::AfterAftercare));
        assert_eq!(
            in_state(State::Live).expire(NOW.after(AFTERCARE_OPEN_FOR * 2)),
            None
        );
    }

    #[test]
    fn sessions_saved_before_aftercare_was_each_persons_own_still_open() {
        let old = r#"{"state":"aftercare","participants":[1,2],"ready":[],"withdrawn":[2],
            "aftercare_at":1800000000,"ending":null}"#;
        let session: Session<u8> = serde_json::from_str(old).unwrap();
        assert_eq!(
            session.done,
            people(&[2]),
            "who left aftercare is done with it"
        );
        assert!(session.stepped_out.is_empty() && session.stopped.is_none());
    }

    #[test]
    fn aftercare_closes_when_the_last_person_steps_out() {
        let session = Session::aftercare_now(people(&[1, 2]), 1, NOW);
        let one = session.apply(&Event::Withdraw(1), NOW).unwrap();
        assert_eq!(one.state, State::Aftercare);
        let none = one.apply(&Event::Withdraw(2), NOW).unwrap();
        assert_eq!(none.state, State::Closed);
        assert_eq!(none.ending, Some(Ending::AfterAftercare));
    }

    #[test]
    fn follow_ups_come_at_each_distinct_hour_in_order() {
        let at = follow_ups(NOW, &[48, 12, 24, 12, 72]);
        let hours: Vec<u16> = at.iter().map(|(h, _)| *h).collect();
        assert_eq!(hours, [12, 24, 48, 72]);
        assert_eq!(
            at[0].1,
            Timestamp::from_unix_seconds(1_800_000_000 + 12 * 3600)
        );
        assert!(follow_ups(NOW, &[]).is_empty());
    }

    fn any_event() -> impl Strategy<Value = Event<u8>> {
        (1u8..=4, 0usize..10).prop_map(|(m, i)| every_event(m).swap_remove(i))
    }

    proptest! {
        /// Whatever happens: closed is final, aftercare never goes back, and follow-ups are
        /// owed exactly when aftercare happened.
        #[test]
        fn sessions_only_move_forward(
            start_with_aftercare in any::<bool>(),
            events in proptest::collection::vec(any_event(), 0..30),
        ) {
            let participants = people(&[1, 2, 3]);
            let mut session = if start_with_aftercare {
                Session::aftercare_now(participants, 1, NOW)
            } else {
                Session::plan(participants)
            };
            let rank = |s: State| State::ALL.iter().position(|x| *x == s).unwrap_or(0);
            for event in &events {
                if let Ok(next) = session.apply(event, LATER) {
                    prop_assert!(rank(next.state) >= rank(session.state), "{session:?} -> {next:?}");
                    prop_assert!(next.ready.is_subset(&next.participants));
                    prop_assert!(next.done.is_subset(&next.participants));
                    prop_assert!(next.stepped_out.keys().all(|m| next.participants.contains(m)));
                    prop_assert!(session.stopped.is_none() || next.stopped == session.stopped,
                        "who said stop is never forgotten or changed");
                    session = next;
                }
            }
            if session.state == State::Closed {
                let owed = session.aftercare_at.is_some();
                prop_assert_eq!(owed, session.ending == Some(Ending::AfterAftercare));
                if session.ending == Some(Ending::Quietly) {
                    prop_assert!(session.ready.is_empty(), "a quiet ending keeps no trace of who");
                }
            }
            if session.state == State::Aftercare {
                prop_assert!(session.aftercare_at.is_some());
            }
            if session.state == State::Live {
                prop_assert!(session.here().nth(1).is_some(), "live takes two");
            }
        }
    }
}
