//! Background work as rows: a kind, the row it is about, when it is due, and a lease. Any
//! instance may claim due work; a lease that runs out lets another instance take it over.

use async_trait::async_trait;
use tend_core::Timestamp;
use uuid::Uuid;

use crate::db::args;
use crate::error::StoreResult;
use crate::ids::JobId;
use crate::store::SqlStore;

/// Kinds of background work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Looks at a circle's routines and starts the reviews that have fallen due.
    RoutineReview,
    /// Sends a live session its check-in prompt, at the routine's cadence.
    CheckIn,
    /// Delivers a follow-up to its member's notification centre when it comes due.
    FollowUp,
    /// Closes a session whose aftercare began a day ago and has not closed.
    CloseSession,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RoutineReview => "routine-review",
            Self::CheckIn => "check-in",
            Self::FollowUp => "follow-up",
            Self::CloseSession => "close-session",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::RoutineReview,
            Self::CheckIn,
            Self::FollowUp,
            Self::CloseSession,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// A job an instance has claimed: it holds the lease until `claimed_until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    /// `None` for a kind this version does not know (written by a newer one).
    pub kind: Option<JobKind>,
    /// The row the work is about (a circle, for reviews).
    pub subject: Uuid,
    pub run_at: Timestamp,
    pub claimed_until: Timestamp,
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Schedules work of `kind` about `subject` at `run_at`; an existing job of that kind for
    /// that subject is moved to `run_at` (and released if it was claimed).
    async fn schedule_job(
        &self,
        kind: JobKind,
        subject: Uuid,
        run_at: Timestamp,
    ) -> StoreResult<()>;
    /// Claims up to `limit` jobs due at `now` that nobody holds, until `claimed_until`. On
    /// PostgreSQL instances skip each other's locked rows, so each job goes to one of them.
    async fn claim_jobs(
        &self,
        now: Timestamp,
        claimed_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Job>>;
    /// Deletes a claimed job once done, unless it was scheduled again meanwhile.
    async fn finish_job(&self, job: &Job) -> StoreResult<()>;
}

/// The claiming statement, written once; `$lock` is where PostgreSQL adds
/// `FOR UPDATE SKIP LOCKED`, so that instances claiming at once pass over each other's rows
/// instead of waiting for them. SQLite has one writer at a time and no such clause.
macro_rules! claim_due_jobs {
    ($lock:literal) => {
        concat!(
            "UPDATE jobs SET claimed_until = $1 WHERE id IN (\
             SELECT id FROM jobs WHERE run_at <= $2 \
             AND (claimed_until IS NULL OR claimed_until <= $2) \
             ORDER BY run_at, id LIMIT $3",
            $lock,
            ") RETURNING id, kind, subject, run_at"
        )
    };
}

#[async_trait]
impl JobStore for SqlStore {
    async fn schedule_job(
        &self,
        kind: JobKind,
        subject: Uuid,
        run_at: Timestamp,
    ) -> StoreResult<()> {
        self.data
            .execute(
                "INSERT INTO jobs (id, kind, subject, run_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kind, subject) \
                 DO UPDATE SET run_at = excluded.run_at, claimed_until = NULL",
                args![
                    JobId::new().as_uuid(),
                    kind.as_str(),
                    subject,
                    run_at.unix_seconds()
                ],
            )
            .await?;
        Ok(())
    }

    async fn claim_jobs(
        &self,
        now: Timestamp,
        claimed_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Job>> {
        let sql = self.data.pick(
            claim_due_jobs!(""),
            claim_due_jobs!(" FOR UPDATE SKIP LOCKED"),
        );
        let rows: Vec<(Uuid, String, Uuid, i64)> = self
            .data
            .fetch_all(
                sql,
                args![
                    claimed_until.unix_seconds(),
                    now.unix_seconds(),
                    i64::from(limit),
                ],
            )
            .await?;
        let mut jobs: Vec<Job> = rows
            .into_iter()
            .map(|(id, kind, subject, run_at)| Job {
                id: JobId(id),
                kind: JobKind::parse(&kind),
                subject,
                run_at: Timestamp::from_unix_seconds(run_at),
                claimed_until,
            })
            .collect();
        // RETURNING gives no order: sort as the subquery chose.
        jobs.sort_by_key(|j| (j.run_at, j.id.as_uuid()));
        Ok(jobs)
    }

    async fn finish_job(&self, job: &Job) -> StoreResult<()> {
        self.data
            .execute(
                "DELETE FROM jobs WHERE id = $1 AND claimed_until = $2",
                args![job.id.as_uuid(), job.claimed_until.unix_seconds()],
            )
            .await?;
        Ok(())
    }
}
