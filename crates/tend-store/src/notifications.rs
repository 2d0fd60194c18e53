//! A member's notification centre. A notification names things and holds nobody's words; it is
//! sealed with the member's key, while when it came and whether it was seen stay readable, so
//! the badge needs no key.

use async_trait::async_trait;
use tend_core::Timestamp;

use crate::db::args;
use crate::error::StoreResult;
use crate::ids::{CareSessionId, CircleId, FollowUpId, MemberId, NotificationId};
use crate::store::{SqlStore, open_json, seal_json};

const NOTIFICATION: &str = "notifications.sealed";

/// What a notification is about. It names things (a follow-up, a circle, a partner) and holds
/// no words of anyone's: the centre says it in the reader's language, neutral in discreet mode.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Notification {
    /// A follow-up in the drop window has come.
    FollowUp {
        follow_up: FollowUpId,
        session_at: Timestamp,
    },
    /// A partner sent a note of appreciation.
    Appreciation { from: MemberId },
    /// A partner could use some extra care today.
    ExtraCare { from: MemberId },
    /// A partner shared part of their reflection.
    SharedReflection { from: MemberId },
    /// A change to a routine is waiting for the member's answer.
    Proposal { circle: CircleId, from: MemberId },
    /// A routine review has started.
    Review { circle: CircleId },
    /// Someone joined a circle: what the member shares waits for their confirmation before
    /// it reaches the newcomer.
    Joined { circle: CircleId, from: MemberId },
    /// A partner would like to plan a session with the member: check in when ready.
    SessionPlanned {
        circle: CircleId,
        session: CareSessionId,
        from: MemberId,
    },
    /// A partner started aftercare with the member ("aftercare now").
    AftercareStarted {
        circle: CircleId,
        session: CareSessionId,
        from: MemberId,
    },
}

/// A notification as the centre shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredNotification {
    pub id: NotificationId,
    pub at: Timestamp,
    pub seen: bool,
    pub notification: Notification,
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Puts a notification in the member's centre, sealed with their key. Adding the same id
    /// again changes nothing (so a job that runs twice delivers once); returns whether it
    /// was new.
    async fn add_notification(
        &self,
        member: MemberId,
        id: NotificationId,
        notification: &Notification,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The member's newest `limit` notifications, newest first.
    async fn notifications(
        &self,
        member: MemberId,
        limit: u32,
    ) -> StoreResult<Vec<StoredNotification>>;
    /// How many of the member's notifications are not seen yet (for the badge; no key needed).
    async fn unseen_notifications(&self, member: MemberId) -> StoreResult<u32>;
    /// Marks these of the member's notifications seen; others' ids are ignored.
    async fn see_notifications(&self, member: MemberId, ids: &[NotificationId]) -> StoreResult<()>;
}

#[async_trait]
impl NotificationStore for SqlStore {
    async fn add_notification(
        &self,
        member: MemberId,
        id: NotificationId,
        notification: &Notification,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let key = self.keystore.data_key(member).await?;
        let sealed = seal_json(&key, NOTIFICATION, id.as_uuid().as_bytes(), notification)?;
        let added = self
            .data
            .execute(
                "INSERT INTO notifications (id, member_id, sealed, created_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
                args![id.as_uuid(), member.as_uuid(), &sealed, now.unix_seconds()],
            )
            .await?;
        Ok(added > 0)
    }

    async fn notifications(
        &self,
        member: MemberId,
        limit: u32,
    ) -> StoreResult<Vec<StoredNotification>> {
        let rows: Vec<(uuid::Uuid, Vec<u8>, i64, i64)> = self
            .data
            .fetch_all(
                "SELECT id, sealed, created_at, seen FROM notifications WHERE member_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2",
                args![member.as_uuid(), i64::from(limit)],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.data_key(member).await?;
        rows.into_iter()
            .map(|(id, sealed, at, seen)| {
                Ok(StoredNotification {
                    id: NotificationId(id),
                    at: Timestamp::from_unix_seconds(at),
                    seen: seen != 0,
                    notification: open_json(&key, NOTIFICATION, id.as_bytes(), &sealed)?,
                })
            })
            .collect()
    }

    async fn unseen_notifications(&self, member: MemberId) -> StoreResult<u32> {
        let (count,): (i64,) = self
            .data
            .fetch_one(
                "SELECT COUNT(*) FROM notifications WHERE member_id = $1 AND seen = 0",
                args![member.as_uuid()],
            )
            .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn see_notifications(&self, member: MemberId, ids: &[NotificationId]) -> StoreResult<()> {
        let mut tx = self.data.begin().await?;
        for id in ids {
            tx.execute(
                "UPDATE notifications SET seen = 1 WHERE id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        }
        tx.commit().await
    }
}
