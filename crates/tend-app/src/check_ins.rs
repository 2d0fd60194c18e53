//! Check-in prompts while a session is live: at the routine's cadence, Tend asks everyone
//! "How are you?" (a signal of its own, answered with the same buttons). Each prompt is a
//! job that schedules the next, until the session is no longer live.

use std::time::Duration;

use tend_core::Timestamp;
use tend_core::session::{Signal, State};
use tend_store::{CareSessionId, JobKind, MemberId, SignalRecord, StoreError, StoredCareSession};

use crate::app::App;
use crate::error::Result;
use crate::routine;

/// Schedules the next check-in prompt of a live session, at the routine's cadence (none
/// when the routine asks for none).
pub(crate) async fn schedule(
    app: &App,
    me: MemberId,
    stored: &StoredCareSession,
    now: Timestamp,
) -> Result<()> {
    let routine = routine::of_session(app, me, stored).await?;
    if let Some(minutes) = routine.settings.check_in_minutes.filter(|m| *m > 0) {
        let at = now.after(Duration::from_secs(u64::from(minutes) * 60));
        app.store
            .schedule_job(JobKind::CheckIn, stored.id.as_uuid(), at)
            .await?;
    }
    Ok(())
}

/// The check-in job: while the session is live, asks everyone and schedules the next; once
/// it is not live, nothing more.
pub(crate) async fn run(app: &App, id: CareSessionId, now: Timestamp) -> Result<()> {
    let participant = match app.store.session_participant(id).await {
        Ok(participant) => participant,
        // Gone, or nobody left in it: nothing to ask.
        Err(StoreError::NotFound) => return Ok(()),
        Err(error) => return Err(error.into()),
    };
    let stored = app.store.care_session(participant, id).await?;
    if stored.record.session.state != State::Live {
        return Ok(());
    }
    let prompt = SignalRecord {
        signal: Signal::CheckIn,
        from: None,
        at: now.unix_seconds(),
        practice: false,
    };
    app.store.add_signal(participant, &stored, &prompt).await?;
    app.bus.publish(id);
    schedule(app, participant, &stored, now).await
}
