//! A circle's routine: the versions its members agreed, the proposed changes waiting for
//! answers, and the review rounds of a version. All of it is sealed with the circle's key and
//! read only by the circle's members.

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::routine::{Proposal, ReviewAnswer, Routine};

use crate::db::args;
use crate::error::{StoreError, StoreResult};
use crate::ids::{CircleId, MemberId, ProposalId, ReviewId};
use crate::store::{SqlStore, one_row, open_json, seal_json};

const ROUTINE_VERSION: &str = "routine_versions.sealed";
const PROPOSAL: &str = "routine_proposals.sealed";
const REVIEW: &str = "routine_reviews.sealed";

/// One agreed version of a circle's routine.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoutineVersion {
    pub version: u32,
    pub author: MemberId,
    pub created_at: i64,
    pub routine: Routine<MemberId>,
}

/// A review round of one routine version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewRecord {
    /// The version under review.
    pub version: u32,
    pub started_at: i64,
    pub answers: std::collections::BTreeMap<MemberId, ReviewAnswer>,
    /// The proposal it turned into, once everyone answered.
    pub proposal: Option<ProposalId>,
}

#[async_trait]
pub trait RoutineStore: Send + Sync {
    /// Every agreed version of the circle's routine, oldest first (none before the first
    /// agreement). `NotFound` unless `member` is in the circle.
    async fn routine_versions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<RoutineVersion>>;
    /// Records `version.version` as the circle's next version. `Conflict` if that number is
    /// already taken (two acceptances raced): the caller re-reads and decides again.
    async fn add_routine_version(
        &self,
        member: MemberId,
        circle: CircleId,
        version: &RoutineVersion,
    ) -> StoreResult<()>;
    async fn create_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<ProposalId>;
    /// The circle's proposals, oldest first.
    async fn proposals(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ProposalId, Proposal<MemberId>)>>;
    async fn update_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
        proposal: &Proposal<MemberId>,
    ) -> StoreResult<()>;
    async fn delete_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
    ) -> StoreResult<()>;

    async fn create_review(
        &self,
        member: MemberId,
        circle: CircleId,
        review: &ReviewRecord,
        now: Timestamp,
    ) -> StoreResult<ReviewId>;
    /// The circle's reviews, oldest first.
    async fn reviews(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ReviewId, ReviewRecord)>>;
    async fn update_review(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ReviewId,
        review: &ReviewRecord,
    ) -> StoreResult<()>;
}

/// The identity of a routine version row: circle id, then the version number.
fn version_row(circle: CircleId, version: u32) -> Vec<u8> {
    let mut row = circle.as_uuid().as_bytes().to_vec();
    row.extend_from_slice(&version.to_be_bytes());
    row
}

#[async_trait]
impl RoutineStore for SqlStore {
    async fn routine_versions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<RoutineVersion>> {
        self.require_membership(member, circle).await?;
        let rows: Vec<(i64, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT version, sealed FROM routine_versions WHERE circle_id = $1 \
                 ORDER BY version",
                args![circle.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(circle).await?;
        rows.into_iter()
            .map(|(version, sealed)| {
                let version = u32::try_from(version).map_err(|_| StoreError::NotFound)?;
                open_json(
                    &key,
                    ROUTINE_VERSION,
                    &version_row(circle, version),
                    &sealed,
                )
            })
            .collect()
    }

    async fn add_routine_version(
        &self,
        member: MemberId,
        circle: CircleId,
        version: &RoutineVersion,
    ) -> StoreResult<()> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let row = version_row(circle, version.version);
        let sealed = seal_json(&key, ROUTINE_VERSION, &row, version)?;
        // The primary key decides races: a second version with the same number fails.
        self.data
            .execute(
                "INSERT INTO routine_versions (circle_id, version, sealed) VALUES ($1, $2, $3)",
                args![circle.as_uuid(), i64::from(version.version), &sealed],
            )
            .await?;
        Ok(())
    }

    async fn create_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<ProposalId> {
        self.require_membership(member, circle).await?;
        let id = ProposalId::new();
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(&key, PROPOSAL, id.as_uuid().as_bytes(), proposal)?;
        self.data
            .execute(
                "INSERT INTO routine_proposals (id, circle_id, sealed, created_at) \
                 VALUES ($1, $2, $3, $4)",
                args![id.as_uuid(), circle.as_uuid(), &sealed, now.unix_seconds()],
            )
            .await?;
        Ok(id)
    }

    async fn proposals(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ProposalId, Proposal<MemberId>)>> {
        self.require_membership(member, circle).await?;
        let rows: Vec<(uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT id, sealed FROM routine_proposals WHERE circle_id = $1 \
                 ORDER BY created_at, id",
                args![circle.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(circle).await?;
        rows.into_iter()
            .map(|(id, sealed)| {
                let proposal = open_json(&key, PROPOSAL, id.as_bytes(), &sealed)?;
                Ok((ProposalId(id), proposal))
            })
            .collect()
    }

    async fn update_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
        proposal: &Proposal<MemberId>,
    ) -> StoreResult<()> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(&key, PROPOSAL, id.as_uuid().as_bytes(), proposal)?;
        let changed = self
            .data
            .execute(
                "UPDATE routine_proposals SET sealed = $1 WHERE id = $2 AND circle_id = $3",
                args![&sealed, id.as_uuid(), circle.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn delete_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
    ) -> StoreResult<()> {
        self.require_membership(member, circle).await?;
        let changed = self
            .data
            .execute(
                "DELETE FROM routine_proposals WHERE id = $1 AND circle_id = $2",
                args![id.as_uuid(), circle.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn create_review(
        &self,
        member: MemberId,
        circle: CircleId,
        review: &ReviewRecord,
        now: Timestamp,
    ) -> StoreResult<ReviewId> {
        self.require_membership(member, circle).await?;
        let id = ReviewId::new();
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(&key, REVIEW, id.as_uuid().as_bytes(), review)?;
        self.data
            .execute(
                "INSERT INTO routine_reviews (id, circle_id, sealed, created_at) \
                 VALUES ($1, $2, $3, $4)",
                args![id.as_uuid(), circle.as_uuid(), &sealed, now.unix_seconds()],
            )
            .await?;
        Ok(id)
    }

    async fn reviews(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ReviewId, ReviewRecord)>> {
        self.require_membership(member, circle).await?;
        let rows: Vec<(uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT id, sealed FROM routine_reviews WHERE circle_id = $1 \
                 ORDER BY created_at, id",
                args![circle.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(circle).await?;
        rows.into_iter()
            .map(|(id, sealed)| {
                let review = open_json(&key, REVIEW, id.as_bytes(), &sealed)?;
                Ok((ReviewId(id), review))
            })
            .collect()
    }

    async fn update_review(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ReviewId,
        review: &ReviewRecord,
    ) -> StoreResult<()> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(&key, REVIEW, id.as_uuid().as_bytes(), review)?;
        let changed = self
            .data
            .execute(
                "UPDATE routine_reviews SET sealed = $1 WHERE id = $2 AND circle_id = $3",
                args![&sealed, id.as_uuid(), circle.as_uuid()],
            )
            .await?;
        one_row(changed)
    }
}
