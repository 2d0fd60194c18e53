//! Sessions: start one (a plan with readiness checks, or aftercare now), let a participant
//! act on it — saved without losing a change someone made at the same moment — and, once
//! aftercare begins, owe everyone their follow-ups. A session is known only to its
//! participants: anyone else gets `NotFound`.

use std::collections::BTreeSet;

use tend_core::Timestamp;
use tend_core::boundaries::Boundary;
use tend_core::insights::Mood;
use tend_core::profile::Variant;
use tend_core::routine::{Routine, StepId};
use tend_core::session::{
    AFTERCARE_OPEN_FOR, Event, OFF_LIMITS_MAX, Readiness, Refusal, Session, State,
};
use tend_store::{
    CareSession, CareSessionId, CircleId, CircleRecord, JobKind, MemberId, Notification,
    SignalRecord, StoreError, StoredCareSession,
};

use crate::app::App;
use crate::check_ins;
use crate::circles;
use crate::error::{Error, Problem, Result, msg};
use crate::follow_ups;
use crate::notifications;
use crate::routine;
use crate::signals::{self, LatestSignal};

/// What `me` asks for: the members taking part (all of the circle when empty), which kind
/// of session, and whether to start straight with aftercare.
pub struct NewSession {
    pub participants: BTreeSet<MemberId>,
    pub variant: Variant,
    pub aftercare_now: bool,
}

/// Starts a session in the circle. Everyone taking part must be in the circle, `me` among
/// them.
pub async fn start(
    app: &App,
    me: MemberId,
    circle: CircleId,
    new: NewSession,
) -> Result<StoredCareSession> {
    let circle = app.store.circle(me, circle).await?;
    let members = circles::members(&circle);
    let participants = if new.participants.is_empty() {
        members.clone()
    } else {
        new.participants
    };
    if !participants.contains(&me) || !participants.is_subset(&members) {
        return Err(Error::invalid("participants", msg("session-participants")));
    }
    let (routine_version, _) = routine::current(app, me, &circle, new.variant).await?;
    let now = app.clock.now();
    let session = if new.aftercare_now {
        Session::aftercare_now(participants, me, now)
    } else {
        Session::plan(participants)
    };
    let record = CareSession {
        session,
        variant: new.variant,
        routine_version,
        readiness: Default::default(),
        steps_done: BTreeSet::new(),
        started_at: now.unix_seconds(),
        started_by: Some(me),
    };
    let id = app
        .store
        .create_care_session(me, circle.id, &record, now)
        .await?;
    let stored = app.store.care_session(me, id).await?;
    if new.aftercare_now {
        after_aftercare(app, me, &stored).await?;
    }
    // Everyone else is told: asked to check in when they are ready, or that aftercare began.
    let (circle, session, from) = (circle.id, id, me);
    let told = if new.aftercare_now {
        Notification::AftercareStarted {
            circle,
            session,
            from,
        }
    } else {
        Notification::SessionPlanned {
            circle,
            session,
            from,
        }
    };
    let session = &stored.record.session;
    for partner in session.participants.iter().filter(|m| **m != me) {
        notifications::notify_now(app, *partner, &told).await?;
    }
    Ok(stored)
}

/// A session that waits for the member: a plan to check in to, or aftercare of theirs that
/// is open.
pub struct Waiting {
    pub circle: CircleId,
    pub circle_name: String,
    pub session: CareSessionId,
    /// Aftercare is open for the member (else: a plan waits for their check-in).
    pub aftercare: bool,
    /// Who started it (when known, and still in the circle): their name.
    pub by: Option<String>,
    /// The member started it themself.
    pub yours: bool,
}

impl Waiting {
    /// The session, when it is being planned and `me` has not said they are in yet, or when
    /// `me` is in aftercare in it.
    pub fn for_member(
        circle: &CircleRecord,
        stored: &StoredCareSession,
        me: MemberId,
    ) -> Option<Self> {
        let session = &stored.record.session;
        let plan = session.state == State::Plan && !session.ready.contains(&me);
        let aftercare = session.in_aftercare(&me);
        if !plan && !aftercare {
            return None;
        }
        let started = if aftercare {
            session.aftercare_by.as_ref().map(|s| s.by)
        } else {
            stored.record.started_by
        };
        let by = started.filter(|m| *m != me);
        Some(Self {
            aftercare,
            yours: started == Some(me),
            circle: circle.id,
            circle_name: circle.name.as_str().to_owned(),
            session: stored.id,
            by: circle
                .members
                .iter()
                .find(|m| Some(m.member.id) == by)
                .map(|m| m.member.name().to_owned()),
        })
    }
}

