//! What members keep for themselves and give each other after a session: their reflections,
//! and the notes of appreciation partners send. Each is sealed with the key of the member who
//! keeps it (the writer of a reflection, the receiver of a note).

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::insights::{Reflection, SharedReflection};

use crate::db::args;
use crate::error::StoreResult;
use crate::ids::{AppreciationId, CareSessionId, MemberId, ReflectionId};
use crate::store::{SqlStore, open_json, seal_json};

const REFLECTION: &str = "reflections.sealed";
const APPRECIATION: &str = "appreciations.sealed";

/// A note for a partner after a session: specific appreciation in the sender's words, the
/// entries of their reflection the sender chose to share, or (from a follow-up answered 🟡
/// or 🔴) that the sender could use some extra care today, with no details.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Appreciation {
    pub from: MemberId,
    pub session: CareSessionId,
    pub text: String,
    #[serde(default)]
    pub care_wanted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reflection: Option<SharedReflection>,
}

#[async_trait]
pub trait ReflectionStore: Send + Sync {
    /// Keeps one of the member's reflections, sealed with their key.
    async fn add_reflection(
        &self,
        member: MemberId,
        reflection: &Reflection,
        now: Timestamp,
    ) -> StoreResult<ReflectionId>;
    /// The member's reflections, oldest first.
    async fn reflections(&self, member: MemberId) -> StoreResult<Vec<Reflection>>;

    /// Keeps a note of appreciation for `to`, sealed with their key.
    async fn add_appreciation(
        &self,
        to: MemberId,
        note: &Appreciation,
        now: Timestamp,
    ) -> StoreResult<AppreciationId>;
    /// The notes of appreciation `member` received, newest first.
    async fn appreciations(
        &self,
        member: MemberId,
    ) -> StoreResult<Vec<(AppreciationId, Timestamp, Appreciation)>>;
}

#[async_trait]
impl ReflectionStore for SqlStore {
    async fn add_reflection(
        &self,
        member: MemberId,
        reflection: &Reflection,
        now: Timestamp,
    ) -> StoreResult<ReflectionId> {
        let id = ReflectionId::new();
        let key = self.keystore.data_key(member).await?;
        let sealed = seal_json(&key, REFLECTION, id.as_uuid().as_bytes(), reflection)?;
        self.data
            .execute(
                "INSERT INTO reflections (id, member_id, sealed, created_at) \
                 VALUES ($1, $2, $3, $4)",
                args![id.as_uuid(), member.as_uuid(), &sealed, now.unix_seconds()],
            )
            .await?;
        Ok(id)
    }

    async fn reflections(&self, member: MemberId) -> StoreResult<Vec<Reflection>> {
        let rows: Vec<(uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT id, sealed FROM reflections WHERE member_id = $1 ORDER BY created_at, id",
                args![member.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.data_key(member).await?;
        rows.into_iter()
            .map(|(id, sealed)| open_json(&key, REFLECTION, id.as_bytes(), &sealed))
            .collect()
    }

    async fn add_appreciation(
        &self,
        to: MemberId,
        note: &Appreciation,
        now: Timestamp,
    ) -> StoreResult<AppreciationId> {
        let id = AppreciationId::new();
        let key = self.keystore.data_key(to).await?;
        let sealed = seal_json(&key, APPRECIATION, id.as_uuid().as_bytes(), note)?;
        self.data
            .execute(
                "INSERT INTO appreciations (id, member_id, sealed, created_at) \
                 VALUES ($1, $2, $3, $4)",
                args![id.as_uuid(), to.as_uuid(), &sealed, now.unix_seconds()],
            )
            .await?;
        Ok(id)
    }

    async fn appreciations(
        &self,
        member: MemberId,
    ) -> StoreResult<Vec<(AppreciationId, Timestamp, Appreciation)>> {
        let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = self
            .data
            .fetch_all(
                "SELECT id, sealed, created_at FROM appreciations WHERE member_id = $1 \
                 ORDER BY created_at DESC, id DESC",
                args![member.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.data_key(member).await?;
        rows.into_iter()
            .map(|(id, sealed, at)| {
                let note = open_json(&key, APPRECIATION, id.as_bytes(), &sealed)?;
                Ok((AppreciationId(id), Timestamp::from_unix_seconds(at), note))
            })
            .collect()
    }
}
