//! The one store: [`SqlStore`] implements every store trait for both databases, over the
//! pools of [`crate::db`]. This file opens it and holds what every concept's file uses: the
//! sealed-JSON helpers and the "not yours, or not there" rule.

use async_trait::async_trait;
use sqlx::migrate::Migrator;

use crate::backend::{Backend, BackendStore};
use crate::db::{Db, args};
use crate::error::{StoreError, StoreResult};
use crate::keys::Keystore;
use crate::seal::{DataKey, MasterKey};

/// Everything Tend keeps: the data, and the keystore with the master key that opens it.
pub(crate) struct SqlStore {
    pub(crate) data: Db,
    pub(crate) keystore: Keystore,
}

impl SqlStore {
    /// A store over pools that are migrated already; checks the master key against the
    /// keystore (writing the check value on first start).
    pub(crate) async fn new(data: Db, keys: Db, master: MasterKey) -> StoreResult<Self> {
        let keystore = Keystore::open(keys, master).await?;
        Ok(Self { data, keystore })
    }
}

#[async_trait]
impl BackendStore for SqlStore {
    fn backend(&self) -> Backend {
        self.data.backend()
    }

    async fn ping(&self) -> StoreResult<()> {
        self.data.execute("SELECT 1", args![]).await?;
        self.keystore.ping().await?;
        Ok(())
    }
}

/// Refuses a database that a newer Tend migrated (a migration this one does not know), with a
/// message saying so, before anything is changed.
pub(crate) async fn check_schema(db: &Db, migrator: &Migrator) -> StoreResult<()> {
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    // A fresh database has no migrations table yet: nothing to compare.
    let found: Option<(Option<i64>,)> = db
        .fetch_optional("SELECT MAX(version) FROM _sqlx_migrations", args![])
        .await
        .unwrap_or(None);
    match found.and_then(|(v,)| v) {
        Some(found) if found > known => Err(StoreError::SchemaTooNew { found, known }),
        _ => Ok(()),
    }
}

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

/// Fails with `NotFound` when a statement that names one of the member's rows changed none:
/// the row is not theirs, or not there. Both look the same from outside.
pub(crate) fn one_row(rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
