//! Circles: who is in one, what each member shares with it, locking answers until everyone
//! has (the reveal), and leaving. Joining is in `invites.rs`.
//!
//! Every query about a circle on a member's behalf starts with [`SqlStore::require_membership`]:
//! for anyone outside, the circle does not exist (`NotFound`). A circle's name is sealed with
//! the circle's own key; what a member shares with it, with theirs.

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::circle::{CircleName, CircleSharing};

use crate::accounts::{AccountStore, Member};
use crate::db::args;
use crate::error::{StoreError, StoreResult};
use crate::ids::{CircleId, MemberId};
use crate::profile::ProfileStore;
use crate::seal::{DataKey, SealError};
use crate::store::{SqlStore, one_row, open_json, seal_json};

const CIRCLE_NAME: &str = "circles.name";
const SHARING: &str = "circle_members.sharing";
const REVEAL_DIGEST: &str = "circle_members.reveal_digest";

/// A circle as its members list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircleSummary {
    pub id: CircleId,
    pub name: CircleName,
    pub members: usize,
}

/// One member of a circle, as the circle's members see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircleMember {
    pub member: Member,
    pub locked: bool,
    pub sharing: CircleSharing,
    /// The digest of their answers at the circle's last reveal, if it revealed.
    pub reveal_digest: Option<[u8; 32]>,
}

/// A circle, opened for one of its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircleRecord {
    pub id: CircleId,
    pub name: CircleName,
    /// In the order they joined.
    pub members: Vec<CircleMember>,
}

#[async_trait]
pub trait CircleStore: Send + Sync {
    /// Makes a circle with `member` in it, and a key of its own.
    async fn create_circle(
        &self,
        member: MemberId,
        name: &CircleName,
        now: Timestamp,
    ) -> StoreResult<CircleSummary>;
    /// The circles `member` is in, oldest first.
    async fn circles(&self, member: MemberId) -> StoreResult<Vec<CircleSummary>>;
    /// The circle, for one of its members; `NotFound` for anyone else.
    async fn circle(&self, member: MemberId, id: CircleId) -> StoreResult<CircleRecord>;
    /// `NotFound` unless `member` is in the circle.
    async fn set_sharing(
        &self,
        member: MemberId,
        id: CircleId,
        sharing: &CircleSharing,
    ) -> StoreResult<()>;
    /// Locks the member's answers for the circle; when that makes everyone locked, the
    /// circle reveals and everyone's answers digest is kept. True when it revealed now.
    async fn lock(&self, member: MemberId, id: CircleId, now: Timestamp) -> StoreResult<bool>;
    async fn unlock(&self, member: MemberId, id: CircleId) -> StoreResult<()>;
    /// Leaves at once. A circle left with one member (or none) is closed: deleted, key first.
    async fn leave(&self, member: MemberId, id: CircleId) -> StoreResult<()>;
    /// The ids of a circle's members, for background work acting on the circle's behalf
    /// (pages and the API go through [`CircleStore::circle`]); empty for a closed circle.
    async fn circle_member_ids(&self, circle: CircleId) -> StoreResult<Vec<MemberId>>;
}

/// The identity of a circle membership row: circle id, then member id.
fn membership_row(circle: CircleId, member: MemberId) -> Vec<u8> {
    let mut row = circle.as_uuid().as_bytes().to_vec();
    row.extend_from_slice(member.as_uuid().as_bytes());
    row
}