/// Sessions of the member's circles that wait for them (a plan to check in to, their
/// aftercare), oldest first: for the notice on the home page.
pub async fn waiting_for_me(app: &App, me: MemberId) -> Result<Vec<Waiting>> {
    let mut waiting = Vec::new();
    for summary in app.store.circles(me).await? {
        let open = app.store.open_care_sessions(me, summary.id).await?;
        if open.is_empty() {
            continue;
        }
        let circle = app.store.circle(me, summary.id).await?;
        waiting.extend(
            open.iter()
                .filter_map(|s| Waiting::for_member(&circle, s, me)),
        );
    }
    Ok(waiting)
}

/// The circle's sessions `me` takes part in that have not closed, oldest first.
pub async fn open(app: &App, me: MemberId, circle: CircleId) -> Result<Vec<StoredCareSession>> {
    Ok(app.store.open_care_sessions(me, circle).await?)
}

/// A session `me` takes part in.
pub async fn session(app: &App, me: MemberId, id: CareSessionId) -> Result<StoredCareSession> {
    Ok(app.store.care_session(me, id).await?)
}

/// What changed since the circle's last session of the same kind, for the brief before a
/// session: when that was, the routine version it followed when this one follows another,
/// and the boundaries the other participants shared with the circle that are new or changed
/// since then.
pub struct SinceLast {
    pub at: Timestamp,
    pub changed_from: Option<u32>,
    pub new_boundaries: Vec<(MemberId, Boundary)>,
}

/// A session as its page shows it to a participant.
pub struct SessionView {
    pub stored: StoredCareSession,
    pub circle: CircleRecord,
    /// The routine it follows.
    pub routine: Routine<MemberId>,
    /// The brief, while it is being planned.
    pub since_last: Option<SinceLast>,
    /// Its signals so far (while planned, live or in aftercare), oldest first, with their
    /// numbers: practice ones only while planned.
    pub signals: Vec<(i64, SignalRecord)>,
    /// Each person's latest signal, and who has seen it.
    pub latest: Vec<LatestSignal>,
}

pub async fn view(app: &App, me: MemberId, id: CareSessionId) -> Result<SessionView> {
    let stored = app.store.care_session(me, id).await?;
    let circle = app.store.circle(me, stored.circle).await?;
    let routine = routine::of_session(app, me, &stored).await?;
    let record = &stored.record;
    let since_last = if record.session.state == State::Plan {
        since_last(app, me, &circle, &stored).await?
    } else {
        None
    };
    let (signals, latest) = signals::signals(app, me, &stored).await?;
    Ok(SessionView {
        stored,
        circle,
        routine,
        since_last,
        signals,
        latest,
    })
}

async fn since_last(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    stored: &StoredCareSession,
) -> Result<Option<SinceLast>> {
    let record = &stored.record;
    let past = app.store.sessions_with_aftercare(me, circle.id).await?;
    // Only sessions the member took part in: when others met is theirs to know.
    let Some(last) = past
        .iter()
        .rev()
        .find(|p| p.took_part && p.variant == record.variant)
    else {
        return Ok(None);
    };
    // Partners' boundaries only as the reveal rules give them: none before the reveal,
    // and only the entries shared with this circle.
    let ground = circles::view(app, me, circle, record.variant).await?;
    let mut new_boundaries = Vec::new();
    for (partner, entries) in circles::shared_boundaries(&ground) {
        if !record.session.participants.contains(&partner) {
            continue;
        }
        for entry in entries
            .into_iter()
            .filter(|e| e.updated_at > last.aftercare_at)
        {
            new_boundaries.push((partner, entry.boundary));
        }
    }
    Ok(Some(SinceLast {
        at: last.aftercare_at,
        changed_from: (last.routine_version != record.routine_version && last.routine_version > 0)
            .then_some(last.routine_version),
        new_boundaries,
    }))
}

