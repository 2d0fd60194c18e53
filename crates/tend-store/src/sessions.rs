//! Care sessions: one encounter of some members of a circle, kept as the state machine's view
//! (sealed with the circle's key), its live signals until it closes, and what is kept in view
//! of past sessions for reviews and briefs. Only the circle's members who take part in a
//! session can read or change it.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::session::{Readiness, Session, Signal, State};

use crate::db::args;
use crate::error::{StoreError, StoreResult};
use crate::ids::{CareSessionId, CircleId, MemberId};
use crate::store::{SqlStore, open_json, seal_json};

const CARE_SESSION: &str = "care_sessions.sealed";
const SIGNAL: &str = "signals.sealed";
const SIGHTING: &str = "signal_sightings.sealed";

/// A session as kept: the state machine's view, and what the pages show along the way.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CareSession {
    pub session: Session<MemberId>,
    /// The kind of session, and the routine version it follows.
    pub variant: tend_core::Variant,
    pub routine_version: u32,
    pub readiness: BTreeMap<MemberId, Readiness>,
    /// Steps of the routine ticked during aftercare.
    pub steps_done: BTreeSet<u32>,
    pub started_at: i64,
    /// Who started it, so partners can be told who would like it (older sessions: unknown).
    #[serde(default)]
    pub started_by: Option<MemberId>,
}

/// A kept session with its circle and revision (for saving it back without losing a change
/// made meanwhile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCareSession {
    pub id: CareSessionId,
    pub circle: CircleId,
    pub revision: i64,
    pub record: CareSession,
}

/// A live signal, as kept until its session closes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignalRecord {
    pub signal: Signal,
    /// Who sent it; `None` for Tend's own check-in prompt.
    pub from: Option<MemberId>,
    /// When it was sent (Unix seconds; 0 for signals kept before this was).
    #[serde(default)]
    pub at: i64,
    /// Sent while the session was being planned: practice, never shown as live.
    #[serde(default)]
    pub practice: bool,
}

/// A participant's page has shown signal number `seq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sighting {
    pub seq: i64,
    pub by: MemberId,
}

/// What is kept in view of a past session: its kind, when aftercare began, and the routine
/// version it followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastSession {
    pub variant: tend_core::Variant,
    pub aftercare_at: Timestamp,
    pub routine_version: u32,
    /// Whether the member who asked took part in it: a session is known only to its
    /// participants, so what a member is told of past sessions comes from theirs alone.
    pub took_part: bool,
}

#[async_trait]
pub trait CareSessionStore: Send + Sync {
    /// Starts a session in the circle. `NotFound` unless `member` is in it.
    async fn create_care_session(
        &self,
        member: MemberId,
        circle: CircleId,
        session: &CareSession,
        now: Timestamp,
    ) -> StoreResult<CareSessionId>;
    /// `NotFound` unless `member` is in the circle and takes part in the session.
    async fn care_session(
        &self,
        member: MemberId,
        id: CareSessionId,
    ) -> StoreResult<StoredCareSession>;
    /// Saves `stored.record`; `Conflict` when the session changed since `stored` was read.
    async fn update_care_session(
        &self,
        member: MemberId,
        stored: &StoredCareSession,
    ) -> StoreResult<()>;
    /// The circle's sessions that `member` takes part in and that have not closed, oldest
    /// first. `NotFound` unless `member` is in the circle.
    async fn open_care_sessions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<StoredCareSession>>;

    /// Keeps a live signal of a session `member` takes part in; returns its number in the
    /// session (rising). `NotFound` for anyone else.
    async fn add_signal(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        signal: &SignalRecord,
    ) -> StoreResult<i64>;
    /// The session's signals numbered after `after`, in order, for a participant.
    async fn signals_after(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        after: i64,
    ) -> StoreResult<Vec<(i64, SignalRecord)>>;
    /// For background work acting on a session's behalf: someone still taking part in it.
    /// `NotFound` when there is no such session or nobody is left in it.
    async fn session_participant(&self, session: CareSessionId) -> StoreResult<MemberId>;
    /// Keeps that `member`'s page has shown signal `seq` of a session they take part in.
    /// Two sightings at the same moment are both kept; saying it twice is harmless.
    async fn add_sighting(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        seq: i64,
    ) -> StoreResult<()>;
    /// Every sighting of the session's signals, for a participant, each once.
    async fn sightings(
        &self,
        member: MemberId,
        session: &StoredCareSession,
    ) -> StoreResult<BTreeSet<(i64, MemberId)>>;
    /// Deletes every signal of a session and who saw them (when it goes live, for the
    /// practice ones, and when it closes).
    async fn delete_signals(&self, session: CareSessionId) -> StoreResult<()>;

