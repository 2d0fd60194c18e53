//! The keystore: one data key per member and one per circle, each kept wrapped with the master
//! key, and the check that the master key is the one the keystore was made with.
//!
//! Its tables are the only statements whose text differs by database: on SQLite the keystore
//! is a file of its own (`member_keys`), on PostgreSQL the `keystore` schema of the same
//! database (`keystore.member_keys`). Both texts stand side by side in each function.

use crate::db::{Db, args};
use crate::error::{StoreError, StoreResult};
use crate::ids::{CircleId, MemberId};
use crate::seal::{DataKey, MasterKey, SealError};

/// The keystore and the master key that opens it.
pub(crate) struct Keystore {
    /// On SQLite a pool of its own (the keystore is a file of its own); on PostgreSQL the same
    /// pool as the data (the keystore is the `keystore` schema of the same database).
    keys: Db,
    master: MasterKey,
}

impl Keystore {
    /// The keystore of `keys`, once `master` is known to be its master key (the check value
    /// is written on first start).
    pub(crate) async fn open(keys: Db, master: MasterKey) -> StoreResult<Self> {
        check_master_key(&keys, &master).await?;
        Ok(Self { keys, master })
    }

    /// An id made from other ids (`row`) for one purpose (`field`), keyed with the master
    /// key: the same every time, and a stolen database cannot tell what it was made from.
    pub(crate) fn derived_id(&self, field: &str, row: &[u8]) -> Result<uuid::Uuid, SealError> {
        let tag = self.master.mac(field, row)?;
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&tag[..16]);
        Ok(uuid::Uuid::from_bytes(bytes))
    }

    /// Whether the keystore answers.
    pub(crate) async fn ping(&self) -> StoreResult<()> {
        self.keys.execute("SELECT 1", args![]).await?;
        Ok(())
    }

    /// The member's data key, unwrapped with the master key.
    pub(crate) async fn data_key(&self, id: MemberId) -> StoreResult<DataKey> {
        let sql = self.keys.pick(
            "SELECT wrapped FROM member_keys WHERE member_id = $1",
            "SELECT wrapped FROM keystore.member_keys WHERE member_id = $1",
        );
        let (wrapped,): (Vec<u8>,) = self.keys.fetch_one(sql, args![id.as_uuid()]).await?;
        Ok(self.master.unwrap_key(&wrapped, id.as_uuid().as_bytes())?)
    }

    /// Keeps a new member's data key, wrapped.
    pub(crate) async fn add_data_key(&self, id: MemberId, key: &DataKey) -> StoreResult<()> {
        let sql = self.keys.pick(
            "INSERT INTO member_keys (member_id, wrapped) VALUES ($1, $2)",
            "INSERT INTO keystore.member_keys (member_id, wrapped) VALUES ($1, $2)",
        );
        let wrapped = self.master.wrap(key, id.as_uuid().as_bytes())?;
        self.keys
            .execute(sql, args![id.as_uuid(), &wrapped])
            .await?;
        Ok(())
    }

    /// The circle's data key, unwrapped with the master key.
    pub(crate) async fn circle_key(&self, id: CircleId) -> StoreResult<DataKey> {
        let sql = self.keys.pick(
            "SELECT wrapped FROM circle_keys WHERE circle_id = $1",
            "SELECT wrapped FROM keystore.circle_keys WHERE circle_id = $1",
        );
        let (wrapped,): (Vec<u8>,) = self.keys.fetch_one(sql, args![id.as_uuid()]).await?;
        Ok(self.master.unwrap_key(&wrapped, id.as_uuid().as_bytes())?)
    }

    /// Keeps a new circle's data key, wrapped.
    pub(crate) async fn add_circle_key(&self, id: CircleId, key: &DataKey) -> StoreResult<()> {
        let sql = self.keys.pick(
            "INSERT INTO circle_keys (circle_id, wrapped) VALUES ($1, $2)",
            "INSERT INTO keystore.circle_keys (circle_id, wrapped) VALUES ($1, $2)",
        );
        let wrapped = self.master.wrap(key, id.as_uuid().as_bytes())?;
        self.keys
            .execute(sql, args![id.as_uuid(), &wrapped])
            .await?;
        Ok(())
    }

    /// Destroys a circle's key: nothing sealed with it can be opened again.
    pub(crate) async fn delete_circle_key(&self, id: CircleId) -> StoreResult<()> {
        let sql = self.keys.pick(
            "DELETE FROM circle_keys WHERE circle_id = $1",
            "DELETE FROM keystore.circle_keys WHERE circle_id = $1",
        );
        self.keys.execute(sql, args![id.as_uuid()]).await?;
        Ok(())
    }
}

/// Checks `master` against the keystore's sealed check value, writing it on first start.
async fn check_master_key(keys: &Db, master: &MasterKey) -> StoreResult<()> {
    let select = keys.pick(
        "SELECT sealed FROM master_key_check WHERE id = 1",
        "SELECT sealed FROM keystore.master_key_check WHERE id = 1",
    );
    let existing: Option<(Vec<u8>,)> = keys.fetch_optional(select, args![]).await?;
    match existing {
        Some((sealed,)) if master.opens_check(&sealed) => Ok(()),
        Some(_) => Err(StoreError::WrongMasterKey),
        None => {
            let insert = keys.pick(
                "INSERT INTO master_key_check (id, sealed) VALUES (1, $1)",
                "INSERT INTO keystore.master_key_check (id, sealed) VALUES (1, $1)",
            );
            keys.execute(insert, args![&master.seal_check()?]).await?;
            Ok(())
        }
    }
}
