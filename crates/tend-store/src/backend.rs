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
    row: uuid::Uuid,
    value: &T,
) -> StoreResult<Vec<u8>> {
    let json = zeroize::Zeroizing::new(serde_json::to_vec(value)?);
    Ok(key.seal(field, row.as_bytes(), &json)?)
}

pub(crate) fn open_json<T: serde::de::DeserializeOwned>(
    key: &DataKey,
    field: &str,
    row: uuid::Uuid,
    sealed: &[u8],
) -> StoreResult<T> {
    let json = key.open(field, row.as_bytes(), sealed)?;
    Ok(serde_json::from_slice(&json)?)
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
pub(crate) type MemberRow = (uuid::Uuid, String, Option<Vec<u8>>, Option<Vec<u8>>, i64);

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
    let (id, username, display_name, pronouns, created_at) = row;
    let id = MemberId(id);
    Ok(Member {
        id,
        username,
        display_name: open_text(key, DISPLAY_NAME, id, display_name)?,
        pronouns: open_text(key, PRONOUNS, id, pronouns)?,
        created_at: Timestamp::from_unix_seconds(created_at),
    })
}

/// Implements [`crate::Store`] for `$store`, whose keystore tables are named `$member_keys`.
macro_rules! store_api {
    ($store:ty, backend = $backend:expr, member_keys = $member_keys:literal) => {
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
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

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
                })
            }

            async fn member(&self, id: $crate::MemberId) -> $crate::StoreResult<$crate::Member> {
                let row: $crate::backend::MemberRow = sqlx::query_as(
                    "SELECT id, username, display_name_sealed, pronouns_sealed, created_at \
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
                        $crate::backend::open_json(&key, $crate::backend::PROFILE, member.as_uuid(), &sealed)
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
                            (open_json(&key, PROFILE, member.as_uuid(), &sealed)?, Some(version))
                        }
                        None => (tend_core::ProfileAnswers::default(), None),
                    };
                    change(&mut profile);
                    let sealed = seal_json(&key, PROFILE, member.as_uuid(), &profile)?;
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
                let sealed = seal_json(&key, CUSTOM_ITEM, item.id.as_uuid(), &SealedCustomItem { label: label.clone(), kind })?;
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
                        let item: SealedCustomItem = open_json(&key, CUSTOM_ITEM, id, &sealed)?;
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
                let sealed = seal_json(&key, CUSTOM_ITEM, item.id.as_uuid(), &SealedCustomItem { label: item.label.clone(), kind: item.kind })?;
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
                let sealed = $crate::backend::seal_json(&key, $crate::backend::BOUNDARY, id.as_uuid(), boundary)?;
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
                Ok($crate::BoundaryRecord { id, boundary: boundary.clone() })
            }

            async fn boundaries(
                &self,
                member: $crate::MemberId,
            ) -> $crate::StoreResult<Vec<$crate::BoundaryRecord>> {
                let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
                    "SELECT id, sealed FROM boundaries WHERE member_id = $1 ORDER BY created_at, id",
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
                        Ok($crate::BoundaryRecord {
                            id: $crate::BoundaryId(id),
                            boundary: $crate::backend::open_json(&key, $crate::backend::BOUNDARY, id, &sealed)?,
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
                let sealed = $crate::backend::seal_json(&key, $crate::backend::BOUNDARY, id.as_uuid(), boundary)?;
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
        }
    };
}

pub(crate) use store_api;

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