    /// For counting sessions towards reviews and for the brief of what changed: each of the
    /// circle's sessions that reached aftercare, oldest first, as its kind, when aftercare
    /// began and the routine version it followed, and nothing else. `NotFound` unless
    /// `member` is in the circle.
    async fn sessions_with_aftercare(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<PastSession>>;
}

impl SqlStore {
    /// Opens a session row for `member`: `NotFound` unless they are in its circle and take
    /// part in it.
    async fn open_care_session(
        &self,
        member: MemberId,
        id: CareSessionId,
        circle: CircleId,
        sealed: &[u8],
        revision: i64,
    ) -> StoreResult<StoredCareSession> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let record: CareSession = open_json(&key, CARE_SESSION, id.as_uuid().as_bytes(), sealed)?;
        if !record.session.participants.contains(&member) {
            return Err(StoreError::NotFound);
        }
        Ok(StoredCareSession {
            id,
            circle,
            revision,
            record,
        })
    }
}

#[async_trait]
impl CareSessionStore for SqlStore {
    async fn create_care_session(
        &self,
        member: MemberId,
        circle: CircleId,
        session: &CareSession,
        now: Timestamp,
    ) -> StoreResult<CareSessionId> {
        self.require_membership(member, circle).await?;
        let id = CareSessionId::new();
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(&key, CARE_SESSION, id.as_uuid().as_bytes(), session)?;
        let open = i64::from(session.session.state != State::Closed);
        self.data
            .execute(
                "INSERT INTO care_sessions (id, circle_id, sealed, revision, is_open, created_at) \
                 VALUES ($1, $2, $3, 0, $4, $5)",
                args![
                    id.as_uuid(),
                    circle.as_uuid(),
                    &sealed,
                    open,
                    now.unix_seconds()
                ],
            )
            .await?;
        Ok(id)
    }

    async fn care_session(
        &self,
        member: MemberId,
        id: CareSessionId,
    ) -> StoreResult<StoredCareSession> {
        let row: Option<(uuid::Uuid, Vec<u8>, i64)> = self
            .data
            .fetch_optional(
                "SELECT circle_id, sealed, revision FROM care_sessions WHERE id = $1",
                args![id.as_uuid()],
            )
            .await?;
        let (circle, sealed, revision) = row.ok_or(StoreError::NotFound)?;
        self.open_care_session(member, id, CircleId(circle), &sealed, revision)
            .await
    }

    async fn update_care_session(
        &self,
        member: MemberId,
        stored: &StoredCareSession,
    ) -> StoreResult<()> {
        self.require_membership(member, stored.circle).await?;
        if !stored.record.session.participants.contains(&member) {
            return Err(StoreError::NotFound);
        }
        let key = self.keystore.circle_key(stored.circle).await?;
        let row = stored.id.as_uuid();
        let sealed = seal_json(&key, CARE_SESSION, row.as_bytes(), &stored.record)?;
        let open = i64::from(stored.record.session.state != State::Closed);
        // The revision decides a race: the save that lost changes nothing.
        let changed = self
            .data
            .execute(
                "UPDATE care_sessions SET sealed = $1, is_open = $2, revision = revision + 1 \
                 WHERE id = $3 AND circle_id = $4 AND revision = $5",
                args![&sealed, open, row, stored.circle.as_uuid(), stored.revision],
            )
            .await?;
        match changed {
            0 => Err(StoreError::Conflict),
            _ => Ok(()),
        }
    }

