//! Circles: who is in one, what each member shares with it, locking answers until everyone
//! has (the reveal), and leaving. Joining is in `invites.rs`.
//!
//! Every query about a circle on a member's behalf starts with [`SqlStore::require_membership`]:
//! for anyone outside, the circle does not exist (`NotFound`). A circle's name is sealed with
//! the circle's own key; what a member shares with it, with theirs.

use std::collections::BTreeMap;

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::circle::{CircleName, CircleSharing, Section};
use tend_core::reveal::Share;

use crate::accounts::{Member, member_from_row};
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
    /// Whether they confirmed what they share for the circle's current members (everyone
    /// has, until someone joins).
    pub confirmed: bool,
    /// The generation they last confirmed for: whoever joined after it is new to them.
    pub confirmed_epoch: i64,
    /// The membership generation they joined in (0 for those who made the circle, and for
    /// everyone who was in a circle before generations were kept).
    pub joined_epoch: i64,
    pub sharing: CircleSharing,
    /// Digests of what they released, kept at the circle's reveal: by kind of session and
    /// section (`tend_core::reveal::release_digests`). Empty before any reveal.
    pub reveal_digests: BTreeMap<String, [u8; 32]>,
}

/// A circle, opened for one of its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircleRecord {
    pub id: CircleId,
    pub name: CircleName,
    /// The membership generation: it grows by one when someone joins.
    pub epoch: i64,
    /// The generation at which the circle last revealed, if it ever did.
    pub revealed_epoch: Option<i64>,
    /// In the order they joined.
    pub members: Vec<CircleMember>,
}

/// The digests kept at a reveal, with the generation they were kept in: a reveal in the same
/// generation (after an unlock and a lock again) adds what is missing and keeps the rest, so
/// a change stays marked; a reveal in a new generation starts afresh.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct RevealBaseline {
    epoch: i64,
    digests: BTreeMap<String, [u8; 32]>,
}

