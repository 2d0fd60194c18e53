//! Circles: who is in one, what each member shares with it, locking answers until everyone
//! has (the reveal), and leaving. Joining is in `invites.rs`.
//!
//! Every query about a circle on a member's behalf starts with [`SqlStore::require_membership`]:
//! for anyone outside, the circle does not exist (`NotFound`). A circle's name is sealed with
//! the circle's own key; what a member shares with it, with theirs.

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::circle::{CircleName, CircleSharing, Section};
use tend_core::reveal::Share;

use crate::accounts::{AccountStore, Member};
use crate::db::args;
use crate::error::{StoreError, StoreResult};
use crate::ids::{CircleId, MemberId};
use crate::profile::ProfileStore;
use crate::seal::{DataKey, SealError};
use crate::store::{SqlStore, one_row, open_json, seal_json};

const CIRCLE_NAME: &str = "circles.name";
const SHARING: &str = "circle_members.sharing";
const SHARING_SLOT: &str = "circle_sharing.slot";
const SHARING_CHOICE: &str = "circle_sharing.sealed";
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
    /// Sets what `member` shares with the circle for each section named, all or none; the
    /// sections not named keep their choice, whatever another request sets for them at the
    /// same moment. `NotFound` unless `member` is in the circle.
    async fn set_sharing(
        &self,
        member: MemberId,
        id: CircleId,
        choices: &[(Section, Share)],
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

/// The identity of one sharing choice: the membership row, then its slot.
fn choice_row(membership: &[u8], slot: &[u8]) -> Vec<u8> {
    let mut row = membership.to_vec();
    row.extend_from_slice(slot);
    row
}

/// A sharing choice as sealed: the section's name and the share, as words.
type Choice = (String, String);

/// Locks a circle's row until the transaction ends. Every write about a circle's members
/// (joining, sharing, locking, leaving) takes this lock first, always in this order, so they
/// decide one at a time on the members as they are, and none waits on another in a circle.
pub(crate) async fn lock_circle(tx: &mut crate::db::Tx, id: CircleId) -> StoreResult<bool> {
    tx.lock(
        "SELECT created_at FROM circles WHERE id = $1",
        "SELECT created_at FROM circles WHERE id = $1 FOR UPDATE",
        args![id.as_uuid()],
    )
    .await
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
        let choices: Vec<(uuid::Uuid, Vec<u8>, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT member_id, slot, sealed FROM circle_sharing WHERE circle_id = $1",
                args![id.as_uuid()],
            )
            .await?;
        let mut members = Vec::with_capacity(rows.len());
        for (partner, locked_at, sharing, digest) in rows {
            let partner = MemberId(partner);
            let key = self.keystore.data_key(partner).await?;
            let row = membership_row(id, partner);
            // The choices made one by one override what was kept as a whole before them.
            let mut sharing: CircleSharing = open_json(&key, SHARING, &row, &sharing)?;
            for (_, slot, sealed) in choices.iter().filter(|(m, _, _)| *m == partner.0) {
                let (section, share): Choice =
                    open_json(&key, SHARING_CHOICE, &choice_row(&row, slot), sealed)?;
                if let (Some(section), Some(share)) =
                    (Section::parse(&section), Share::parse(&share))
                {
                    sharing.set(section, share);
                }
            }
            members.push(CircleMember {
                member: self.member(partner).await?,
                locked: locked_at.is_some(),
                sharing,
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
        choices: &[(Section, Share)],
    ) -> StoreResult<()> {
        let key = self.keystore.data_key(member).await?;
        let row = membership_row(id, member);
        let mut sealed = Vec::with_capacity(choices.len());
        for (section, share) in choices {
            let slot = key.tag(SHARING_SLOT, &row, section.as_str().as_bytes());
            let choice: Choice = (section.as_str().to_owned(), share.as_str().to_owned());
            let value = seal_json(&key, SHARING_CHOICE, &choice_row(&row, &slot), &choice)?;
            sealed.push((slot, value));
        }
        let mut tx = self.data.begin_write().await?;
        // Held until the choices are in: leaving cannot slip between the check and them.
        if !lock_circle(&mut tx, id).await? {
            return Err(StoreError::NotFound);
        }
        let here: Option<(i64,)> = tx
            .fetch_optional(
                "SELECT joined_at FROM circle_members WHERE circle_id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        if here.is_none() {
            return Err(StoreError::NotFound);
        }
        for (slot, value) in &sealed {
            tx.execute(
                "INSERT INTO circle_sharing (circle_id, member_id, slot, sealed) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (circle_id, member_id, slot) \
                 DO UPDATE SET sealed = excluded.sealed",
                args![id.as_uuid(), member.as_uuid(), slot.as_slice(), value],
            )
            .await?;
        }
        tx.commit().await
    }

    async fn lock(&self, member: MemberId, id: CircleId, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.data.begin_write().await?;
        // One lock at a time per circle, and no join or leave between: the reveal is decided
        // on the members as they are.
        if !lock_circle(&mut tx, id).await? {
            return Err(StoreError::NotFound);
        }
        let before: Option<(Option<i64>,)> = tx
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
        tx.execute(
            "UPDATE circle_members SET locked_at = $1 WHERE circle_id = $2 AND member_id = $3",
            args![now.unix_seconds(), id.as_uuid(), member.as_uuid()],
        )
        .await?;
        let (unlocked,): (i64,) = tx
            .fetch_one(
                "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1 AND locked_at IS NULL",
                args![id.as_uuid()],
            )
            .await?;
        tx.commit().await?;
        if unlocked > 0 {
            return Ok(false);
        }
        // Everyone has locked: the circle revealed, decided once, by this request. Remember
        // what each member's answers were, so later changes can be marked. Written after the
        // decision, outside its transaction: reading the answers and keys needs connections
        // of its own, and a transaction never waits for another connection while holding one.
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
        let mut tx = self.data.begin_write().await?;
        // No join, lock or other leave between the count and what it decides.
        if !lock_circle(&mut tx, id).await? {
            return Err(StoreError::NotFound);
        }
        let changed = tx
            .execute(
                "DELETE FROM circle_members WHERE circle_id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)?;
        let (left,): (i64,) = tx
            .fetch_one(
                "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1",
                args![id.as_uuid()],
            )
            .await?;
        if left <= 1 {
            // Closed: everything of the circle goes with its row.
            tx.execute("DELETE FROM circles WHERE id = $1", args![id.as_uuid()])
                .await?;
        }
        tx.commit().await?;
        if left <= 1 {
            // Then its key, so nothing sealed with it (in a backup, say) opens again. After
            // the transaction: the keystore needs a connection of its own.
            self.keystore.delete_circle_key(id).await?;
        }
        Ok(())
    }

    async fn circle_member_ids(&self, circle: CircleId) -> StoreResult<Vec<MemberId>> {
        self.member_ids(circle).await
    }
}
