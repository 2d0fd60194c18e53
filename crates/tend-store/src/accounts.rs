//! Members and how they get in: credentials, recovery codes, signed-in browser sessions, API
//! tokens, and discreet mode. A member's display name and pronouns are sealed with their own
//! data key, which is made here when the member is.

use async_trait::async_trait;
use tend_core::{DisplayName, Pronouns, Timestamp, Username};

use crate::db::args;
use crate::error::{StoreError, StoreResult};
use crate::ids::MemberId;
use crate::seal::DataKey;
use crate::store::{SqlStore, one_row};

const DISPLAY_NAME: &str = "members.display_name";
const PRONOUNS: &str = "members.pronouns";

/// A member as the rest of Tend sees them: sealed fields already opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub username: String,
    pub display_name: Option<String>,
    pub pronouns: Option<String>,
    pub created_at: Timestamp,
    /// Discreet mode: a neutral name and neutral notification words.
    pub discreet: bool,
}

impl Member {
    /// What to call the member on a page: their display name, else their username.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }
}

pub struct NewMember {
    pub username: Username,
    /// An argon2id PHC string; the store never sees a password.
    pub password_hash: String,
    pub display_name: Option<DisplayName>,
    pub pronouns: Option<Pronouns>,
    /// SHA-256 hashes of the member's first recovery codes.
    pub recovery_code_hashes: Vec<[u8; 32]>,
}

/// What sign-in needs: who, and the hash to check the password against.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub member_id: MemberId,
    pub password_hash: String,
}

