//! Invite links: how people join a circle. A link is a random token of which only the hash is
//! kept; it works once, until it expires or a member revokes it.

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::circle::{CircleName, MAX_MEMBERS};

use crate::accounts::AccountStore;
use crate::circles::lock_circle;
use crate::db::args;
use crate::error::StoreResult;
use crate::ids::{CircleId, InviteId, MemberId};
use crate::store::{SqlStore, one_row};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRecord {
    pub id: InviteId,
    pub circle: CircleId,
    pub expires_at: Timestamp,
    pub used: bool,
    pub revoked: bool,
}

/// What the page of a working invite link shows someone who has not joined: the circle's
/// name, who invited them (by display name; nobody when they have none, never a username),
/// and how many members it has. Never the other members' names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteView {
    pub circle: CircleName,
    pub invited_by: Option<String>,
    pub members: usize,
}

/// Why an invite link did not let someone join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinRefusal {
    /// Used, expired, revoked or never issued: the link does not work (the page does not say
    /// which, beyond "used or expired").
    Unusable,
    AlreadyMember,
    Full,
}

#[async_trait]
pub trait InviteStore: Send + Sync {
    /// `NotFound` unless `member` is in the circle.
    async fn create_invite(
        &self,
        member: MemberId,
        id: CircleId,
        token_hash: &[u8; 32],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<InviteRecord>;
    /// The circle's invites, for one of its members.
    async fn invites(&self, member: MemberId, id: CircleId) -> StoreResult<Vec<InviteRecord>>;
    async fn revoke_invite(
        &self,
        member: MemberId,
        id: CircleId,
        invite: InviteId,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// What the link's page may show before joining, if the link works at `now`.
    async fn usable_invite(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<InviteView>>;
    /// Joins the circle of a usable invite, using it up. The circle's membership generation
    /// grows: what the others share waits for their confirmation before it reaches the
    /// newcomer.
    async fn accept_invite(
        &self,
        member: MemberId,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Result<CircleId, JoinRefusal>>;
}

#[async_trait]
impl InviteStore for SqlStore {
    async fn create_invite(
        &self,
        member: MemberId,
        id: CircleId,
        token_hash: &[u8; 32],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<InviteRecord> {
        self.require_membership(member, id).await?;
        let invite = InviteId::new();
        self.data
            .execute(
                "INSERT INTO invites (id, token_hash, circle_id, created_at, expires_at, \
                 created_by) VALUES ($1, $2, $3, $4, $5, $6)",
                args![
                    invite.as_uuid(),
                    token_hash.as_slice(),
                    id.as_uuid(),
                    now.unix_seconds(),
                    expires_at.unix_seconds(),
                    member.as_uuid(),
                ],
            )
            .await?;
        Ok(InviteRecord {
            id: invite,
            circle: id,
            expires_at,
            used: false,
            revoked: false,
        })
    }

    async fn invites(&self, member: MemberId, id: CircleId) -> StoreResult<Vec<InviteRecord>> {
        self.require_membership(member, id).await?;
        let rows: Vec<(uuid::Uuid, i64, Option<i64>, Option<i64>)> = self
            .data
            .fetch_all(
                "SELECT id, expires_at, used_at, revoked_at FROM invites WHERE circle_id = $1 \
                 ORDER BY created_at, id",
                args![id.as_uuid()],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(invite, expires_at, used_at, revoked_at)| InviteRecord {
                id: InviteId(invite),
                circle: id,
                expires_at: Timestamp::from_unix_seconds(expires_at),
                used: used_at.is_some(),
                revoked: revoked_at.is_some(),
            })
            .collect())
    }

    async fn revoke_invite(
        &self,
        member: MemberId,
        id: CircleId,
        invite: InviteId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.require_membership(member, id).await?;
        let changed = self
            .data
            .execute(
                "UPDATE invites SET revoked_at = COALESCE(revoked_at, $1) \
                 WHERE id = $2 AND circle_id = $3",
                args![now.unix_seconds(), invite.as_uuid(), id.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn usable_invite(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<InviteView>> {
        let row: Option<(uuid::Uuid, Option<uuid::Uuid>)> = self
            .data
            .fetch_optional(
                "SELECT circle_id, created_by FROM invites WHERE token_hash = $1 \
                 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
                args![token_hash.as_slice(), now.unix_seconds()],
            )
            .await?;
        let Some((circle, created_by)) = row else {
            return Ok(None);
        };
        let circle = CircleId(circle);
        let (members,): (i64,) = self
            .data
            .fetch_one(
                "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1",
                args![circle.as_uuid()],
            )
            .await?;
        let invited_by = match created_by {
            Some(by) => self.member(MemberId(by)).await?.display_name,
            None => None,
        };
        Ok(Some(InviteView {
            circle: self.circle_name(circle).await?,
            invited_by,
            members: usize::try_from(members).unwrap_or(0),
        }))
    }

    async fn accept_invite(
        &self,
        member: MemberId,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Result<CircleId, JoinRefusal>> {
        // Which circle the link leads to, before any lock: the sharing default is sealed with
        // the joiner's key outside the transaction.
        let row: Option<(uuid::Uuid,)> = self
            .data
            .fetch_optional(
                "SELECT circle_id FROM invites WHERE token_hash = $1",
                args![token_hash.as_slice()],
            )
            .await?;
        let Some((circle,)) = row else {
            return Ok(Err(JoinRefusal::Unusable));
        };
        let circle = CircleId(circle);
        let sharing = self.default_sharing(member, circle).await?;
        let mut tx = self.data.begin_write().await?;
        // Joins into one circle go one at a time, so its size is decided on what it is: eight
        // people at once through eight links make a circle of eight, never nine.
        if !lock_circle(&mut tx, circle).await? {
            return Ok(Err(JoinRefusal::Unusable));
        }
        let usable: Option<(uuid::Uuid,)> = tx
            .fetch_optional(
                "SELECT id FROM invites WHERE token_hash = $1 AND used_at IS NULL \
                 AND revoked_at IS NULL AND expires_at > $2",
                args![token_hash.as_slice(), now.unix_seconds()],
            )
            .await?;
        let Some((invite,)) = usable else {
            return Ok(Err(JoinRefusal::Unusable));
        };
        let (already, members): (i64, i64) = tx
            .fetch_one(
                "SELECT COALESCE(SUM(CASE WHEN member_id = $2 THEN 1 ELSE 0 END), 0), COUNT(*) \
                 FROM circle_members WHERE circle_id = $1",
                args![circle.as_uuid(), member.as_uuid()],
            )
            .await?;
        if already > 0 {
            return Ok(Err(JoinRefusal::AlreadyMember));
        }
        if usize::try_from(members).unwrap_or(usize::MAX) >= MAX_MEMBERS {
            return Ok(Err(JoinRefusal::Full));
        }
        // A new generation of the circle: the others' sharing waits for their confirmation.
        let (epoch,): (i64,) = tx
            .fetch_one(
                "UPDATE circles SET epoch = epoch + 1 WHERE id = $1 RETURNING epoch",
                args![circle.as_uuid()],
            )
            .await?;
        // Used up in the same transaction as the join: two people with one link cannot both
        // get in.
        let used = tx
            .execute(
                "UPDATE invites SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
                args![now.unix_seconds(), invite],
            )
            .await?;
        if used != 1 {
            return Ok(Err(JoinRefusal::Unusable));
        }
        tx.execute(
            "INSERT INTO circle_members (circle_id, member_id, joined_at, sharing_sealed, \
             joined_epoch, confirmed_epoch) VALUES ($1, $2, $3, $4, $5, $5)",
            args![
                circle.as_uuid(),
                member.as_uuid(),
                now.unix_seconds(),
                &sharing,
                epoch
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(circle))
    }
}
