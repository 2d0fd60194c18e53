//! The store API written once for both databases.
//!
//! SQLite and PostgreSQL agree on every statement here (`$1` placeholders work on both), and
//! sqlx's query API has the same shape for both pools, so one macro body implements [`Store`]
//! for each backend. What differs — connection options, migrations, where the keystore lives —
//! stays in `sqlite.rs` and `postgres.rs`, side by side. A backend struct has fields `pool` (the
//! data), `keys` (the keystore) and `master` (the master key).

use tend_core::Timestamp;

use crate::seal::DataKey;
use crate::{Member, MemberId, StoreResult};

pub(crate) const DISPLAY_NAME: &str = "members.display_name";
pub(crate) const PRONOUNS: &str = "members.pronouns";
pub(crate) const PROFILE: &str = "profiles.sealed";
pub(crate) const CUSTOM_ITEM: &str = "custom_items.sealed";
pub(crate) const BOUNDARY: &str = "boundaries.sealed";

/// Tries at a profile save that keeps meeting another save (two tabs at once).
pub(crate) const PROFILE_SAVE_TRIES: usize = 5;

/// `value` as JSON, sealed for one field of the row `row`.
pub(crate) fn seal_json<T: serde::Serialize>(
    key: &DataKey,
    field: &str,
    row: &[u8],
    value: &T,
) -> StoreResult<Vec<u8>> {
    let json = zeroize::Zeroizing::new(serde_json::to_vec(value)?);
    Ok(key.seal(field, row, &json)?)
}

pub(crate) fn open_json<T: serde::de::DeserializeOwned>(
    key: &DataKey,
    field: &str,
    row: &[u8],
    sealed: &[u8],
) -> StoreResult<T> {
    let json = key.open(field, row, sealed)?;
    Ok(serde_json::from_slice(&json)?)
}

pub(crate) const CIRCLE_NAME: &str = "circles.name";
pub(crate) const SHARING: &str = "circle_members.sharing";
pub(crate) const REVEAL_DIGEST: &str = "circle_members.reveal_digest";
pub(crate) const ROUTINE_VERSION: &str = "routine_versions.sealed";
pub(crate) const PROPOSAL: &str = "routine_proposals.sealed";
pub(crate) const REVIEW: &str = "routine_reviews.sealed";
pub(crate) const REFLECTION: &str = "reflections.sealed";
pub(crate) const CARE_SESSION: &str = "care_sessions.sealed";
pub(crate) const FOLLOW_UP: &str = "follow_ups.sealed";
pub(crate) const SIGNAL: &str = "signals.sealed";
pub(crate) const APPRECIATION: &str = "appreciations.sealed";
pub(crate) const NOTIFICATION: &str = "notifications.sealed";

/// The identity of a routine version row: circle id, then the version number.
pub(crate) fn version_row(circle: crate::CircleId, version: u32) -> Vec<u8> {
    let mut row = circle.as_uuid().as_bytes().to_vec();
    row.extend_from_slice(&version.to_be_bytes());
    row
}

/// The identity of a circle membership row: circle id, then member id.
pub(crate) fn membership_row(circle: crate::CircleId, member: crate::MemberId) -> Vec<u8> {
    let mut row = circle.as_uuid().as_bytes().to_vec();
    row.extend_from_slice(member.as_uuid().as_bytes());
    row
}

/// SHA-256 of a member's answers and custom items, as JSON (maps are ordered, so the same
/// answers always give the same digest).
pub(crate) fn digest(
    profile: &tend_core::ProfileAnswers,
    custom: &[crate::CustomItem],
) -> StoreResult<[u8; 32]> {
    use sha2::Digest;
    let custom: Vec<(String, &str, &str)> = custom
        .iter()
        .map(|item| (item.key(), item.label.as_str(), item.kind.as_str()))
        .collect();
    let json = zeroize::Zeroizing::new(serde_json::to_vec(&(profile, custom))?);
    Ok(sha2::Sha256::digest(json.as_slice()).into())
}

/// A custom item's sealed part.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct SealedCustomItem {
    pub label: tend_core::CustomLabel,
    pub kind: tend_core::ItemKind,
}

