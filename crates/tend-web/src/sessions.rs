//! Session rules the pages and the API share: start one, let a participant act on it (saved
//! without losing a change someone made at the same moment), and owe every participant their
//! follow-ups once aftercare begins.

use std::collections::BTreeSet;

use tend_core::Timestamp;
use tend_core::profile::Variant;
use tend_core::routine::Routine;
use tend_core::session::{Event, Refusal, Session, follow_ups};
use tend_store::{
    CareSession, CareSessionId, CircleRecord, FollowUp, FollowUpId, JobKind, MemberId, StoreError,
    StoredCareSession,
};

use crate::error::AppError;
use crate::routines;
use crate::state::AppState;

/// Why a participant's action changed nothing.
#[derive(Debug)]
pub enum SessionError {
    /// Not a participant (or no such session): shown as 404.
    NotFound,
    /// Not something that can happen now (e.g. ready in a live session): message id.
    NotNow,
    Other(AppError),
}

impl From<AppError> for SessionError {
    fn from(error: AppError) -> Self {
        if error.kind() == crate::error::ErrorKind::NotFound {
            Self::NotFound
        } else {
            Self::Other(error)
        }
    }
}

impl From<StoreError> for SessionError {
    fn from(error: StoreError) -> Self {
        AppError::from(error).into()
    }
}

impl From<Refusal> for SessionError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotTakingPart => Self::NotFound,
            Refusal::NotNow => Self::NotNow,
        }
    }
}

/// What `me` asked for: the members taking part (all of the circle when empty), which kind
/// of session, and whether to start straight with aftercare.
pub struct NewSession {
    pub participants: BTreeSet<MemberId>,
    pub variant: Variant,
    pub aftercare_now: bool,
}

/// Starts a session in `circle`. `None` when a participant is not in the circle or `me`
/// would not take part (the caller says what to fix).
pub async fn start(
    state: &AppState,
    me: MemberId,
    circle: &CircleRecord,
    new: NewSession,
    now: Timestamp,
) -> Result<Option<StoredCareSession>, AppError> {
    let members = routines::members(circle);
    let participants = if new.participants.is_empty() {
        members.clone()
    } else {
        new.participants
    };
    if !participants.contains(&me) || !participants.is_subset(&members) {
        return Ok(None);
    }
    let (routine_version, _) = routines::current(state, me, circle, new.variant).await?;
    let session = if new.aftercare_now {
        Session::aftercare_now(participants, now)
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
    };
    let id = state
        .store
        .create_care_session(me, circle.id, &record, now)
        .await?;
    let stored = state.store.care_session(me, id).await?;
    if new.aftercare_now {
        after_aftercare(state, me, &stored).await?;
    }
    Ok(Some(stored))
}

/// The routine a session follows (the version it started with).
pub async fn routine_of(
    state: &AppState,
    me: MemberId,
    stored: &StoredCareSession,
) -> Result<Routine<MemberId>, AppError> {
    let circle = state.store.circle(me, stored.circle).await?;
    let history = routines::history(state, me, &circle).await?;
    Ok(history
        .into_iter()
        .find(|v| v.version == stored.record.routine_version)
        .map(|v| v.routine)
        .unwrap_or_else(|| Routine {
            steps: Vec::new(),
            settings: tend_core::routine::Settings {
                variant: stored.record.variant,
                ..Default::default()
            },
        }))
}

/// How many times an action is tried again when someone else changed the session first.
const ATTEMPTS: usize = 5;