/// A baseline as sealed; one kept before baselines had generations (a single digest of
/// everything) reads as none.
fn open_baseline(key: &DataKey, row: &[u8], sealed: &[u8]) -> StoreResult<Option<RevealBaseline>> {
    let json = key.open(REVEAL_DIGEST, row, sealed)?;
    Ok(serde_json::from_slice(&json).ok())
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
    /// Locks the member's answers for the circle, which confirms their sharing for its
    /// current members too; when that makes everyone locked and confirmed, the circle reveals and what everyone releases is kept as digests. True
    /// when it revealed now.
    async fn lock(&self, member: MemberId, id: CircleId, now: Timestamp) -> StoreResult<bool>;
    /// Confirms what `member` shares for the circle's current members (after someone joined).
    /// True when that revealed the circle.
    async fn confirm_sharing(&self, member: MemberId, id: CircleId) -> StoreResult<bool>;
    async fn unlock(&self, member: MemberId, id: CircleId) -> StoreResult<()>;
    /// Leaves at once; the member's invite links still open are withdrawn. A circle left with
    /// one member (or none) is closed: deleted, then its key.
    async fn leave(&self, member: MemberId, id: CircleId, now: Timestamp) -> StoreResult<()>;
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

/// Whether the circle is revealed as its members stand in `tx`: everyone has locked and
/// confirmed for the current generation. When it is, its reveal generation is brought up to
/// date. Called after a change that may have made it so (a lock, a confirmation, a leave).
pub(crate) async fn reveal_if_ready(tx: &mut crate::db::Tx, id: CircleId) -> StoreResult<bool> {
    let (waiting,): (i64,) = tx
        .fetch_one(
            "SELECT COUNT(*) FROM circle_members m JOIN circles c ON c.id = m.circle_id \
             WHERE m.circle_id = $1 AND (m.locked_at IS NULL OR m.confirmed_epoch < c.epoch)",
            args![id.as_uuid()],
        )
        .await?;
    if waiting > 0 {
        return Ok(false);
    }
    tx.execute(
        "UPDATE circles SET revealed_epoch = epoch WHERE id = $1 \
         AND (revealed_epoch IS NULL OR revealed_epoch < epoch)",
        args![id.as_uuid()],
    )
    .await?;
    Ok(true)
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

    /// Keeps, for every member, the digests of what they release to the circle now, after
    /// the circle revealed: digests already kept in this generation stay (a change stays
    /// marked after an unlock and a lock again); a new generation starts afresh. Outside the
    /// transaction that decided the reveal: reading answers and keys takes connections of
    /// their own.
    pub(crate) async fn keep_baselines(&self, id: CircleId) -> StoreResult<()> {
        let circle_row: Option<(i64,)> = self
            .data
            .fetch_optional(
                "SELECT epoch FROM circles WHERE id = $1",
                args![id.as_uuid()],
            )
            .await?;
        let Some((epoch,)) = circle_row else {
            return Ok(());
        };
        let any = self.member_ids(id).await?;
        let Some(first) = any.first().copied() else {
            return Ok(());
        };
        let record = self.circle(first, id).await?;
        for member in &record.members {
            let partner = member.member.id;
            let key = self.keystore.data_key(partner).await?;
            let row = membership_row(id, partner);
            let sealed: Option<(Option<Vec<u8>>,)> = self
                .data
                .fetch_optional(
                    "SELECT reveal_digest_sealed FROM circle_members \
                     WHERE circle_id = $1 AND member_id = $2",
                    args![id.as_uuid(), partner.as_uuid()],
                )
                .await?;
            let kept = match sealed.and_then(|(s,)| s) {
                Some(sealed) => open_baseline(&key, &row, &sealed)?,
                None => None,
            };
            let mut baseline = match kept {
                Some(kept) if kept.epoch == epoch => kept,
                _ => RevealBaseline {
                    epoch,
                    digests: BTreeMap::new(),
                },
            };
            let profile = self.profile(partner).await?;
            let custom: Vec<tend_core::reveal::OwnItem> = self
                .custom_items(partner)
                .await?
                .iter()
                .map(|item| tend_core::reveal::OwnItem {
                    key: item.key(),
                    label: item.label.as_str().to_owned(),
                    kind: item.kind,
                })
                .collect();
            let now =
                tend_core::reveal::release_digests(&profile, &custom, member.sharing.for_reveal());
            for (section, digest) in now {
                baseline.digests.entry(section).or_insert(digest);
            }
            let sealed = seal_json(&key, REVEAL_DIGEST, &row, &baseline)?;
            self.data
                .execute(
                    "UPDATE circle_members SET reveal_digest_sealed = $1 \
                     WHERE circle_id = $2 AND member_id = $3",
                    args![&sealed, id.as_uuid(), partner.as_uuid()],
                )
                .await?;
        }
        Ok(())
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
        // One statement for the circle, its members, their accounts and their sharing choices
        // (a row per choice, or one without): every page about a circle starts here.
        type Row = (
            uuid::Uuid,
            Option<i64>,
            Vec<u8>,
            Option<Vec<u8>>,
            i64,
            i64,
            i64,
            Option<i64>,
            Vec<u8>,
            String,
            Option<Vec<u8>>,
            Option<Vec<u8>>,
            i64,
            i64,
            Option<Vec<u8>>,
            Option<Vec<u8>>,
        );
        let rows: Vec<Row> = self
            .data
            .fetch_all(
                "SELECT m.member_id, m.locked_at, m.sharing_sealed, m.reveal_digest_sealed, \
                 m.joined_epoch, m.confirmed_epoch, c.epoch, c.revealed_epoch, c.name_sealed, \
                 u.username, u.display_name_sealed, u.pronouns_sealed, u.created_at, \
                 u.discreet, s.slot, s.sealed \
                 FROM circle_members m JOIN circles c ON c.id = m.circle_id \
                 JOIN members u ON u.id = m.member_id \
                 LEFT JOIN circle_sharing s \
                 ON s.circle_id = m.circle_id AND s.member_id = m.member_id \
                 WHERE m.circle_id = $1 ORDER BY m.joined_at, m.member_id, s.slot",
                args![id.as_uuid()],
            )
            .await?;
        // For anyone outside, the circle does not exist.
        if !rows.iter().any(|r| r.0 == member.0) {
            return Err(StoreError::NotFound);
        }
        let (epoch, revealed_epoch, name_sealed) = (rows[0].6, rows[0].7, rows[0].8.clone());
        let mut members: Vec<CircleMember> = Vec::new();
        let mut key: Option<(MemberId, DataKey)> = None;
        for row in rows {
            let partner = MemberId(row.0);
            let row_id = membership_row(id, partner);
            if key.as_ref().is_none_or(|(m, _)| *m != partner) {
                let data_key = self.keystore.data_key(partner).await?;
                let account = member_from_row(
                    &data_key,
                    (
                        row.0,
                        row.9.clone(),
                        row.10.clone(),
                        row.11.clone(),
                        row.12,
                        row.13,
                    ),
                )?;
                let baseline = match &row.3 {
                    Some(sealed) => open_baseline(&data_key, &row_id, sealed)?,
                    None => None,
                };
                members.push(CircleMember {
                    member: account,
                    locked: row.1.is_some(),
                    confirmed: row.5 >= epoch,
                    confirmed_epoch: row.5,
                    joined_epoch: row.4,
                    sharing: open_json(&data_key, SHARING, &row_id, &row.2)?,
                    reveal_digests: baseline.map(|b| b.digests).unwrap_or_default(),
                });
                key = Some((partner, data_key));
            }
            // The choices made one by one override what was kept as a whole before them.
            if let (Some((_, data_key)), Some(slot), Some(sealed), Some(last)) =
                (&key, &row.14, &row.15, members.last_mut())
            {
                let (section, share): Choice =
                    open_json(data_key, SHARING_CHOICE, &choice_row(&row_id, slot), sealed)?;
                if let (Some(section), Some(share)) =
                    (Section::parse(&section), Share::parse(&share))
                {
                    last.sharing.set(section, share);
                }
            }
        }
        let circle_key = self.keystore.circle_key(id).await?;
        let name: String = open_json(
            &circle_key,
            CIRCLE_NAME,
            id.as_uuid().as_bytes(),
            &name_sealed,
        )?;
        Ok(CircleRecord {
            id,
            name: CircleName::parse(&name).map_err(|_| StoreError::Seal(SealError::Open))?,
            epoch,
            revealed_epoch,
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
        // Locking is done on the circle's page, with its members in sight: it confirms the
        // member's sharing for them too.
        tx.execute(
            "UPDATE circle_members SET locked_at = $1, \
             confirmed_epoch = (SELECT epoch FROM circles WHERE id = $2) \
             WHERE circle_id = $2 AND member_id = $3",
            args![now.unix_seconds(), id.as_uuid(), member.as_uuid()],
        )
        .await?;
        let revealed = reveal_if_ready(&mut tx, id).await?;
        tx.commit().await?;
        if revealed {
            self.keep_baselines(id).await?;
        }
        Ok(revealed)
    }

    async fn confirm_sharing(&self, member: MemberId, id: CircleId) -> StoreResult<bool> {
        let mut tx = self.data.begin_write().await?;
        if !lock_circle(&mut tx, id).await? {
            return Err(StoreError::NotFound);
        }
        let changed = tx
            .execute(
                "UPDATE circle_members SET confirmed_epoch = \
                 (SELECT epoch FROM circles WHERE id = $1) \
                 WHERE circle_id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)?;
        let revealed = reveal_if_ready(&mut tx, id).await?;
        tx.commit().await?;
        if revealed {
            self.keep_baselines(id).await?;
        }
        Ok(revealed)
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

    async fn leave(&self, member: MemberId, id: CircleId, now: Timestamp) -> StoreResult<()> {
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
        // Their links still open go with them: nobody joins on the word of someone gone.
        tx.execute(
            "UPDATE invites SET revoked_at = $1 \
             WHERE circle_id = $2 AND created_by = $3 AND used_at IS NULL AND revoked_at IS NULL",
            args![now.unix_seconds(), id.as_uuid(), member.as_uuid()],
        )
        .await?;
        let (left,): (i64,) = tx
            .fetch_one(
                "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1",
                args![id.as_uuid()],
            )
            .await?;
        // The one who had not locked or confirmed may be the one who left.
        let revealed = left > 1 && reveal_if_ready(&mut tx, id).await?;
        if left <= 1 {
            // Closed: everything of the circle goes with its row.
            tx.execute("DELETE FROM circles WHERE id = $1", args![id.as_uuid()])
                .await?;
        }
        tx.commit().await?;
        if revealed {
            self.keep_baselines(id).await?;
        }
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