/// Fails with `NotFound` when a statement that names one of the member's rows changed none:
/// the row is not theirs, or not there. Both look the same from outside.
pub(crate) fn one_row(rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 0 {
        Err(crate::StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// A member row as stored: sealed fields still sealed.
pub(crate) type MemberRow = (
    uuid::Uuid,
    String,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    i64,
    i64,
);

pub(crate) fn seal_text(
    key: &DataKey,
    field: &str,
    id: MemberId,
    text: Option<&str>,
) -> StoreResult<Option<Vec<u8>>> {
    Ok(text
        .map(|text| key.seal(field, id.as_uuid().as_bytes(), text.as_bytes()))
        .transpose()?)
}

fn open_text(
    key: &DataKey,
    field: &str,
    id: MemberId,
    sealed: Option<Vec<u8>>,
) -> StoreResult<Option<String>> {
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    let plain = key.open(field, id.as_uuid().as_bytes(), &sealed)?;
    let text = String::from_utf8(plain.to_vec()).map_err(|_| crate::seal::SealError::Open)?;
    Ok(Some(text))
}

pub(crate) fn member_from_row(key: &DataKey, row: MemberRow) -> StoreResult<Member> {
    let (id, username, display_name, pronouns, created_at, discreet) = row;
    let id = MemberId(id);
    Ok(Member {
        id,
        username,
        display_name: open_text(key, DISPLAY_NAME, id, display_name)?,
        pronouns: open_text(key, PRONOUNS, id, pronouns)?,
        created_at: Timestamp::from_unix_seconds(created_at),
        discreet: discreet != 0,
    })
}

/// Implements [`crate::Store`] for `$store`, whose keystore tables are named `$member_keys`;
/// `extra` holds the methods a backend does its own way (the bus between instances).
macro_rules! store_api {
    ($store:ty, backend = $backend:expr, member_keys = $member_keys:literal, circle_keys = $circle_keys:literal, skip_locked = $skip_locked:literal, extra = { $($extra:tt)* }) => {
        impl $store {
            /// The member's data key, unwrapped with the master key.
            async fn data_key(&self, id: $crate::MemberId) -> $crate::StoreResult<$crate::seal::DataKey> {
                let (wrapped,): (Vec<u8>,) = sqlx::query_as(concat!(
                    "SELECT wrapped FROM ", $member_keys, " WHERE member_id = $1"
                ))
                .bind(id.as_uuid())
                .fetch_one(&self.keys)
                .await?;
                Ok(self.master.unwrap_key(&wrapped, id.as_uuid().as_bytes())?)
            }

            /// The circle's data key, unwrapped with the master key.
            async fn circle_key(&self, id: $crate::CircleId) -> $crate::StoreResult<$crate::seal::DataKey> {
                let (wrapped,): (Vec<u8>,) = sqlx::query_as(concat!(
                    "SELECT wrapped FROM ", $circle_keys, " WHERE circle_id = $1"
                ))
                .bind(id.as_uuid())
                .fetch_one(&self.keys)
                .await?;
                Ok(self.master.unwrap_key(&wrapped, id.as_uuid().as_bytes())?)
            }

            async fn circle_name(&self, id: $crate::CircleId) -> $crate::StoreResult<tend_core::circle::CircleName> {
                let (sealed,): (Vec<u8>,) = sqlx::query_as("SELECT name_sealed FROM circles WHERE id = $1")
                    .bind(id.as_uuid())
                    .fetch_one(&self.pool)
                    .await?;
                let key = self.circle_key(id).await?;
                let name: String = $crate::backend::open_json(&key, $crate::backend::CIRCLE_NAME, id.as_uuid().as_bytes(), &sealed)?;
                tend_core::circle::CircleName::parse(&name).map_err(|_| $crate::StoreError::Seal($crate::seal::SealError::Open))
            }

            /// `NotFound` unless `member` is in the circle: every circle query starts here.
            /// Opens a session row for `member`: `NotFound` unless they are in its circle and
            /// take part in it.
            async fn open_care_session(
                &self,
                member: $crate::MemberId,
                id: $crate::CareSessionId,
                circle: $crate::CircleId,
                sealed: &[u8],
                revision: i64,
            ) -> $crate::StoreResult<$crate::StoredCareSession> {
                self.require_membership(member, circle).await?;
                let key = self.circle_key(circle).await?;
                let record: $crate::CareSession = $crate::backend::open_json(&key, $crate::backend::CARE_SESSION, id.as_uuid().as_bytes(), sealed)?;
                if !record.session.participants.contains(&member) {
                    return Err($crate::StoreError::NotFound);
                }
                Ok($crate::StoredCareSession { id, circle, revision, record })
            }

            async fn require_membership(&self, member: $crate::MemberId, id: $crate::CircleId) -> $crate::StoreResult<()> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT joined_at FROM circle_members WHERE circle_id = $1 AND member_id = $2",
                )
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|_| ()).ok_or($crate::StoreError::NotFound)
            }

            async fn member_ids(&self, id: $crate::CircleId) -> $crate::StoreResult<Vec<$crate::MemberId>> {
                let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT member_id FROM circle_members WHERE circle_id = $1 ORDER BY joined_at, member_id",
                )
                .bind(id.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(m,)| $crate::MemberId(m)).collect())
            }

            async fn default_sharing(&self, member: $crate::MemberId, id: $crate::CircleId) -> $crate::StoreResult<Vec<u8>> {
                let key = self.data_key(member).await?;
                $crate::backend::seal_json(
                    &key,
                    $crate::backend::SHARING,
                    &$crate::backend::membership_row(id, member),
                    &tend_core::circle::CircleSharing::default(),
                )
            }
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

            $($extra)*

            async fn ping(&self) -> $crate::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                sqlx::query("SELECT 1").execute(&self.keys).await?;
                Ok(())
            }

            async fn create_member(
                &self,
                new: $crate::NewMember,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::Member> {
                use $crate::backend::{seal_text, DISPLAY_NAME, PRONOUNS};
                let id = $crate::MemberId::new();
                let key = $crate::seal::DataKey::generate()?;
                let display_name = seal_text(
                    &key, DISPLAY_NAME, id, new.display_name.as_ref().map(|d| d.as_str()),
                )?;
                let pronouns =
                    seal_text(&key, PRONOUNS, id, new.pronouns.as_ref().map(|p| p.as_str()))?;
                // The key goes in first: a member row must never exist without its key. A key
                // left behind by a failed insert below unlocks nothing.
                sqlx::query(concat!(
                    "INSERT INTO ", $member_keys, " (member_id, wrapped) VALUES ($1, $2)"
                ))
                .bind(id.as_uuid())
                .bind(self.master.wrap(&key, id.as_uuid().as_bytes())?)
                .execute(&self.keys)
                .await?;
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO members (id, username, username_canonical, password_hash, \
                     display_name_sealed, pronouns_sealed, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id.as_uuid())
                .bind(new.username.as_str())
                .bind(new.username.canonical())
                .bind(&new.password_hash)
                .bind(&display_name)
                .bind(&pronouns)
                .bind(now.unix_seconds())
                .execute(&mut *tx)
                .await?;
                for hash in &new.recovery_code_hashes {
                    sqlx::query("INSERT INTO recovery_codes (member_id, code_hash) VALUES ($1, $2)")
                        .bind(id.as_uuid())
                        .bind(hash.as_slice())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok($crate::Member {
                    id,
                    username: new.username.as_str().to_owned(),
                    display_name: new.display_name.map(|d| d.as_str().to_owned()),
                    pronouns: new.pronouns.map(|p| p.as_str().to_owned()),
                    created_at: now,
                    discreet: false,
                })
            }

            async fn member(&self, id: $crate::MemberId) -> $crate::StoreResult<$crate::Member> {
                let row: $crate::backend::MemberRow = sqlx::query_as(
                    "SELECT id, username, display_name_sealed, pronouns_sealed, created_at, discreet \
                     FROM members WHERE id = $1",
                )
                .bind(id.as_uuid())
                .fetch_one(&self.pool)
                .await?;
                let key = self.data_key(id).await?;
                $crate::backend::member_from_row(&key, row)
            }

            async fn credentials(
                &self,
                username_canonical: &str,
            ) -> $crate::StoreResult<Option<$crate::Credentials>> {
                let row: Option<(uuid::Uuid, String)> = sqlx::query_as(
                    "SELECT id, password_hash FROM members WHERE username_canonical = $1",
                )
                .bind(username_canonical)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(id, password_hash)| $crate::Credentials {
                    member_id: $crate::MemberId(id),
                    password_hash,
                }))
            }

            async fn set_password_hash(
                &self,
                id: $crate::MemberId,
                password_hash: &str,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query("UPDATE members SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(id.as_uuid())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn use_recovery_code(
                &self,
                id: $crate::MemberId,
                code_hash: &[u8; 32],
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<bool> {
                // One statement, so a code can be used once even when two requests race.
                let done = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $1 \
                     WHERE member_id = $2 AND code_hash = $3 AND used_at IS NULL",
                )
                .bind(now.unix_seconds())
                .bind(id.as_uuid())
                .bind(code_hash.as_slice())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn unused_recovery_codes(&self, id: $crate::MemberId) -> $crate::StoreResult<u32> {
                let (count,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM recovery_codes WHERE member_id = $1 AND used_at IS NULL",
                )
                .bind(id.as_uuid())
                .fetch_one(&self.pool)
                .await?;
                Ok(u32::try_from(count).unwrap_or(u32::MAX))
            }

            async fn replace_recovery_codes(
                &self,
                id: $crate::MemberId,
                hashes: &[[u8; 32]],
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM recovery_codes WHERE member_id = $1")
                    .bind(id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
                for hash in hashes {
                    sqlx::query("INSERT INTO recovery_codes (member_id, code_hash) VALUES ($1, $2)")
                        .bind(id.as_uuid())
                        .bind(hash.as_slice())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_session(
                &self,
                id_hash: &[u8; 32],
                member: $crate::MemberId,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (id_hash, member_id, created_at, last_seen_at) \
                     VALUES ($1, $2, $3, $3)",
                )
                .bind(id_hash.as_slice())
                .bind(member.as_uuid())
                .bind(now.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session(
                &self,
                id_hash: &[u8; 32],
            ) -> $crate::StoreResult<Option<$crate::SessionRecord>> {
                let row: Option<(uuid::Uuid, i64, i64)> = sqlx::query_as(
                    "SELECT member_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1",
                )
                .bind(id_hash.as_slice())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(member, created, last_seen)| $crate::SessionRecord {
                    member_id: $crate::MemberId(member),
                    created_at: tend_core::Timestamp::from_unix_seconds(created),
                    last_seen_at: tend_core::Timestamp::from_unix_seconds(last_seen),
                }))
            }

            async fn touch_session(
                &self,
                id_hash: &[u8; 32],
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                    .bind(now.unix_seconds())
                    .bind(id_hash.as_slice())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, id_hash: &[u8; 32]) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash.as_slice())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn sign_out_everywhere(&self, id: $crate::MemberId) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM sessions WHERE member_id = $1")
                    .bind(id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM api_tokens WHERE member_id = $1")
                    .bind(id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_other_sessions(
                &self,
                id: $crate::MemberId,
                keep: &[u8; 32],
            ) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE member_id = $1 AND id_hash <> $2")
                    .bind(id.as_uuid())
                    .bind(keep.as_slice())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_expired_sessions(
                &self,
                idle_before: tend_core::Timestamp,
                created_before: tend_core::Timestamp,
            ) -> $crate::StoreResult<u64> {
                let done = sqlx::query(
                    "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2",
                )
                .bind(idle_before.unix_seconds())
                .bind(created_before.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn create_api_token(
                &self,
                token_hash: &[u8; 32],
                member: $crate::MemberId,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO api_tokens (token_hash, member_id, created_at) VALUES ($1, $2, $3)",
                )
                .bind(token_hash.as_slice())
                .bind(member.as_uuid())
                .bind(now.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn api_token_member(
                &self,
                token_hash: &[u8; 32],
            ) -> $crate::StoreResult<Option<$crate::MemberId>> {
                let row: Option<(uuid::Uuid,)> =
                    sqlx::query_as("SELECT member_id FROM api_tokens WHERE token_hash = $1")
                        .bind(token_hash.as_slice())
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|(id,)| $crate::MemberId(id)))
            }

            async fn delete_api_token(&self, token_hash: &[u8; 32]) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
                    .bind(token_hash.as_slice())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn profile(
                &self,
                member: $crate::MemberId,
            ) -> $crate::StoreResult<tend_core::ProfileAnswers> {
                let row: Option<(Vec<u8>,)> =
                    sqlx::query_as("SELECT sealed FROM profiles WHERE member_id = $1")
                        .bind(member.as_uuid())
                        .fetch_optional(&self.pool)
                        .await?;
                match row {
                    None => Ok(tend_core::ProfileAnswers::default()),
                    Some((sealed,)) => {
                        let key = self.data_key(member).await?;
                        $crate::backend::open_json(&key, $crate::backend::PROFILE, member.as_uuid().as_bytes(), &sealed)
                    }
                }
            }

            async fn update_profile(
                &self,
                member: $crate::MemberId,
                change: &(dyn for<'p> Fn(&'p mut tend_core::ProfileAnswers) + Send + Sync),
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<tend_core::ProfileAnswers> {
                use $crate::backend::{open_json, seal_json, PROFILE};
                let key = self.data_key(member).await?;
                for _ in 0..$crate::backend::PROFILE_SAVE_TRIES {
                    let row: Option<(Vec<u8>, i64)> = sqlx::query_as(
                        "SELECT sealed, version FROM profiles WHERE member_id = $1",
                    )
                    .bind(member.as_uuid())
                    .fetch_optional(&self.pool)
                    .await?;
                    let (mut profile, version) = match row {
                        Some((sealed, version)) => {
                            (open_json(&key, PROFILE, member.as_uuid().as_bytes(), &sealed)?, Some(version))
                        }
                        None => (tend_core::ProfileAnswers::default(), None),
                    };
                    change(&mut profile);
                    let sealed = seal_json(&key, PROFILE, member.as_uuid().as_bytes(), &profile)?;
                    let saved = match version {
                        Some(version) => sqlx::query(
                            "UPDATE profiles SET sealed = $1, version = version + 1, updated_at = $2 \
                             WHERE member_id = $3 AND version = $4",
                        )
                        .bind(&sealed)
                        .bind(now.unix_seconds())
                        .bind(member.as_uuid())
                        .bind(version)
                        .execute(&self.pool)
                        .await?,
                        None => sqlx::query(
                            "INSERT INTO profiles (member_id, sealed, version, updated_at) \
                             VALUES ($1, $2, 1, $3) ON CONFLICT (member_id) DO NOTHING",
                        )
                        .bind(member.as_uuid())
                        .bind(&sealed)
                        .bind(now.unix_seconds())
                        .execute(&self.pool)
                        .await?,
                    };
                    if saved.rows_affected() == 1 {
                        return Ok(profile);
                    }
                }
                Err($crate::StoreError::Conflict)
            }

            async fn create_custom_item(
                &self,
                member: $crate::MemberId,
                label: &tend_core::CustomLabel,
                kind: tend_core::ItemKind,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::CustomItem> {
                use $crate::backend::{seal_json, SealedCustomItem, CUSTOM_ITEM};
                let key = self.data_key(member).await?;
                let item = $crate::CustomItem { id: $crate::CustomItemId::new(), label: label.clone(), kind };
                let sealed = seal_json(&key, CUSTOM_ITEM, item.id.as_uuid().as_bytes(), &SealedCustomItem { label: label.clone(), kind })?;
                sqlx::query(
                    "INSERT INTO custom_items (id, member_id, sealed, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(item.id.as_uuid())
                .bind(member.as_uuid())
                .bind(&sealed)
                .bind(now.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok(item)
            }

            async fn custom_items(
                &self,
                member: $crate::MemberId,
            ) -> $crate::StoreResult<Vec<$crate::CustomItem>> {
                use $crate::backend::{open_json, SealedCustomItem, CUSTOM_ITEM};
                let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT id, sealed FROM custom_items WHERE member_id = $1 ORDER BY created_at, id",
                )
                .bind(member.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.data_key(member).await?;
                rows.into_iter()
                    .map(|(id, sealed)| {
                        let item: SealedCustomItem = open_json(&key, CUSTOM_ITEM, id.as_bytes(), &sealed)?;
                        Ok($crate::CustomItem { id: $crate::CustomItemId(id), label: item.label, kind: item.kind })
                    })
                    .collect()
            }

            async fn update_custom_item(
                &self,
                member: $crate::MemberId,
                item: &$crate::CustomItem,
            ) -> $crate::StoreResult<()> {
                use $crate::backend::{seal_json, SealedCustomItem, CUSTOM_ITEM};
                let key = self.data_key(member).await?;
                let sealed = seal_json(&key, CUSTOM_ITEM, item.id.as_uuid().as_bytes(), &SealedCustomItem { label: item.label.clone(), kind: item.kind })?;
                let done = sqlx::query("UPDATE custom_items SET sealed = $1 WHERE id = $2 AND member_id = $3")
                    .bind(&sealed)
                    .bind(item.id.as_uuid())
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn delete_custom_item(
                &self,
                member: $crate::MemberId,
                id: $crate::CustomItemId,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query("DELETE FROM custom_items WHERE id = $1 AND member_id = $2")
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn create_boundary(
                &self,
                member: $crate::MemberId,
                boundary: &tend_core::Boundary,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::BoundaryRecord> {
                let key = self.data_key(member).await?;
                let id = $crate::BoundaryId::new();
                let sealed = $crate::backend::seal_json(&key, $crate::backend::BOUNDARY, id.as_uuid().as_bytes(), boundary)?;
                sqlx::query(
                    "INSERT INTO boundaries (id, member_id, sealed, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .bind(&sealed)
                .bind(now.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok($crate::BoundaryRecord { id, boundary: boundary.clone(), updated_at: now })
            }

            async fn boundaries(
                &self,
                member: $crate::MemberId,
            ) -> $crate::StoreResult<Vec<$crate::BoundaryRecord>> {
                let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT id, sealed, updated_at FROM boundaries WHERE member_id = $1 ORDER BY created_at, id",
                )
                .bind(member.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.data_key(member).await?;
                rows.into_iter()
                    .map(|(id, sealed, updated_at)| {
                        Ok($crate::BoundaryRecord {
                            id: $crate::BoundaryId(id),
                            boundary: $crate::backend::open_json(&key, $crate::backend::BOUNDARY, id.as_bytes(), &sealed)?,
                            updated_at: tend_core::Timestamp::from_unix_seconds(updated_at),
                        })
                    })
                    .collect()
            }

            async fn update_boundary(
                &self,
                member: $crate::MemberId,
                id: $crate::BoundaryId,
                boundary: &tend_core::Boundary,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<()> {
                let key = self.data_key(member).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::BOUNDARY, id.as_uuid().as_bytes(), boundary)?;
                let done = sqlx::query(
                    "UPDATE boundaries SET sealed = $1, updated_at = $2 WHERE id = $3 AND member_id = $4",
                )
                .bind(&sealed)
                .bind(now.unix_seconds())
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .execute(&self.pool)
                .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn delete_boundary(
                &self,
                member: $crate::MemberId,
                id: $crate::BoundaryId,
            ) -> $crate::StoreResult<()> {
                let done = sqlx::query("DELETE FROM boundaries WHERE id = $1 AND member_id = $2")
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn answers_digest(&self, member: $crate::MemberId) -> $crate::StoreResult<[u8; 32]> {
                let profile = $crate::Store::profile(self, member).await?;
                let custom = $crate::Store::custom_items(self, member).await?;
                $crate::backend::digest(&profile, &custom)
            }

            async fn create_circle(
                &self,
                member: $crate::MemberId,
                name: &tend_core::circle::CircleName,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::CircleSummary> {
                use $crate::backend::{seal_json, CIRCLE_NAME};
                let id = $crate::CircleId::new();
                let key = $crate::seal::DataKey::generate()?;
                sqlx::query(concat!("INSERT INTO ", $circle_keys, " (circle_id, wrapped) VALUES ($1, $2)"))
                    .bind(id.as_uuid())
                    .bind(self.master.wrap(&key, id.as_uuid().as_bytes())?)
                    .execute(&self.keys)
                    .await?;
                let name_sealed = seal_json(&key, CIRCLE_NAME, id.as_uuid().as_bytes(), &name.as_str())?;
                let sharing = self.default_sharing(member, id).await?;
                let mut tx = self.pool.begin().await?;
                sqlx::query("INSERT INTO circles (id, name_sealed, created_at) VALUES ($1, $2, $3)")
                    .bind(id.as_uuid())
                    .bind(&name_sealed)
                    .bind(now.unix_seconds())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO circle_members (circle_id, member_id, joined_at, sharing_sealed) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .bind(now.unix_seconds())
                .bind(&sharing)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::CircleSummary { id, name: name.clone(), members: 1 })
            }

            async fn circles(&self, member: $crate::MemberId) -> $crate::StoreResult<Vec<$crate::CircleSummary>> {
                let rows: Vec<(uuid::Uuid, i64)> = sqlx::query_as(
                    "SELECT c.id, (SELECT COUNT(*) FROM circle_members o WHERE o.circle_id = c.id) \
                     FROM circles c JOIN circle_members m ON m.circle_id = c.id \
                     WHERE m.member_id = $1 ORDER BY c.created_at, c.id",
                )
                .bind(member.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                let mut circles = Vec::with_capacity(rows.len());
                for (id, members) in rows {
                    let id = $crate::CircleId(id);
                    circles.push($crate::CircleSummary {
                        id,
                        name: self.circle_name(id).await?,
                        members: usize::try_from(members).unwrap_or(0),
                    });
                }
                Ok(circles)
            }

            async fn circle(&self, member: $crate::MemberId, id: $crate::CircleId) -> $crate::StoreResult<$crate::CircleRecord> {
                use $crate::backend::{membership_row, open_json, REVEAL_DIGEST, SHARING};
                self.require_membership(member, id).await?;
                let rows: Vec<(uuid::Uuid, Option<i64>, Vec<u8>, Option<Vec<u8>>)> = sqlx::query_as(
                    "SELECT member_id, locked_at, sharing_sealed, reveal_digest_sealed FROM circle_members \
                     WHERE circle_id = $1 ORDER BY joined_at, member_id",
                )
                .bind(id.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                let mut members = Vec::with_capacity(rows.len());
                for (partner, locked_at, sharing, digest) in rows {
                    let partner = $crate::MemberId(partner);
                    let key = self.data_key(partner).await?;
                    let row = membership_row(id, partner);
                    members.push($crate::CircleMember {
                        member: $crate::Store::member(self, partner).await?,
                        locked: locked_at.is_some(),
                        sharing: open_json(&key, SHARING, &row, &sharing)?,
                        reveal_digest: digest
                            .map(|sealed| open_json::<[u8; 32]>(&key, REVEAL_DIGEST, &row, &sealed))
                            .transpose()?,
                    });
                }
                Ok($crate::CircleRecord { id, name: self.circle_name(id).await?, members })
            }

            async fn set_sharing(
                &self,
                member: $crate::MemberId,
                id: $crate::CircleId,
                sharing: &tend_core::circle::CircleSharing,
            ) -> $crate::StoreResult<()> {
                self.require_membership(member, id).await?;
                let key = self.data_key(member).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::SHARING, &$crate::backend::membership_row(id, member), sharing)?;
                let done = sqlx::query("UPDATE circle_members SET sharing_sealed = $1 WHERE circle_id = $2 AND member_id = $3")
                    .bind(&sealed)
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn lock(&self, member: $crate::MemberId, id: $crate::CircleId, now: tend_core::Timestamp) -> $crate::StoreResult<bool> {
                let before: Option<(Option<i64>,)> = sqlx::query_as(
                    "SELECT locked_at FROM circle_members WHERE circle_id = $1 AND member_id = $2",
                )
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                let Some((locked_at,)) = before else {
                    return Err($crate::StoreError::NotFound);
                };
                if locked_at.is_some() {
                    return Ok(false);
                }
                sqlx::query("UPDATE circle_members SET locked_at = $1 WHERE circle_id = $2 AND member_id = $3")
                    .bind(now.unix_seconds())
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                let (unlocked,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM circle_members WHERE circle_id = $1 AND locked_at IS NULL",
                )
                .bind(id.as_uuid())
                .fetch_one(&self.pool)
                .await?;
                if unlocked > 0 {
                    return Ok(false);
                }
                // Everyone has locked: the circle reveals. Remember what each member's answers
                // were, so later changes can be marked.
                for partner in self.member_ids(id).await? {
                    let digest = $crate::Store::answers_digest(self, partner).await?;
                    let key = self.data_key(partner).await?;
                    let sealed = $crate::backend::seal_json(&key, $crate::backend::REVEAL_DIGEST, &$crate::backend::membership_row(id, partner), &digest)?;
                    sqlx::query("UPDATE circle_members SET reveal_digest_sealed = $1 WHERE circle_id = $2 AND member_id = $3")
                        .bind(&sealed)
                        .bind(id.as_uuid())
                        .bind(partner.as_uuid())
                        .execute(&self.pool)
                        .await?;
                }
                Ok(true)
            }

            async fn unlock(&self, member: $crate::MemberId, id: $crate::CircleId) -> $crate::StoreResult<()> {
                let done = sqlx::query("UPDATE circle_members SET locked_at = NULL WHERE circle_id = $1 AND member_id = $2")
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn leave(&self, member: $crate::MemberId, id: $crate::CircleId) -> $crate::StoreResult<()> {
                let done = sqlx::query("DELETE FROM circle_members WHERE circle_id = $1 AND member_id = $2")
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())?;
                let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM circle_members WHERE circle_id = $1")
                    .bind(id.as_uuid())
                    .fetch_one(&self.pool)
                    .await?;
                if left <= 1 {
                    // Closed: the key goes first, so nothing of the circle can be read again.
                    sqlx::query(concat!("DELETE FROM ", $circle_keys, " WHERE circle_id = $1"))
                        .bind(id.as_uuid())
                        .execute(&self.keys)
                        .await?;
                    sqlx::query("DELETE FROM circles WHERE id = $1")
                        .bind(id.as_uuid())
                        .execute(&self.pool)
                        .await?;
                }
                Ok(())
            }

            async fn create_invite(
                &self,
                member: $crate::MemberId,
                id: $crate::CircleId,
                token_hash: &[u8; 32],
                now: tend_core::Timestamp,
                expires_at: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::InviteRecord> {
                self.require_membership(member, id).await?;
                let invite = $crate::InviteId::new();
                sqlx::query(
                    "INSERT INTO invites (id, token_hash, circle_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(invite.as_uuid())
                .bind(token_hash.as_slice())
                .bind(id.as_uuid())
                .bind(now.unix_seconds())
                .bind(expires_at.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok($crate::InviteRecord { id: invite, circle: id, expires_at, used: false, revoked: false })
            }

            async fn invites(&self, member: $crate::MemberId, id: $crate::CircleId) -> $crate::StoreResult<Vec<$crate::InviteRecord>> {
                self.require_membership(member, id).await?;
                let rows: Vec<(uuid::Uuid, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT id, expires_at, used_at, revoked_at FROM invites WHERE circle_id = $1 ORDER BY created_at, id",
                )
                .bind(id.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(invite, expires_at, used_at, revoked_at)| $crate::InviteRecord {
                        id: $crate::InviteId(invite),
                        circle: id,
                        expires_at: tend_core::Timestamp::from_unix_seconds(expires_at),
                        used: used_at.is_some(),
                        revoked: revoked_at.is_some(),
                    })
                    .collect())
            }

            async fn revoke_invite(
                &self,
                member: $crate::MemberId,
                id: $crate::CircleId,
                invite: $crate::InviteId,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<()> {
                self.require_membership(member, id).await?;
                let done = sqlx::query(
                    "UPDATE invites SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND circle_id = $3",
                )
                .bind(now.unix_seconds())
                .bind(invite.as_uuid())
                .bind(id.as_uuid())
                .execute(&self.pool)
                .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn usable_invite(
                &self,
                token_hash: &[u8; 32],
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<Option<(tend_core::circle::CircleName, Vec<$crate::Member>)>> {
                let row: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT circle_id FROM invites WHERE token_hash = $1 AND used_at IS NULL \
                     AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash.as_slice())
                .bind(now.unix_seconds())
                .fetch_optional(&self.pool)
                .await?;
                let Some((circle,)) = row else {
                    return Ok(None);
                };
                let circle = $crate::CircleId(circle);
                let mut members = Vec::new();
                for partner in self.member_ids(circle).await? {
                    members.push($crate::Store::member(self, partner).await?);
                }
                Ok(Some((self.circle_name(circle).await?, members)))
            }

            async fn accept_invite(
                &self,
                member: $crate::MemberId,
                token_hash: &[u8; 32],
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<Result<$crate::CircleId, $crate::JoinRefusal>> {
                let row: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                    "SELECT id, circle_id FROM invites WHERE token_hash = $1 AND used_at IS NULL \
                     AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash.as_slice())
                .bind(now.unix_seconds())
                .fetch_optional(&self.pool)
                .await?;
                let Some((invite, circle)) = row else {
                    return Ok(Err($crate::JoinRefusal::Unusable));
                };
                let circle = $crate::CircleId(circle);
                if self.require_membership(member, circle).await.is_ok() {
                    return Ok(Err($crate::JoinRefusal::AlreadyMember));
                }
                let ids = self.member_ids(circle).await?;
                if ids.len() >= tend_core::circle::MAX_MEMBERS {
                    return Ok(Err($crate::JoinRefusal::Full));
                }
                let sharing = self.default_sharing(member, circle).await?;
                let mut tx = self.pool.begin().await?;
                // Used up in the same transaction as the join: two people with one link cannot
                // both get in.
                let used = sqlx::query("UPDATE invites SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                    .bind(now.unix_seconds())
                    .bind(invite)
                    .execute(&mut *tx)
                    .await?;
                if used.rows_affected() != 1 {
                    return Ok(Err($crate::JoinRefusal::Unusable));
                }
                sqlx::query(
                    "INSERT INTO circle_members (circle_id, member_id, joined_at, sharing_sealed) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(circle.as_uuid())
                .bind(member.as_uuid())
                .bind(now.unix_seconds())
                .bind(&sharing)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Ok(circle))
            }

            async fn routine_versions(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
            ) -> $crate::StoreResult<Vec<$crate::RoutineVersion>> {
                self.require_membership(member, circle).await?;
                let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
                    "SELECT version, sealed FROM routine_versions WHERE circle_id = $1 ORDER BY version",
                )
                .bind(circle.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.circle_key(circle).await?;
                rows.into_iter()
                    .map(|(version, sealed)| {
                        let version = u32::try_from(version).map_err(|_| $crate::StoreError::NotFound)?;
                        $crate::backend::open_json(&key, $crate::backend::ROUTINE_VERSION, &$crate::backend::version_row(circle, version), &sealed)
                    })
                    .collect()
            }

            async fn add_routine_version(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
                version: &$crate::RoutineVersion,
            ) -> $crate::StoreResult<()> {
                self.require_membership(member, circle).await?;
                let key = self.circle_key(circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::ROUTINE_VERSION, &$crate::backend::version_row(circle, version.version), version)?;
                // The primary key decides races: a second version with the same number fails.
                sqlx::query("INSERT INTO routine_versions (circle_id, version, sealed) VALUES ($1, $2, $3)")
                    .bind(circle.as_uuid())
                    .bind(i64::from(version.version))
                    .bind(&sealed)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_proposal(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
                proposal: &tend_core::routine::Proposal<$crate::MemberId>,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::ProposalId> {
                self.require_membership(member, circle).await?;
                let id = $crate::ProposalId::new();
                let key = self.circle_key(circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::PROPOSAL, id.as_uuid().as_bytes(), proposal)?;
                sqlx::query("INSERT INTO routine_proposals (id, circle_id, sealed, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id.as_uuid())
                    .bind(circle.as_uuid())
                    .bind(&sealed)
                    .bind(now.unix_seconds())
                    .execute(&self.pool)
                    .await?;
                Ok(id)
            }

            async fn proposals(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
            ) -> $crate::StoreResult<Vec<($crate::ProposalId, tend_core::routine::Proposal<$crate::MemberId>)>> {
                self.require_membership(member, circle).await?;
                let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT id, sealed FROM routine_proposals WHERE circle_id = $1 ORDER BY created_at, id",
                )
                .bind(circle.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.circle_key(circle).await?;
                rows.into_iter()
                    .map(|(id, sealed)| {
                        Ok(($crate::ProposalId(id), $crate::backend::open_json(&key, $crate::backend::PROPOSAL, id.as_bytes(), &sealed)?))
                    })
                    .collect()
            }

            async fn update_proposal(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
                id: $crate::ProposalId,
                proposal: &tend_core::routine::Proposal<$crate::MemberId>,
            ) -> $crate::StoreResult<()> {
                self.require_membership(member, circle).await?;
                let key = self.circle_key(circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::PROPOSAL, id.as_uuid().as_bytes(), proposal)?;
                let done = sqlx::query("UPDATE routine_proposals SET sealed = $1 WHERE id = $2 AND circle_id = $3")
                    .bind(&sealed)
                    .bind(id.as_uuid())
                    .bind(circle.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn delete_proposal(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
                id: $crate::ProposalId,
            ) -> $crate::StoreResult<()> {
                self.require_membership(member, circle).await?;
                let done = sqlx::query("DELETE FROM routine_proposals WHERE id = $1 AND circle_id = $2")
                    .bind(id.as_uuid())
                    .bind(circle.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn create_review(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
                review: &$crate::ReviewRecord,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::ReviewId> {
                self.require_membership(member, circle).await?;
                let id = $crate::ReviewId::new();
                let key = self.circle_key(circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::REVIEW, id.as_uuid().as_bytes(), review)?;
                sqlx::query("INSERT INTO routine_reviews (id, circle_id, sealed, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id.as_uuid())
                    .bind(circle.as_uuid())
                    .bind(&sealed)
                    .bind(now.unix_seconds())
                    .execute(&self.pool)
                    .await?;
                Ok(id)
            }

            async fn reviews(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
            ) -> $crate::StoreResult<Vec<($crate::ReviewId, $crate::ReviewRecord)>> {
                self.require_membership(member, circle).await?;
                let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT id, sealed FROM routine_reviews WHERE circle_id = $1 ORDER BY created_at, id",
                )
                .bind(circle.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.circle_key(circle).await?;
                rows.into_iter()
                    .map(|(id, sealed)| {
                        Ok(($crate::ReviewId(id), $crate::backend::open_json(&key, $crate::backend::REVIEW, id.as_bytes(), &sealed)?))
                    })
                    .collect()
            }

            async fn update_review(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
                id: $crate::ReviewId,
                review: &$crate::ReviewRecord,
            ) -> $crate::StoreResult<()> {
                self.require_membership(member, circle).await?;
                let key = self.circle_key(circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::REVIEW, id.as_uuid().as_bytes(), review)?;
                let done = sqlx::query("UPDATE routine_reviews SET sealed = $1 WHERE id = $2 AND circle_id = $3")
                    .bind(&sealed)
                    .bind(id.as_uuid())
                    .bind(circle.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }
            async fn circle_member_ids(&self, circle: $crate::CircleId) -> $crate::StoreResult<Vec<$crate::MemberId>> {
                self.member_ids(circle).await
            }

            async fn schedule_job(
                &self,
                kind: $crate::JobKind,
                subject: uuid::Uuid,
                run_at: tend_core::Timestamp,
            ) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO jobs (id, kind, subject, run_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (kind, subject) DO UPDATE SET run_at = excluded.run_at, claimed_until = NULL",
                )
                .bind($crate::JobId::new().as_uuid())
                .bind(kind.as_str())
                .bind(subject)
                .bind(run_at.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn claim_jobs(
                &self,
                now: tend_core::Timestamp,
                claimed_until: tend_core::Timestamp,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Job>> {
                let rows: Vec<(uuid::Uuid, String, uuid::Uuid, i64)> = sqlx::query_as(concat!(
                    "UPDATE jobs SET claimed_until = $1 WHERE id IN (\
                     SELECT id FROM jobs WHERE run_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) \
                     ORDER BY run_at, id LIMIT $3", $skip_locked, ") RETURNING id, kind, subject, run_at"
                ))
                .bind(claimed_until.unix_seconds())
                .bind(now.unix_seconds())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                let mut jobs: Vec<$crate::Job> = rows
                    .into_iter()
                    .map(|(id, kind, subject, run_at)| $crate::Job {
                        id: $crate::JobId(id),
                        kind: $crate::JobKind::parse(&kind),
                        subject,
                        run_at: tend_core::Timestamp::from_unix_seconds(run_at),
                        claimed_until,
                    })
                    .collect();
                jobs.sort_by_key(|j| (j.run_at, j.id.as_uuid()));
                Ok(jobs)
            }

            async fn finish_job(&self, job: &$crate::Job) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM jobs WHERE id = $1 AND claimed_until = $2")
                    .bind(job.id.as_uuid())
                    .bind(job.claimed_until.unix_seconds())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_care_session(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
                session: &$crate::CareSession,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::CareSessionId> {
                self.require_membership(member, circle).await?;
                let id = $crate::CareSessionId::new();
                let key = self.circle_key(circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::CARE_SESSION, id.as_uuid().as_bytes(), session)?;
                sqlx::query("INSERT INTO care_sessions (id, circle_id, sealed, revision, is_open, created_at) VALUES ($1, $2, $3, 0, $4, $5)")
                    .bind(id.as_uuid())
                    .bind(circle.as_uuid())
                    .bind(&sealed)
                    .bind(i64::from(session.session.state != tend_core::session::State::Closed))
                    .bind(now.unix_seconds())
                    .execute(&self.pool)
                    .await?;
                Ok(id)
            }

            async fn care_session(
                &self,
                member: $crate::MemberId,
                id: $crate::CareSessionId,
            ) -> $crate::StoreResult<$crate::StoredCareSession> {
                let row: Option<(uuid::Uuid, Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT circle_id, sealed, revision FROM care_sessions WHERE id = $1",
                )
                .bind(id.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                let (circle, sealed, revision) = row.ok_or($crate::StoreError::NotFound)?;
                self.open_care_session(member, id, $crate::CircleId(circle), &sealed, revision).await
            }

            async fn update_care_session(
                &self,
                member: $crate::MemberId,
                stored: &$crate::StoredCareSession,
            ) -> $crate::StoreResult<()> {
                self.require_membership(member, stored.circle).await?;
                if !stored.record.session.participants.contains(&member) {
                    return Err($crate::StoreError::NotFound);
                }
                let key = self.circle_key(stored.circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::CARE_SESSION, stored.id.as_uuid().as_bytes(), &stored.record)?;
                let open = i64::from(stored.record.session.state != tend_core::session::State::Closed);
                let done = sqlx::query(
                    "UPDATE care_sessions SET sealed = $1, is_open = $2, revision = revision + 1 \
                     WHERE id = $3 AND circle_id = $4 AND revision = $5",
                )
                .bind(&sealed)
                .bind(open)
                .bind(stored.id.as_uuid())
                .bind(stored.circle.as_uuid())
                .bind(stored.revision)
                .execute(&self.pool)
                .await?;
                match done.rows_affected() {
                    0 => Err($crate::StoreError::Conflict),
                    _ => Ok(()),
                }
            }

            async fn open_care_sessions(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
            ) -> $crate::StoreResult<Vec<$crate::StoredCareSession>> {
                self.require_membership(member, circle).await?;
                let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT id, sealed, revision FROM care_sessions WHERE circle_id = $1 AND is_open = 1 ORDER BY created_at, id",
                )
                .bind(circle.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                let mut found = Vec::new();
                for (id, sealed, revision) in rows {
                    match self.open_care_session(member, $crate::CareSessionId(id), circle, &sealed, revision).await {
                        Ok(stored) => found.push(stored),
                        Err($crate::StoreError::NotFound) => {}
                        Err(error) => return Err(error),
                    }
                }
                Ok(found)
            }

            async fn add_signal(
                &self,
                member: $crate::MemberId,
                session: &$crate::StoredCareSession,
                signal: &$crate::SignalRecord,
            ) -> $crate::StoreResult<i64> {
                // Participation is checked on a fresh read, not on what the caller holds.
                self.care_session(member, session.id).await?;
                let id = uuid::Uuid::now_v7();
                let key = self.circle_key(session.circle).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::SIGNAL, id.as_bytes(), signal)?;
                let (seq,): (i64,) = sqlx::query_as(
                    "INSERT INTO signals (id, session_id, sealed) VALUES ($1, $2, $3) RETURNING seq",
                )
                .bind(id)
                .bind(session.id.as_uuid())
                .bind(&sealed)
                .fetch_one(&self.pool)
                .await?;
                Ok(seq)
            }

            async fn signals_after(
                &self,
                member: $crate::MemberId,
                session: &$crate::StoredCareSession,
                after: i64,
            ) -> $crate::StoreResult<Vec<(i64, $crate::SignalRecord)>> {
                self.care_session(member, session.id).await?;
                let rows: Vec<(i64, uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT seq, id, sealed FROM signals WHERE session_id = $1 AND seq > $2 ORDER BY seq",
                )
                .bind(session.id.as_uuid())
                .bind(after)
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.circle_key(session.circle).await?;
                rows.into_iter()
                    .map(|(seq, id, sealed)| {
                        Ok((seq, $crate::backend::open_json(&key, $crate::backend::SIGNAL, id.as_bytes(), &sealed)?))
                    })
                    .collect()
            }

            async fn session_participant(&self, session: $crate::CareSessionId) -> $crate::StoreResult<$crate::MemberId> {
                let row: Option<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT circle_id, sealed FROM care_sessions WHERE id = $1",
                )
                .bind(session.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
                let (circle, sealed) = row.ok_or($crate::StoreError::NotFound)?;
                let key = self.circle_key($crate::CircleId(circle)).await?;
                let record: $crate::CareSession = $crate::backend::open_json(&key, $crate::backend::CARE_SESSION, session.as_uuid().as_bytes(), &sealed)?;
                let members = self.member_ids($crate::CircleId(circle)).await?;
                record
                    .session
                    .present()
                    .find(|m| members.contains(m))
                    .copied()
                    .ok_or($crate::StoreError::NotFound)
            }

            async fn delete_signals(&self, session: $crate::CareSessionId) -> $crate::StoreResult<()> {
                sqlx::query("DELETE FROM signals WHERE session_id = $1")
                    .bind(session.as_uuid())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn add_appreciation(
                &self,
                to: $crate::MemberId,
                note: &$crate::Appreciation,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::AppreciationId> {
                let id = $crate::AppreciationId::new();
                let key = self.data_key(to).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::APPRECIATION, id.as_uuid().as_bytes(), note)?;
                sqlx::query("INSERT INTO appreciations (id, member_id, sealed, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id.as_uuid())
                    .bind(to.as_uuid())
                    .bind(&sealed)
                    .bind(now.unix_seconds())
                    .execute(&self.pool)
                    .await?;
                Ok(id)
            }

            async fn appreciations(
                &self,
                member: $crate::MemberId,
            ) -> $crate::StoreResult<Vec<($crate::AppreciationId, tend_core::Timestamp, $crate::Appreciation)>> {
                let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT id, sealed, created_at FROM appreciations WHERE member_id = $1 ORDER BY created_at DESC, id DESC",
                )
                .bind(member.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.data_key(member).await?;
                rows.into_iter()
                    .map(|(id, sealed, at)| {
                        let note = $crate::backend::open_json(&key, $crate::backend::APPRECIATION, id.as_bytes(), &sealed)?;
                        Ok(($crate::AppreciationId(id), tend_core::Timestamp::from_unix_seconds(at), note))
                    })
                    .collect()
            }

            async fn sessions_with_aftercare(
                &self,
                member: $crate::MemberId,
                circle: $crate::CircleId,
            ) -> $crate::StoreResult<Vec<$crate::PastSession>> {
                self.require_membership(member, circle).await?;
                let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT id, sealed FROM care_sessions WHERE circle_id = $1 ORDER BY created_at, id",
                )
                .bind(circle.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.circle_key(circle).await?;
                let mut found = Vec::new();
                for (id, sealed) in rows {
                    // A row that will not open is left out of the count rather than stopping
                    // every later review check of the circle.
                    let record: $crate::CareSession = match $crate::backend::open_json(&key, $crate::backend::CARE_SESSION, id.as_bytes(), &sealed) {
                        Ok(record) => record,
                        Err(error) => {
                            tracing::warn!(%error, "a session row could not be opened for counting");
                            continue;
                        }
                    };
                    if let Some(aftercare_at) = record.session.aftercare_at {
                        found.push($crate::PastSession {
                            variant: record.variant,
                            aftercare_at,
                            routine_version: record.routine_version,
                        });
                    }
                }
                Ok(found)
            }

            async fn add_follow_up(
                &self,
                member: $crate::MemberId,
                id: $crate::FollowUpId,
                follow_up: &$crate::FollowUp,
                due_at: tend_core::Timestamp,
            ) -> $crate::StoreResult<()> {
                let key = self.data_key(member).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::FOLLOW_UP, id.as_uuid().as_bytes(), follow_up)?;
                sqlx::query(
                    "INSERT INTO follow_ups (id, member_id, sealed, due_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .bind(&sealed)
                .bind(due_at.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn follow_ups(
                &self,
                member: $crate::MemberId,
            ) -> $crate::StoreResult<Vec<($crate::FollowUpId, tend_core::Timestamp, $crate::FollowUp)>> {
                let rows: Vec<(uuid::Uuid, Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT id, sealed, due_at FROM follow_ups WHERE member_id = $1 ORDER BY due_at, id",
                )
                .bind(member.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.data_key(member).await?;
                rows.into_iter()
                    .map(|(id, sealed, due_at)| {
                        let follow_up = $crate::backend::open_json(&key, $crate::backend::FOLLOW_UP, id.as_bytes(), &sealed)?;
                        Ok(($crate::FollowUpId(id), tend_core::Timestamp::from_unix_seconds(due_at), follow_up))
                    })
                    .collect()
            }

            async fn answer_follow_up(
                &self,
                member: $crate::MemberId,
                id: $crate::FollowUpId,
                follow_up: &$crate::FollowUp,
            ) -> $crate::StoreResult<()> {
                let key = self.data_key(member).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::FOLLOW_UP, id.as_uuid().as_bytes(), follow_up)?;
                let done = sqlx::query(
                    "UPDATE follow_ups SET sealed = $1, answered = 1 WHERE id = $2 AND member_id = $3 AND answered = 0",
                )
                .bind(&sealed)
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .execute(&self.pool)
                .await?;
                if done.rows_affected() > 0 {
                    return Ok(());
                }
                let mine: Option<(i64,)> = sqlx::query_as("SELECT answered FROM follow_ups WHERE id = $1 AND member_id = $2")
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .fetch_optional(&self.pool)
                    .await?;
                Err(match mine {
                    Some(_) => $crate::StoreError::Conflict,
                    None => $crate::StoreError::NotFound,
                })
            }

            async fn add_reflection(
                &self,
                member: $crate::MemberId,
                reflection: &tend_core::insights::Reflection,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<$crate::ReflectionId> {
                let id = $crate::ReflectionId::new();
                let key = self.data_key(member).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::REFLECTION, id.as_uuid().as_bytes(), reflection)?;
                sqlx::query("INSERT INTO reflections (id, member_id, sealed, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id.as_uuid())
                    .bind(member.as_uuid())
                    .bind(&sealed)
                    .bind(now.unix_seconds())
                    .execute(&self.pool)
                    .await?;
                Ok(id)
            }

            async fn reflections(
                &self,
                member: $crate::MemberId,
            ) -> $crate::StoreResult<Vec<tend_core::insights::Reflection>> {
                let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT id, sealed FROM reflections WHERE member_id = $1 ORDER BY created_at, id",
                )
                .bind(member.as_uuid())
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.data_key(member).await?;
                rows.into_iter()
                    .map(|(id, sealed)| $crate::backend::open_json(&key, $crate::backend::REFLECTION, id.as_bytes(), &sealed))
                    .collect()
            }

            async fn set_discreet(&self, member: $crate::MemberId, discreet: bool) -> $crate::StoreResult<()> {
                let done = sqlx::query("UPDATE members SET discreet = $1 WHERE id = $2")
                    .bind(i64::from(discreet))
                    .bind(member.as_uuid())
                    .execute(&self.pool)
                    .await?;
                $crate::backend::one_row(done.rows_affected())
            }

            async fn follow_up_by_id(
                &self,
                id: $crate::FollowUpId,
            ) -> $crate::StoreResult<($crate::MemberId, $crate::FollowUp)> {
                let (member, sealed): (uuid::Uuid, Vec<u8>) =
                    sqlx::query_as("SELECT member_id, sealed FROM follow_ups WHERE id = $1")
                        .bind(id.as_uuid())
                        .fetch_one(&self.pool)
                        .await?;
                let member = $crate::MemberId(member);
                let key = self.data_key(member).await?;
                let follow_up = $crate::backend::open_json(&key, $crate::backend::FOLLOW_UP, id.as_uuid().as_bytes(), &sealed)?;
                Ok((member, follow_up))
            }

            async fn add_notification(
                &self,
                member: $crate::MemberId,
                id: $crate::NotificationId,
                notification: &$crate::Notification,
                now: tend_core::Timestamp,
            ) -> $crate::StoreResult<bool> {
                let key = self.data_key(member).await?;
                let sealed = $crate::backend::seal_json(&key, $crate::backend::NOTIFICATION, id.as_uuid().as_bytes(), notification)?;
                let done = sqlx::query(
                    "INSERT INTO notifications (id, member_id, sealed, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(id.as_uuid())
                .bind(member.as_uuid())
                .bind(&sealed)
                .bind(now.unix_seconds())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn notifications(
                &self,
                member: $crate::MemberId,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::StoredNotification>> {
                let rows: Vec<(uuid::Uuid, Vec<u8>, i64, i64)> = sqlx::query_as(
                    "SELECT id, sealed, created_at, seen FROM notifications WHERE member_id = $1 \
                     ORDER BY created_at DESC, id DESC LIMIT $2",
                )
                .bind(member.as_uuid())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let key = self.data_key(member).await?;
                rows.into_iter()
                    .map(|(id, sealed, at, seen)| {
                        Ok($crate::StoredNotification {
                            id: $crate::NotificationId(id),
                            at: tend_core::Timestamp::from_unix_seconds(at),
                            seen: seen != 0,
                            notification: $crate::backend::open_json(&key, $crate::backend::NOTIFICATION, id.as_bytes(), &sealed)?,
                        })
                    })
                    .collect()
            }

            async fn unseen_notifications(&self, member: $crate::MemberId) -> $crate::StoreResult<u32> {
                let (count,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE member_id = $1 AND seen = 0")
                        .bind(member.as_uuid())
                        .fetch_one(&self.pool)
                        .await?;
                Ok(u32::try_from(count).unwrap_or(u32::MAX))
            }

            async fn see_notifications(
                &self,
                member: $crate::MemberId,
                ids: &[$crate::NotificationId],
            ) -> $crate::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                for id in ids {
                    sqlx::query("UPDATE notifications SET seen = 1 WHERE id = $1 AND member_id = $2")
                        .bind(id.as_uuid())
                        .bind(member.as_uuid())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use store_api;

/// Refuses a database that a newer Tend migrated (a migration this one does not know), with a
/// message saying so, before anything is changed.
macro_rules! check_schema {
    ($pool:expr, $migrator:expr) => {{
        let known = $migrator.iter().map(|m| m.version).max().unwrap_or(0);
        // A fresh database has no migrations table yet: nothing to compare.
        let found: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations")
                .fetch_optional($pool)
                .await
                .unwrap_or(None);
        match found.and_then(|(v,)| v) {
            Some(found) if found > known => Err($crate::StoreError::SchemaTooNew { found, known }),
            _ => Ok(()),
        }
    }};
}

pub(crate) use check_schema;

/// Checks `master` against the keystore's sealed check value, writing it on first start.
macro_rules! check_master_key {
    ($keys:expr, $master:expr, table = $table:literal) => {{
        let existing: Option<(Vec<u8>,)> =
            sqlx::query_as(concat!("SELECT sealed FROM ", $table, " WHERE id = 1"))
                .fetch_optional($keys)
                .await?;
        match existing {
            Some((sealed,)) if $master.opens_check(&sealed) => Ok(()),
            Some(_) => Err($crate::StoreError::WrongMasterKey),
            None => {
                sqlx::query(concat!(
                    "INSERT INTO ",
                    $table,
                    " (id, sealed) VALUES (1, $1)"
                ))
                .bind($master.seal_check()?)
                .execute($keys)
                .await?;
                Ok(())
            }
        }
    }};
}

pub(crate) use check_master_key;
