//! A member's profile: their answers, the items they added themselves, and their boundaries,
//! each shared with the circles its owner ticks. All of it is sealed with the member's own
//! data key.

use std::collections::BTreeSet;

use async_trait::async_trait;
use tend_core::{Boundary, CustomLabel, ItemKind, ProfileAnswers, Timestamp};

use crate::db::args;
use crate::error::StoreResult;
use crate::ids::{BoundaryId, CircleId, CustomItemId, MemberId};
use crate::store::{SqlStore, one_row, open_json, seal_json};

const PROFILE: &str = "profiles.sealed";
const CUSTOM_ITEM: &str = "custom_items.sealed";
const BOUNDARY: &str = "boundaries.sealed";

/// An item a member added for themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomItem {
    pub id: CustomItemId,
    pub label: CustomLabel,
    pub kind: ItemKind,
}

impl CustomItem {
    /// How answers name this item: `custom:<id>`, never confused with a catalog id.
    pub fn key(&self) -> String {
        format!("custom:{}", self.id)
    }
}

/// A stored boundary entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundaryRecord {
    pub id: BoundaryId,
    pub boundary: Boundary,
    /// When it (or whom it is shared with) last changed, so a session's brief can tell what
    /// is new.
    pub updated_at: Timestamp,
    /// The circles its owner shares it with, entry by entry. `None` for an entry from before
    /// entries were shared one by one: it follows its kind's sharing in each circle.
    pub shared_with: Option<BTreeSet<CircleId>>,
}

/// A boundary as sealed: the entry, and the circles it is shared with (absent in entries
/// from before).
#[derive(serde::Serialize, serde::Deserialize)]
struct SealedBoundary {
    #[serde(flatten)]
    boundary: Boundary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shared_with: Option<BTreeSet<CircleId>>,
}

#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// A member's answers, all variants (empty for a member who has not started).
    async fn profile(&self, member: MemberId) -> StoreResult<ProfileAnswers>;
    /// Applies `change` to the member's answers and saves them; a save that raced another is
    /// retried on the newer answers, so neither is lost.
    async fn update_profile(
        &self,
        member: MemberId,
        change: &(dyn for<'p> Fn(&'p mut ProfileAnswers) + Send + Sync),
        now: Timestamp,
    ) -> StoreResult<ProfileAnswers>;

    async fn create_custom_item(
        &self,
        member: MemberId,
        label: &CustomLabel,
        kind: ItemKind,
        now: Timestamp,
    ) -> StoreResult<CustomItem>;
    /// A member's custom items, oldest first.
    async fn custom_items(&self, member: MemberId) -> StoreResult<Vec<CustomItem>>;
    /// `NotFound` unless the item is the member's.
    async fn update_custom_item(&self, member: MemberId, item: &CustomItem) -> StoreResult<()>;
    /// `NotFound` unless the item is the member's.
    async fn delete_custom_item(&self, member: MemberId, id: CustomItemId) -> StoreResult<()>;

    /// Keeps a new entry, shared with exactly the circles named (none: private).
    async fn create_boundary(
        &self,
        member: MemberId,
        boundary: &Boundary,
        shared_with: &BTreeSet<CircleId>,
        now: Timestamp,
    ) -> StoreResult<BoundaryRecord>;
    /// A member's boundaries, oldest first.
    async fn boundaries(&self, member: MemberId) -> StoreResult<Vec<BoundaryRecord>>;
    /// Changes an entry's words, and whom it is shared with. `NotFound` unless the entry is
    /// the member's.
    async fn update_boundary(
        &self,
        member: MemberId,
        id: BoundaryId,
        boundary: &Boundary,
        shared_with: Option<&BTreeSet<CircleId>>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// `NotFound` unless the entry is the member's.
    async fn delete_boundary(&self, member: MemberId, id: BoundaryId) -> StoreResult<()>;
}