/// A signed-in browser session, found by the hash of its cookie value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub member_id: MemberId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a member with a fresh data key. `Conflict` if the username is taken.
    async fn create_member(&self, new: NewMember, now: Timestamp) -> StoreResult<Member>;
    /// `NotFound` if there is no such member.
    async fn member(&self, id: MemberId) -> StoreResult<Member>;
    /// Looks a member up by the canonical (lower-case) username.
    async fn credentials(&self, username_canonical: &str) -> StoreResult<Option<Credentials>>;
    async fn set_password_hash(&self, id: MemberId, password_hash: &str) -> StoreResult<()>;

    /// Marks one unused recovery code as used; false if it was not an unused code of this member.
    async fn use_recovery_code(
        &self,
        id: MemberId,
        code_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn unused_recovery_codes(&self, id: MemberId) -> StoreResult<u32>;
    /// Replaces all of a member's recovery codes (the old ones stop working).
    async fn replace_recovery_codes(&self, id: MemberId, hashes: &[[u8; 32]]) -> StoreResult<()>;

    async fn create_session(
        &self,
        id_hash: &[u8; 32],
        member: MemberId,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn session(&self, id_hash: &[u8; 32]) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, id_hash: &[u8; 32], now: Timestamp) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &[u8; 32]) -> StoreResult<()>;
    /// Ends every session and API token of a member: "sign out everywhere".
    async fn sign_out_everywhere(&self, id: MemberId) -> StoreResult<()>;
    /// Ends every session of a member but one (after a password change, the current one stays).
    async fn delete_other_sessions(&self, id: MemberId, keep: &[u8; 32]) -> StoreResult<()>;
    /// Deletes sessions last seen before `idle_before` or created before `created_before`.
    async fn delete_expired_sessions(
        &self,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> StoreResult<u64>;

    async fn create_api_token(
        &self,
        token_hash: &[u8; 32],
        member: MemberId,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn api_token_member(&self, token_hash: &[u8; 32]) -> StoreResult<Option<MemberId>>;
    async fn delete_api_token(&self, token_hash: &[u8; 32]) -> StoreResult<()>;

    /// Turns discreet mode on or off for the member.
    async fn set_discreet(&self, member: MemberId, discreet: bool) -> StoreResult<()>;
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

fn seal_text(
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

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_member(&self, new: NewMember, now: Timestamp) -> StoreResult<Member> {
        let id = MemberId::new();
        let key = DataKey::generate()?;
        let display_name = seal_text(
            &key,
            DISPLAY_NAME,
            id,
            new.display_name.as_ref().map(|d| d.as_str()),
        )?;
        let pronouns = seal_text(
            &key,
            PRONOUNS,
            id,
            new.pronouns.as_ref().map(|p| p.as_str()),
        )?;
        // The key goes in first: a member row must never exist without its key. A key left
        // behind by a failed insert below unlocks nothing.
        self.keystore.add_data_key(id, &key).await?;
        let mut tx = self.data.begin().await?;
        tx.execute(
            "INSERT INTO members (id, username, username_canonical, password_hash, \
             display_name_sealed, pronouns_sealed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![
                id.as_uuid(),
                new.username.as_str(),
                &new.username.canonical(),
                &new.password_hash,
                &display_name,
                &pronouns,
                now.unix_seconds(),
            ],
        )
        .await?;
        for hash in &new.recovery_code_hashes {
            tx.execute(
                "INSERT INTO recovery_codes (member_id, code_hash) VALUES ($1, $2)",
                args![id.as_uuid(), hash.as_slice()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Member {
            id,
            username: new.username.as_str().to_owned(),
            display_name: new.display_name.map(|d| d.as_str().to_owned()),
            pronouns: new.pronouns.map(|p| p.as_str().to_owned()),
            created_at: now,
            discreet: false,
        })
    }

    async fn member(&self, id: MemberId) -> StoreResult<Member> {
        let row: MemberRow = self
            .data
            .fetch_one(
                "SELECT id, username, display_name_sealed, pronouns_sealed, created_at, discreet \
                 FROM members WHERE id = $1",
                args![id.as_uuid()],
            )
            .await?;
        let key = self.keystore.data_key(id).await?;
        member_from_row(&key, row)
    }

    async fn credentials(&self, username_canonical: &str) -> StoreResult<Option<Credentials>> {
        let row: Option<(uuid::Uuid, String)> = self
            .data
            .fetch_optional(
                "SELECT id, password_hash FROM members WHERE username_canonical = $1",
                args![username_canonical],
            )
            .await?;
        Ok(row.map(|(id, password_hash)| Credentials {
            member_id: MemberId(id),
            password_hash,
        }))
    }

    async fn set_password_hash(&self, id: MemberId, password_hash: &str) -> StoreResult<()> {
        let changed = self
            .data
            .execute(
                "UPDATE members SET password_hash = $1 WHERE id = $2",
                args![password_hash, id.as_uuid()],
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn use_recovery_code(
        &self,
        id: MemberId,
        code_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<bool> {
        // One statement, so a code can be used once even when two requests race.
        let changed = self
            .data
            .execute(
                "UPDATE recovery_codes SET used_at = $1 \
                 WHERE member_id = $2 AND code_hash = $3 AND used_at IS NULL",
                args![now.unix_seconds(), id.as_uuid(), code_hash.as_slice()],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn unused_recovery_codes(&self, id: MemberId) -> StoreResult<u32> {
        let (count,): (i64,) = self
            .data
            .fetch_one(
                "SELECT COUNT(*) FROM recovery_codes WHERE member_id = $1 AND used_at IS NULL",
                args![id.as_uuid()],
            )
            .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn replace_recovery_codes(&self, id: MemberId, hashes: &[[u8; 32]]) -> StoreResult<()> {
        let mut tx = self.data.begin().await?;
        tx.execute(
            "DELETE FROM recovery_codes WHERE member_id = $1",
            args![id.as_uuid()],
        )
        .await?;
        for hash in hashes {
            tx.execute(
                "INSERT INTO recovery_codes (member_id, code_hash) VALUES ($1, $2)",
                args![id.as_uuid(), hash.as_slice()],
            )
            .await?;
        }
        tx.commit().await
    }

    async fn create_session(
        &self,
        id_hash: &[u8; 32],
        member: MemberId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.data
            .execute(
                "INSERT INTO sessions (id_hash, member_id, created_at, last_seen_at) \
                 VALUES ($1, $2, $3, $3)",
                args![id_hash.as_slice(), member.as_uuid(), now.unix_seconds()],
            )
            .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &[u8; 32]) -> StoreResult<Option<SessionRecord>> {
        let row: Option<(uuid::Uuid, i64, i64)> = self
            .data
            .fetch_optional(
                "SELECT member_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1",
                args![id_hash.as_slice()],
            )
            .await?;
        Ok(row.map(|(member, created, last_seen)| SessionRecord {
            member_id: MemberId(member),
            created_at: Timestamp::from_unix_seconds(created),
            last_seen_at: Timestamp::from_unix_seconds(last_seen),
        }))
    }

    async fn touch_session(&self, id_hash: &[u8; 32], now: Timestamp) -> StoreResult<()> {
        self.data
            .execute(
                "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2",
                args![now.unix_seconds(), id_hash.as_slice()],
            )
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &[u8; 32]) -> StoreResult<()> {
        self.data
            .execute(
                "DELETE FROM sessions WHERE id_hash = $1",
                args![id_hash.as_slice()],
            )
            .await?;
        Ok(())
    }

    async fn sign_out_everywhere(&self, id: MemberId) -> StoreResult<()> {
        let mut tx = self.data.begin().await?;
        tx.execute(
            "DELETE FROM sessions WHERE member_id = $1",
            args![id.as_uuid()],
        )
        .await?;
        tx.execute(
            "DELETE FROM api_tokens WHERE member_id = $1",
            args![id.as_uuid()],
        )
        .await?;
        tx.commit().await
    }

    async fn delete_other_sessions(&self, id: MemberId, keep: &[u8; 32]) -> StoreResult<()> {
        self.data
            .execute(
                "DELETE FROM sessions WHERE member_id = $1 AND id_hash <> $2",
                args![id.as_uuid(), keep.as_slice()],
            )
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(
        &self,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> StoreResult<u64> {
        self.data
            .execute(
                "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2",
                args![idle_before.unix_seconds(), created_before.unix_seconds()],
            )
            .await
    }

    async fn create_api_token(
        &self,
        token_hash: &[u8; 32],
        member: MemberId,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.data
            .execute(
                "INSERT INTO api_tokens (token_hash, member_id, created_at) VALUES ($1, $2, $3)",
                args![token_hash.as_slice(), member.as_uuid(), now.unix_seconds()],
            )
            .await?;
        Ok(())
    }

    async fn api_token_member(&self, token_hash: &[u8; 32]) -> StoreResult<Option<MemberId>> {
        let row: Option<(uuid::Uuid,)> = self
            .data
            .fetch_optional(
                "SELECT member_id FROM api_tokens WHERE token_hash = $1",
                args![token_hash.as_slice()],
            )
            .await?;
        Ok(row.map(|(id,)| MemberId(id)))
    }

    async fn delete_api_token(&self, token_hash: &[u8; 32]) -> StoreResult<()> {
        self.data
            .execute(
                "DELETE FROM api_tokens WHERE token_hash = $1",
                args![token_hash.as_slice()],
            )
            .await?;
        Ok(())
    }

    async fn set_discreet(&self, member: MemberId, discreet: bool) -> StoreResult<()> {
        let changed = self
            .data
            .execute(
                "UPDATE members SET discreet = $1 WHERE id = $2",
                args![i64::from(discreet), member.as_uuid()],
            )
            .await?;
        one_row(changed)
    }
}