impl SqlStore {
    /// `NotFound` unless `member` is in the circle: every circle query starts here.
    pub(crate) async fn require_membership(
        &self,
        member: MemberId,
        id: CircleId,
    ) -> StoreResult<()> {
        let row: Option<(i64,)> = self
            .data
            .fetch_optional(
                "SELECT joined_at FROM circle_members WHERE circle_id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        row.map(|_| ()).ok_or(StoreError::NotFound)
    }

    /// The circle's members, in the order they joined.
    pub(crate) async fn member_ids(&self, id: CircleId) -> StoreResult<Vec<MemberId>> {
        let rows: Vec<(uuid::Uuid,)> = self
            .data
            .fetch_all(
                "SELECT member_id FROM circle_members WHERE circle_id = $1 \
                 ORDER BY joined_at, member_id",
                args![id.as_uuid()],
            )
            .await?;
        Ok(rows.into_iter().map(|(m,)| MemberId(m)).collect())
    }

    pub(crate) async fn circle_name(&self, id: CircleId) -> StoreResult<CircleName> {
        let (sealed,): (Vec<u8>,) = self
            .data
            .fetch_one(
                "SELECT name_sealed FROM circles WHERE id = $1",
                args![id.as_uuid()],
            )
            .await?;
        let key = self.keystore.circle_key(id).await?;
        let name: String = open_json(&key, CIRCLE_NAME, id.as_uuid().as_bytes(), &sealed)?;
        CircleName::parse(&name).map_err(|_| StoreError::Seal(SealError::Open))
    }

    /// What a new member shares with the circle until they choose: the default, sealed.
    pub(crate) async fn default_sharing(
        &self,
        member: MemberId,
        id: CircleId,
    ) -> StoreResult<Vec<u8>> {
        let key = self.keystore.data_key(member).await?;
        seal_json(
            &key,
            SHARING,
            &membership_row(id, member),
            &CircleSharing::default(),
        )
    }
}

#[async_trait]
impl CircleStore for SqlStore {
    async fn create_circle(
        &self,
        member: MemberId,
        name: &CircleName,
        now: Timestamp,
    ) -> StoreResult<CircleSummary> {
        let id = CircleId::new();
        let key = DataKey::generate()?;
        self.keystore.add_circle_key(id, &key).await?;
        let name_sealed = seal_json(&key, CIRCLE_NAME, id.as_uuid().as_bytes(), &name.as_str())?;
        let sharing = self.default_sharing(member, id).await?;
        let mut tx = self.data.begin().await?;
        tx.execute(
            "INSERT INTO circles (id, name_sealed, created_at) VALUES ($1, $2, $3)",
            args![id.as_uuid(), &name_sealed, now.unix_seconds()],
        )
        .await?;
        tx.execute(
            "INSERT INTO circle_members (circle_id, member_id, joined_at, sharing_sealed) \
             VALUES ($1, $2, $3, $4)",
            args![id.as_uuid(), member.as_uuid(), now.unix_seconds(), &sharing],
        )
        .await?;
        tx.commit().await?;
        Ok(CircleSummary {
            id,
            name: name.clone(),
            members: 1,
        })
    }

    async fn circles(&self, member: MemberId) -> StoreResult<Vec<CircleSummary>> {
        let rows: Vec<(uuid::Uuid, i64)> = self
            .data
            .fetch_all(
                "SELECT c.id, (SELECT COUNT(*) FROM circle_members o WHERE o.circle_id = c.id) \
                 FROM circles c JOIN circle_members m ON m.circle_id = c.id \
                 WHERE m.member_id = $1 ORDER BY c.created_at, c.id",
                args![member.as_uuid()],
            )
            .await?;
        let mut circles = Vec::with_capacity(rows.len());
        for (id, members) in rows {
            let id = CircleId(id);
            circles.push(CircleSummary {
                id,
                name: self.circle_name(id).await?,
                members: usize::try_from(members).unwrap_or(0),
            });
        }
        Ok(circles)
    }