/// A custom item's sealed part.
#[derive(serde::Serialize, serde::Deserialize)]
struct SealedCustomItem {
    label: CustomLabel,
    kind: ItemKind,
}

#[async_trait]
impl ProfileStore for SqlStore {
    async fn profile(&self, member: MemberId) -> StoreResult<ProfileAnswers> {
        let row: Option<(Vec<u8>,)> = self
            .data
            .fetch_optional(
                "SELECT sealed FROM profiles WHERE member_id = $1",
                args![member.as_uuid()],
            )
            .await?;
        match row {
            None => Ok(ProfileAnswers::default()),
            Some((sealed,)) => {
                let key = self.keystore.data_key(member).await?;
                open_json(&key, PROFILE, member.as_uuid().as_bytes(), &sealed)
            }
        }
    }

    async fn update_profile(
        &self,
        member: MemberId,
        change: &(dyn for<'p> Fn(&'p mut ProfileAnswers) + Send + Sync),
        now: Timestamp,
    ) -> StoreResult<ProfileAnswers> {
        let key = self.keystore.data_key(member).await?;
        // Each try that loses means another save landed: try again on the newer answers until
        // this one lands too (`retry.rs`).
        let mut tried = 0;
        loop {
            let row: Option<(Vec<u8>, i64)> = self
                .data
                .fetch_optional(
                    "SELECT sealed, version FROM profiles WHERE member_id = $1",
                    args![member.as_uuid()],
                )
                .await?;
            let (mut profile, version) = match row {
                Some((sealed, version)) => (
                    open_json(&key, PROFILE, member.as_uuid().as_bytes(), &sealed)?,
                    Some(version),
                ),
                None => (ProfileAnswers::default(), None),
            };
            change(&mut profile);
            let sealed = seal_json(&key, PROFILE, member.as_uuid().as_bytes(), &profile)?;
            // The version (or the primary key, for the first save) decides a race: the save
            // that lost changes nothing and goes round again on the newer answers.
            let saved = match version {
                Some(version) => self
                    .data
                    .execute(
                        "UPDATE profiles SET sealed = $1, version = version + 1, updated_at = $2 \
                             WHERE member_id = $3 AND version = $4",
                        args![&sealed, now.unix_seconds(), member.as_uuid(), version],
                    )
                    .await?,
                None => {
                    self.data
                        .execute(
                            "INSERT INTO profiles (member_id, sealed, version, updated_at) \
                             VALUES ($1, $2, 1, $3) ON CONFLICT (member_id) DO NOTHING",
                            args![member.as_uuid(), &sealed, now.unix_seconds()],
                        )
                        .await?
                }
            };
            if saved == 1 {
                return Ok(profile);
            }
            crate::retry::wait(tried).await;
            tried += 1;
        }
    }

    async fn create_custom_item(
        &self,
        member: MemberId,
        label: &CustomLabel,
        kind: ItemKind,
        now: Timestamp,
    ) -> StoreResult<CustomItem> {
        let key = self.keystore.data_key(member).await?;
        let item = CustomItem {
            id: CustomItemId::new(),
            label: label.clone(),
            kind,
        };
        let sealed_item = SealedCustomItem {
            label: label.clone(),
            kind,
        };
        let sealed = seal_json(
            &key,
            CUSTOM_ITEM,
            item.id.as_uuid().as_bytes(),
            &sealed_item,
        )?;
        self.data
            .execute(
                "INSERT INTO custom_items (id, member_id, sealed, created_at) \
                 VALUES ($1, $2, $3, $4)",
                args![
                    item.id.as_uuid(),
                    member.as_uuid(),
                    &sealed,
                    now.unix_seconds()
                ],
            )
            .await?;
        Ok(item)
    }

    async fn custom_items(&self, member: MemberId) -> StoreResult<Vec<CustomItem>> {
        let rows: Vec<(uuid::Uuid, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT id, sealed FROM custom_items WHERE member_id = $1 ORDER BY created_at, id",
                args![member.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.data_key(member).await?;
        rows.into_iter()
            .map(|(id, sealed)| {
                let item: SealedCustomItem = open_json(&key, CUSTOM_ITEM, id.as_bytes(), &sealed)?;
                Ok(CustomItem {
                    id: CustomItemId(id),
                    label: item.label,
                    kind: item.kind,
                })
            })
            .collect()
    }

    async fn update_custom_item(&self, member: MemberId, item: &CustomItem) -> StoreResult<()> {
        let key = self.keystore.data_key(member).await?;
        let sealed_item = SealedCustomItem {
            label: item.label.clone(),
            kind: item.kind,
        };
        let sealed = seal_json(
            &key,
            CUSTOM_ITEM,
            item.id.as_uuid().as_bytes(),
            &sealed_item,
        )?;
        let changed = self
            .data
            .execute(
                "UPDATE custom_items SET sealed = $1 WHERE id = $2 AND member_id = $3",
                args![&sealed, item.id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn delete_custom_item(&self, member: MemberId, id: CustomItemId) -> StoreResult<()> {
        let changed = self
            .data
            .execute(
                "DELETE FROM custom_items WHERE id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn create_boundary(
        &self,
        member: MemberId,
        boundary: &Boundary,
        shared_with: &BTreeSet<CircleId>,
        now: Timestamp,
    ) -> StoreResult<BoundaryRecord> {
        let key = self.keystore.data_key(member).await?;
        let id = BoundaryId::new();
        let entry = SealedBoundary {
            boundary: boundary.clone(),
            shared_with: Some(shared_with.clone()),
        };
        let sealed = seal_json(&key, BOUNDARY, id.as_uuid().as_bytes(), &entry)?;
        self.data
            .execute(
                "INSERT INTO boundaries (id, member_id, sealed, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4)",
                args![id.as_uuid(), member.as_uuid(), &sealed, now.unix_seconds()],
            )
            .await?;
        Ok(BoundaryRecord {
            id,
            boundary: boundary.clone(),
            updated_at: now,
            shared_with: Some(shared_with.clone()),
        })
    }

    async fn boundaries(&self, member: MemberId) -> StoreResult<Vec<BoundaryRecord>> {
        let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = self
            .data
            .fetch_all(
                "SELECT id, sealed, updated_at FROM boundaries WHERE member_id = $1 \
                 ORDER BY created_at, id",
                args![member.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.data_key(member).await?;
        rows.into_iter()
            .map(|(id, sealed, updated_at)| {
                let entry: SealedBoundary = open_json(&key, BOUNDARY, id.as_bytes(), &sealed)?;
                Ok(BoundaryRecord {
                    id: BoundaryId(id),
                    boundary: entry.boundary,
                    updated_at: Timestamp::from_unix_seconds(updated_at),
                    shared_with: entry.shared_with,
                })
            })
            .collect()
    }

    async fn update_boundary(
        &self,
        member: MemberId,
        id: BoundaryId,
        boundary: &Boundary,
        shared_with: Option<&BTreeSet<CircleId>>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let key = self.keystore.data_key(member).await?;
        let entry = SealedBoundary {
            boundary: boundary.clone(),
            shared_with: shared_with.cloned(),
        };
        let sealed = seal_json(&key, BOUNDARY, id.as_uuid().as_bytes(), &entry)?;
        let changed = self
            .data
            .execute(
                "UPDATE boundaries SET sealed = $1, updated_at = $2 \
                 WHERE id = $3 AND member_id = $4",
                args![&sealed, now.unix_seconds(), id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)
    }

    async fn delete_boundary(&self, member: MemberId, id: BoundaryId) -> StoreResult<()> {
        let changed = self
            .data
            .execute(
                "DELETE FROM boundaries WHERE id = $1 AND member_id = $2",
                args![id.as_uuid(), member.as_uuid()],
            )
            .await?;
        one_row(changed)
    }
}