/// Applies `change` to the session for `me` and saves it; tries again on a fresh copy when
/// another participant's change landed first, so nobody's action is lost. When the session
/// moves into aftercare, every participant's follow-ups are scheduled.
pub async fn act(
    state: &AppState,
    me: MemberId,
    id: CareSessionId,
    change: impl Fn(&mut CareSession) -> Result<(), Refusal>,
) -> Result<StoredCareSession, SessionError> {
    for _ in 0..ATTEMPTS {
        let mut stored = state.store.care_session(me, id).await?;
        let before = stored.record.session.aftercare_at;
        let was_live = stored.record.session.state == tend_core::session::State::Live;
        change(&mut stored.record)?;
        match state.store.update_care_session(me, &stored).await {
            Ok(()) => {
                stored.revision += 1;
                if stored.record.session.state == tend_core::session::State::Closed {
                    // Signals are deleted when a session closes: no record of intimate moments.
                    state.store.delete_signals(stored.id).await?;
                }
                state.bus.publish(stored.id);
                if !was_live && stored.record.session.state == tend_core::session::State::Live {
                    crate::live::schedule_check_in(state, me, &stored, state.clock.now())
                        .await
                        .map_err(|error| SessionError::Other(not_a_404(error)))?;
                }
                let began = before.is_none() && stored.record.session.aftercare_at.is_some();
                // Closing owes the follow-ups again: a no-op unless owing them failed before.
                let closed = stored.record.session.state == tend_core::session::State::Closed;
                if began || (closed && stored.record.session.aftercare_at.is_some()) {
                    after_aftercare(state, me, &stored)
                        .await
                        .map_err(|error| SessionError::Other(not_a_404(error)))?;
                }
                return Ok(stored);
            }
            Err(StoreError::Conflict) => {
                // Someone else's change landed first: a breath, then read it and try again.
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(SessionError::Other(AppError::internal(
        "a session kept changing under us",
    )))
}

/// Applies one state-machine event by `me`.
pub async fn apply(
    state: &AppState,
    me: MemberId,
    id: CareSessionId,
    event: impl Fn(MemberId) -> Event<MemberId>,
    now: Timestamp,
) -> Result<StoredCareSession, SessionError> {
    act(state, me, id, |record| {
        record.session = record.session.apply(&event(me), now)?;
        if record.session.state == tend_core::session::State::Closed {
            // Readiness was for this session only; a quiet ending keeps no trace of who.
            record.readiness.clear();
        }
        Ok(())
    })
    .await
}

/// The session has been saved: an error from here on is the server's, never "no such
/// session".
fn not_a_404(error: AppError) -> AppError {
    if error.kind() == crate::error::ErrorKind::NotFound {
        AppError::internal("after saving a session, something it needs was gone")
    } else {
        error
    }
}

/// Once a session reaches aftercare: every participant's follow-ups, and a look at the
/// circle's reviews (one may fall due after a number of sessions).
async fn after_aftercare(
    state: &AppState,
    me: MemberId,
    stored: &StoredCareSession,
) -> Result<(), AppError> {
    owe_follow_ups(state, me, stored).await?;
    routines::start_due_reviews(state, stored.circle, state.clock.now()).await?;
    Ok(())
}

/// The day of the week of `at`, in words ("Saturday"), to say which session is meant.
pub fn weekday(i18n: &crate::i18n::I18n, at: tend_core::Timestamp) -> String {
    let day = time::OffsetDateTime::from_unix_timestamp(at.unix_seconds())
        .map(|t| t.weekday().number_days_from_monday())
        .unwrap_or(0);
    i18n.t(&format!("weekday-{day}"))
}

/// The id of one participant's follow-up at one hour of one session: the same every time,
/// so owing follow-ups twice keeps one of each.
fn follow_up_id(session: CareSessionId, member: MemberId, hours: u16) -> FollowUpId {
    use sha2::Digest;
    let digest = sha2::Sha256::new()
        .chain_update(b"tend follow-up")
        .chain_update(session.as_uuid().as_bytes())
        .chain_update(member.as_uuid().as_bytes())
        .chain_update(hours.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    FollowUpId::from_uuid(uuid::Uuid::from_bytes(bytes))
}

/// Schedules the follow-ups of every participant, counted from the start of aftercare, at
/// the hours of the routine the session follows.
async fn owe_follow_ups(
    state: &AppState,
    me: MemberId,
    stored: &StoredCareSession,
) -> Result<(), AppError> {
    let Some(at) = stored.record.session.aftercare_at else {
        return Ok(());
    };
    let routine = routine_of(state, me, stored).await?;
    for participant in &stored.record.session.participants {
        for (hours, due_at) in follow_ups(at, &routine.settings.follow_up_hours) {
            let follow_up = FollowUp {
                session: stored.id,
                circle: stored.circle,
                hours,
                session_at: at,
                answer: None,
            };
            let id = follow_up_id(stored.id, *participant, hours);
            state
                .store
                .add_follow_up(*participant, id, &follow_up, due_at)
                .await?;
            // Delivered to the notification centre when it comes due, once.
            state
                .store
                .schedule_job(JobKind::FollowUp, id.as_uuid(), due_at)
                .await?;
        }
    }
    Ok(())
}
