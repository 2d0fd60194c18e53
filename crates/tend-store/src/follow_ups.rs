//! Follow-ups in the drop window: a participant's check after a session, sealed with their own
//! key, delivered when it comes due and answered once.

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::session::FollowUpAnswer;

use crate::db::args;
use crate::error::{StoreError, StoreResult};
use crate::ids::{CareSessionId, CircleId, FollowUpId, MemberId};
use crate::store::{SqlStore, open_json, seal_json};

const FOLLOW_UP: &str = "follow_ups.sealed";

/// A follow-up in the drop window, for one participant.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FollowUp {
    pub session: CareSessionId,
    pub circle: CircleId,
    /// Hours after aftercare began.
    pub hours: u16,
    /// When aftercare began, to say which session it is about.
    pub session_at: Timestamp,
    pub answer: Option<FollowUpAnswer>,
}

#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// Keeps `member`'s follow-up at `follow_up.hours` of its session, sealed with their key,
    /// due at `due_at`, and returns its id: made from the session, the member and the hour,
    /// keyed with the master key, so adding it again changes nothing (owing follow-ups can be
    /// retried) and the id tells a stolen database nothing of whose or which it is.
    async fn add_follow_up(
        &self,
        member: MemberId,
        follow_up: &FollowUp,
        due_at: Timestamp,
    ) -> StoreResult<FollowUpId>;
    /// The member's follow-ups with their due times, earliest first.
    async fn follow_ups(
        &self,
        member: MemberId,
    ) -> StoreResult<Vec<(FollowUpId, Timestamp, FollowUp)>>;
    /// Saves the member's answer (in `follow_up`), once: `Conflict` when it was answered
    /// already, `NotFound` unless the follow-up is the member's.
    async fn answer_follow_up(
        &self,
        member: MemberId,
        id: FollowUpId,
        follow_up: &FollowUp,
    ) -> StoreResult<()>;
    /// For delivering a follow-up when it comes due: whose it is, and what it is.
    async fn follow_up_by_id(&self, id: FollowUpId) -> StoreResult<(MemberId, FollowUp)>;
}

#[async_trait]
impl FollowUpStore for SqlStore {
    async fn add_follow_up(
        &self,
        member: MemberId,
        follow_up: &FollowUp,
        due_at: Timestamp,
    ) -> StoreResult<FollowUpId> {
        let mut of = follow_up.session.as_uuid().as_bytes().to_vec();
        of.extend_from_slice(member.as_uuid().as_bytes());
        of.extend_from_slice(&follow_up.hours.to_be_bytes());
        let id = FollowUpId(self.keystore.derived_id("follow_ups.id", &of)?);
        let key = self.keystore.data_key(member).await?;
        let sealed = seal_json(&key, FOLLOW_UP, id.as_uuid().as_bytes(), follow_up)?;
        self.data
            .execute(
                "INSERT INTO follow_ups (id, member_id, sealed, due_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
                args![
                    id.as_uuid(),
                    member.as_uuid(),
                    &sealed,
                    due_at.unix_seconds()
                ],
            )
            .await?;
        Ok(id)
    }

    async fn follow_ups(
        &self,
        member: MemberId,
    ) -> StoreResult<Vec<(FollowUpId, Timestamp, FollowUp)>> {
        let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = self
            .data
            .fetch_all(
                "SELECT id, sealed, due_at FROM follow_ups WHERE member_id = $1 \
                 ORDER BY due_at, id",
                args![member.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.data_key(member).await?;
        rows.into_iter()
            .map(|(id, sealed, due_at)| {
                let follow_up = open_json(&key, FOLLOW_UP, id.as_bytes(), &sealed)?;
                Ok((
                    FollowUpId(id),
                    Timestamp::from_unix_seconds(due_at),
                    follow_up,
                ))
            })
            .collect()
    }

    async fn answer_follow_up(
        &self,
        member: MemberId,
        id: FollowUpId,
        follow_up: &FollowUp,
    ) -> StoreResult<()> {
        let key = self.keystore.data_key(member).await?;
        let sealed = seal_json(&key, FOLLOW_UP, id.as_uuid().as_bytes(), follow_up)?;
        // `answered = 0` in the statement: of two answers at once, one lands.
        let changed = self
            .data
            .execute(
                "UPDATE follow_ups SET sealed = $1, answered = 1 \
                 WHERE id = $2 AND member_id = $3 AND answered = 0",
                args![&sealed, id.as_uuid(), member.as_uuid()],
            )
            .await?;
        if changed > 0 {
            return Ok(());
        }
        let mine: Option<(i64,)> = self
            .data
            .fetch_optional(
                "SELECT answered FROM follow_ups WHERE id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        Err(match mine {
            Some(_) => StoreError::Conflict,
            None => StoreError::NotFound,
        })
    }

    async fn follow_up_by_id(&self, id: FollowUpId) -> StoreResult<(MemberId, FollowUp)> {
        let (member, sealed): (uuid::Uuid, Vec<u8>) = self
            .data
            .fetch_one(
                "SELECT member_id, sealed FROM follow_ups WHERE id = $1",
                args![id.as_uuid()],
            )
            .await?;
        let member = MemberId(member);
        let key = self.keystore.data_key(member).await?;
        let follow_up = open_json(&key, FOLLOW_UP, id.as_uuid().as_bytes(), &sealed)?;
        Ok((member, follow_up))
    }
}