/// A participant's readiness check during a plan, as sent.
#[derive(Clone, Debug, Default)]
pub struct ReadinessInput {
    /// 1 (very low) to 5 (full of energy).
    pub energy: u8,
    /// 1 (very low) to 5 (very good).
    pub mood: u8,
    /// Nobody is taken as sober by default: `None` is not an answer.
    pub sober: Option<bool>,
    /// Anything off-limits today, in their words.
    pub off_limits_today: String,
    /// "I'm in": the session goes live once everyone taking part is.
    pub ready: bool,
}

impl ReadinessInput {
    fn check(&self) -> Result<Readiness> {
        let mut problems = Vec::new();
        let energy = Mood::new(self.energy);
        if energy.is_none() {
            problems.push(Problem::new("energy", msg("readiness-energy")));
        }
        let mood = Mood::new(self.mood);
        if mood.is_none() {
            problems.push(Problem::new("mood", msg("readiness-mood")));
        }
        let off_limits = self.off_limits_today.trim();
        if off_limits.chars().count() > OFF_LIMITS_MAX {
            problems.push(Problem::new(
                "off-limits-today",
                msg("readiness-off-limits"),
            ));
        }
        if self.sober.is_none() {
            problems.push(Problem::new("sober", msg("readiness-sober")));
        }
        match (energy, mood, self.sober) {
            (Some(energy), Some(mood), Some(sober)) if problems.is_empty() => Ok(Readiness {
                energy,
                mood,
                sober,
                off_limits_today: off_limits.to_owned(),
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }
}

/// Saves `me`'s readiness check; with `ready` the session goes live once everyone taking
/// part is in.
pub async fn set_readiness(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    input: &ReadinessInput,
) -> Result<StoredCareSession> {
    let readiness = input.check()?;
    let now = app.clock.now();
    change(app, me, id, |record| {
        if record.session.state != State::Plan {
            return Err(Refusal::NotNow);
        }
        record.readiness.insert(me, readiness.clone());
        if input.ready {
            record.session = record.session.apply(&Event::Ready(me), now)?;
        }
        Ok(())
    })
    .await
}

/// What a participant can do to a session with a tap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Ends a plan quietly for everyone; no reason asked, nobody told who.
    NotToday,
    /// Steps out, for me: ends a plan quietly; from a live session, to my own aftercare
    /// while the others carry on.
    Withdraw,
    /// "Aftercare now", from a plan or a live session.
    Aftercare,
    /// My aftercare is done; the session closes once everyone's is.
    Close,
}

pub async fn act(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    action: Action,
) -> Result<StoredCareSession> {
    let event = match action {
        Action::NotToday => Event::NotToday(me),
        Action::Withdraw => Event::Withdraw(me),
        Action::Aftercare => Event::Aftercare(me),
        Action::Close => Event::Close(me),
    };
    apply(app, me, id, &event).await
}

/// Ticks step `n` of the routine during aftercare, for everyone to see.
pub async fn tick(app: &App, me: MemberId, id: CareSessionId, n: u32) -> Result<StoredCareSession> {
    let stored = app.store.care_session(me, id).await?;
    let routine = routine::of_session(app, me, &stored).await?;
    if routine.step(StepId(n)).is_none() {
        return Err(Error::NotFound);
    }
    change(app, me, id, |record| {
        if record.session.state != State::Aftercare || !record.session.in_aftercare(&me) {
            return Err(Refusal::NotNow);
        }
        record.steps_done.insert(n);
        Ok(())
    })
    .await
}

/// The close job: a day after aftercare began, a session nobody closed closes by itself
/// (its signals go with it). Anything else changes nothing.
pub(crate) async fn expire(app: &App, id: CareSessionId, now: Timestamp) -> Result<()> {
    let participant = match app.store.session_participant(id).await {
        Ok(participant) => participant,
        // Gone, or nobody is left in its circle: nothing to close.
        Err(StoreError::NotFound) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    let closed = change(app, participant, id, |record| {
        record.session = record.session.expire(now).ok_or(Refusal::NotNow)?;
        record.readiness.clear();
        Ok(())
    })
    .await;
    match closed {
        Ok(_) | Err(Error::NotNow(_)) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Applies one state-machine event by `me`.
pub(crate) async fn apply(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    event: &Event<MemberId>,
) -> Result<StoredCareSession> {
    let now = app.clock.now();
    change(app, me, id, |record| {
        record.session = record.session.apply(event, now)?;
        if record.session.state == State::Closed {
            // Readiness was for this session only; a quiet ending keeps no trace of who.
            record.readiness.clear();
        }
        Ok(())
    })
    .await
}

fn refused(refusal: Refusal) -> Error {
    match refusal {
        Refusal::NotTakingPart => Error::NotFound,
        Refusal::NotNow => Error::NotNow(msg("session-not-now")),
    }
}

/// Applies `change` to the session for `me` and saves it with the revision it read
/// (compare-and-swap); tries again on a fresh copy when another participant's change landed
/// first, so nobody's action is lost and none is refused for it. When the session moves into
/// aftercare, every participant's follow-ups are scheduled.
async fn change(
    app: &App,
    me: MemberId,
    id: CareSessionId,
    change: impl Fn(&mut CareSession) -> Result<(), Refusal>,
) -> Result<StoredCareSession> {
    let mut tried = 0;
    loop {
        let mut stored = app.store.care_session(me, id).await?;
        let before = in_aftercare_since(&stored.record.session);
        let was_live = stored.record.session.state == State::Live;
        let read = stored.record.clone();
        change(&mut stored.record).map_err(refused)?;
        if stored.record == read {
            // Already so (a step ticked twice, from two phones): nothing to save or tell.
            return Ok(stored);
        }
        match app.store.update_care_session(me, &stored).await {
            Ok(()) => {
                stored.revision += 1;
                after_change(app, me, &stored, before, was_live)
                    .await
                    .map_err(not_a_404)?;
                return Ok(stored);
            }
            Err(StoreError::Conflict) => {
                // Someone else's change landed first: read it and apply this one to it. Each
                // lost try means another change landed, so this one gets through too; the
                // pause grows and differs each time, so those that met spread out.
                tend_store::retry::wait(tried).await;
                tried += 1;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// How many participants' aftercare has begun (everyone's, or their own after stepping
/// out): when it grows, follow-ups are owed.
fn in_aftercare_since(session: &Session<MemberId>) -> usize {
    session
        .participants
        .iter()
        .filter(|m| session.aftercare_began(m).is_some())
        .count()
}

/// What follows a saved change: signals go when the session closes (and practice ones when
/// it goes live), open pages are told, a session going live gets its first check-in, and
/// whoever's aftercare began is owed their follow-ups.
async fn after_change(
    app: &App,
    me: MemberId,
    stored: &StoredCareSession,
    aftercare_before: usize,
    was_live: bool,
) -> Result<()> {
    let session = &stored.record.session;
    let state = session.state;
    // Signals are deleted when a session closes (no record of intimate moments), and
    // practice is over when it goes live.
    let went_live = !was_live && state == State::Live;
    if state == State::Closed || went_live {
        app.store.delete_signals(stored.id).await?;
    }
    app.bus.publish(stored.id);
    if went_live {
        check_ins::schedule(app, me, stored, app.clock.now()).await?;
    }
    let began = in_aftercare_since(session) > aftercare_before;
    // Closing owes the follow-ups again: a no-op unless owing them failed before.
    let closed = state == State::Closed && session.aftercare_at.is_some();
    if began || closed {
        after_aftercare(app, me, stored).await?;
    }
    Ok(())
}

/// The session has been saved: an error from here on is the server's, never "no such
/// session".
fn not_a_404(error: Error) -> Error {
    match error {
        Error::NotFound => Error::Internal("after saving a session, something it needs was gone"),
        other => other,
    }
}

/// Once someone's aftercare begins: their follow-ups; once the session reaches aftercare,
/// the job that closes it a day later if nobody has, and a look at the circle's reviews (one
/// may fall due after a number of sessions).
async fn after_aftercare(app: &App, me: MemberId, stored: &StoredCareSession) -> Result<()> {
    follow_ups::owe(app, me, stored).await?;
    if let Some(began) = stored.record.session.aftercare_at {
        if stored.record.session.state == State::Aftercare {
            let at = began.after(AFTERCARE_OPEN_FOR);
            app.store
                .schedule_job(JobKind::CloseSession, stored.id.as_uuid(), at)
                .await?;
        }
        routine::start_due_reviews(app, stored.circle, app.clock.now()).await?;
    }
    Ok(())
}