    async fn circle(&self, member: MemberId, id: CircleId) -> StoreResult<CircleRecord> {
        self.require_membership(member, id).await?;
        let rows: Vec<(uuid::Uuid, Option<i64>, Vec<u8>, Option<Vec<u8>>)> = self
            .data
            .fetch_all(
                "SELECT member_id, locked_at, sharing_sealed, reveal_digest_sealed \
                FROM circle_members \
                 WHERE circle_id = $1 ORDER BY joined_at, member_id",
                args![id.as_uuid()],
            )
            .await?;
        let mut members = Vec::with_capacity(rows.len());
        for (partner, locked_at, sharing, digest) in rows {
            let partner = MemberId(partner);
            let key = self.keystore.data_key(partner).await?;
            let row = membership_row(id, partner);
            members.push(CircleMember {
                member: self.member(partner).await?,
                locked: locked_at.is_some(),
                sharing: open_json(&key, SHARING, &row, &sharing)?,
                reveal_digest: digest
                    .map(|sealed| open_json::<[u8; 32]>(&key, REVEAL_DIGEST, &row, &sealed))
                    .transpose()?,
            });
        }
        Ok(CircleRecord {
            id,
            name: self.circle_name(id).await?,
            members,
        })
    }

    async fn set_sharing(
        &self,
        member: MemberId,
        id: CircleId,
        sharing: &CircleSharing,
    ) -> StoreResult<()> {
        self.require_membership(member, id).await?;
        let key = self.keystore.data_key(member).await?;
        let sealed = seal_json(&key, SHARING, &membership_row(id, member), sharing)?;
        let changed = self
            .data
            .execute(
                "UPDATE circle_members SET sharing_sealed = $1 \
                 WHERE circle_id = $2 AND member_id = $3",
                args![&sealed, id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn lock(&self, member: MemberId, id: CircleId, now: Timestamp) -> StoreResult<bool> {
        let before: Option<(Option<i64>,)> = self
            .data
            .fetch_optional(
                "SELECT locked_at FROM circle_members WHERE circle_id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        let Some((locked_at,)) = before else {
            return Err(StoreError::NotFound);
        };
        if locked_at.is_some() {
            return Ok(false);
        }
        self.data
            .execute(
                "UPDATE circle_members SET locked_at = $1 WHERE circle_id = $2 AND member_id = $3",
                args![now.unix_seconds(), id.as_uuid(), member.as_uuid()],
            )
            .await?;
        let (unlocked,): (i64,) = self
            .data
            .fetch_one(
                "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1 AND locked_at IS NULL",
                args![id.as_uuid()],
            )
            .await?;
        if unlocked > 0 {
            return Ok(false);
        }
        // Everyone has locked: the circle reveals. Remember what each member's answers were,
        // so later changes can be marked.
        for partner in self.member_ids(id).await? {
            let digest = self.answers_digest(partner).await?;
            let key = self.keystore.data_key(partner).await?;
            let sealed = seal_json(&key, REVEAL_DIGEST, &membership_row(id, partner), &digest)?;
            self.data
                .execute(
                    "UPDATE circle_members SET reveal_digest_sealed = $1 \
                     WHERE circle_id = $2 AND member_id = $3",
                    args![&sealed, id.as_uuid(), partner.as_uuid()],
                )
                .await?;
        }
        Ok(true)
    }

    async fn unlock(&self, member: MemberId, id: CircleId) -> StoreResult<()> {
        let changed = self
            .data
            .execute(
                "UPDATE circle_members SET locked_at = NULL \
                 WHERE circle_id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn leave(&self, member: MemberId, id: CircleId) -> StoreResult<()> {
        let changed = self
            .data
            .execute(
                "DELETE FROM circle_members WHERE circle_id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)?;
        let (left,): (i64,) = self
            .data
            .fetch_one(
                "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1",
                args![id.as_uuid()],
            )
            .await?;
        if left <= 1 {
            // Closed: the key goes first, so nothing of the circle can be read again.
            self.keystore.delete_circle_key(id).await?;
            self.data
                .execute("DELETE FROM circles WHERE id = $1", args![id.as_uuid()])
                .await?;
        }
        Ok(())
    }

    async fn circle_member_ids(&self, circle: CircleId) -> StoreResult<Vec<MemberId>> {
        self.member_ids(circle).await
    }
}