    async fn open_care_sessions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<StoredCareSession>> {
        self.require_membership(member, circle).await?;
        let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = self
            .data
            .fetch_all(
                "SELECT id, sealed, revision FROM care_sessions WHERE circle_id = $1 \
                 AND is_open = 1 \
                 ORDER BY created_at, id",
                args![circle.as_uuid()],
            )
            .await?;
        let mut found = Vec::new();
        for (id, sealed, revision) in rows {
            let id = CareSessionId(id);
            match self
                .open_care_session(member, id, circle, &sealed, revision)
                .await
            {
                Ok(stored) => found.push(stored),
                // A session of the circle the member does not take part in.
                Err(StoreError::NotFound) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(found)
    }

    async fn add_signal(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        signal: &SignalRecord,
    ) -> StoreResult<i64> {
        // Participation is checked on a fresh read, not on what the caller holds.
        self.care_session(member, session.id).await?;
        let id = uuid::Uuid::now_v7();
        let key = self.keystore.circle_key(session.circle).await?;
        let sealed = seal_json(&key, SIGNAL, id.as_bytes(), signal)?;
        let (seq,): (i64,) = self
            .data
            .fetch_one(
                "INSERT INTO signals (id, session_id, sealed) VALUES ($1, $2, $3) RETURNING seq",
                args![id, session.id.as_uuid(), &sealed],
            )
            .await?;
        Ok(seq)
    }

    async fn signals_after(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        after: i64,
    ) -> StoreResult<Vec<(i64, SignalRecord)>> {
        self.care_session(member, session.id).await?;
        let rows: Vec<(i64, uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT seq, id, sealed FROM signals WHERE session_id = $1 AND seq > $2 \
                 ORDER BY seq",
                args![session.id.as_uuid(), after],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(session.circle).await?;
        rows.into_iter()
            .map(|(seq, id, sealed)| Ok((seq, open_json(&key, SIGNAL, id.as_bytes(), &sealed)?)))
            .collect()
    }

    async fn session_participant(&self, session: CareSessionId) -> StoreResult<MemberId> {
        let row: Option<(uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_optional(
                "SELECT circle_id, sealed FROM care_sessions WHERE id = $1",
                args![session.as_uuid()],
            )
            .await?;
        let (circle, sealed) = row.ok_or(StoreError::NotFound)?;
        let circle = CircleId(circle);
        let key = self.keystore.circle_key(circle).await?;
        let record: CareSession =
            open_json(&key, CARE_SESSION, session.as_uuid().as_bytes(), &sealed)?;
        let members = self.member_ids(circle).await?;
        record
            .session
            .here()
            .chain(record.session.participants.iter())
            .find(|m| members.contains(m))
            .copied()
            .ok_or(StoreError::NotFound)
    }

    async fn add_sighting(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        seq: i64,
    ) -> StoreResult<()> {
        self.care_session(member, session.id).await?;
        let id = uuid::Uuid::new_v4();
        let key = self.keystore.circle_key(session.circle).await?;
        let sighting = Sighting { seq, by: member };
        let sealed = seal_json(&key, SIGHTING, id.as_bytes(), &sighting)?;
        self.data
            .execute(
                "INSERT INTO signal_sightings (id, session_id, sealed) VALUES ($1, $2, $3)",
                args![id, session.id.as_uuid(), &sealed],
            )
            .await?;
        Ok(())
    }

    async fn sightings(
        &self,
        member: MemberId,
        session: &StoredCareSession,
    ) -> StoreResult<BTreeSet<(i64, MemberId)>> {
        self.care_session(member, session.id).await?;
        let rows: Vec<(uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT id, sealed FROM signal_sightings WHERE session_id = $1",
                args![session.id.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(BTreeSet::new());
        }
        let key = self.keystore.circle_key(session.circle).await?;
        rows.into_iter()
            .map(|(id, sealed)| {
                let seen: Sighting = open_json(&key, SIGHTING, id.as_bytes(), &sealed)?;
                Ok((seen.seq, seen.by))
            })
            .collect()
    }

    async fn delete_signals(&self, session: CareSessionId) -> StoreResult<()> {
        let session = session.as_uuid();
        self.data
            .execute(
                "DELETE FROM signal_sightings WHERE session_id = $1",
                args![session],
            )
            .await?;
        self.data
            .execute("DELETE FROM signals WHERE session_id = $1", args![session])
            .await?;
        Ok(())
    }

    async fn sessions_with_aftercare(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<PastSession>> {
        self.require_membership(member, circle).await?;
        let rows: Vec<(uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT id, sealed FROM care_sessions WHERE circle_id = $1 ORDER BY created_at, id",
                args![circle.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(circle).await?;
        let mut found = Vec::new();
        for (id, sealed) in rows {
            // A row that will not open is left out of the count rather than stopping every
            // later review check of the circle.
            let record: CareSession = match open_json(&key, CARE_SESSION, id.as_bytes(), &sealed) {
                Ok(record) => record,
                Err(error) => {
                    tracing::warn!(%error, "a session row could not be opened for counting");
                    continue;
                }
            };
            if let Some(aftercare_at) = record.session.aftercare_at {
                found.push(PastSession {
                    variant: record.variant,
                    aftercare_at,
                    routine_version: record.routine_version,
                    took_part: record.session.participants.contains(&member),
                });
            }
        }
        Ok(found)
    }
}
