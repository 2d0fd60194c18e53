//! The background worker: claims due jobs from the store and runs them. Every instance runs
//! one; the store hands each job to one instance at a time, and a job whose instance died
//! is claimed again when its lease runs out.

use std::collections::HashSet;
use std::time::Duration;

use tend_core::Timestamp;
use tend_store::{CareSessionId, CircleId, FollowUpId, Job, JobKind};

use crate::app::App;
use crate::check_ins;
use crate::error::{Error, Result};
use crate::notifications;
use crate::routine;
use crate::sessions;

/// How long an instance holds a job it claimed before another may take it over.
const LEASE: Duration = Duration::from_secs(5 * 60);
/// How often the worker looks for due jobs.
const EVERY: Duration = Duration::from_secs(30);
const BATCH: u32 = 20;

/// Runs every job due at `now`; returns how many ran. Failures are logged and the job is
/// left to be claimed again after its lease. A job that a run put back as already due waits
/// for the next pass rather than running twice in this one.
pub async fn run_due(app: &App, now: Timestamp) -> usize {
    let mut ran = 0;
    let mut seen = HashSet::new();
    loop {
        let jobs = match app.store.claim_jobs(now, now.after(LEASE), BATCH).await {
            Ok(jobs) => jobs,
            Err(error) => {
                tracing::warn!(%error, "claiming jobs failed");
                return ran;
            }
        };
        let fresh: Vec<Job> = jobs.into_iter().filter(|job| seen.insert(job.id)).collect();
        if fresh.is_empty() {
            return ran;
        }
        for job in fresh {
            match run(app, &job, now).await {
                Ok(()) => {
                    if let Err(error) = app.store.finish_job(&job).await {
                        tracing::warn!(%error, "finishing a job failed");
                    }
                    ran += 1;
                }
                Err(error) => {
                    tracing::warn!(%error, kind = ?job.kind, "a job failed; it will be tried again")
                }
            }
        }
    }
}

async fn run(app: &App, job: &Job, now: Timestamp) -> Result<()> {
    match job.kind {
        Some(JobKind::RoutineReview) => {
            let started =
                routine::start_due_reviews(app, CircleId::from_uuid(job.subject), now).await?;
            tracing::debug!(reviews.started = started, "routine reviews checked");
        }
        Some(JobKind::CheckIn) => {
            check_ins::run(app, CareSessionId::from_uuid(job.subject), now).await?;
        }
        Some(JobKind::FollowUp) => {
            notifications::deliver_follow_up(app, FollowUpId::from_uuid(job.subject)).await?;
        }
        Some(JobKind::CloseSession) => {
            sessions::expire(app, CareSessionId::from_uuid(job.subject), now).await?;
        }
        // Written by a newer Tend: leave it for that version.
        None => return Err(Error::Internal("a kind of job this version does not know")),
    }
    Ok(())
}

/// Runs due jobs every thirty seconds, for as long as the server runs.
pub async fn work_regularly(app: App) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        run_due(&app, app.clock.now()).await;
    }
}
