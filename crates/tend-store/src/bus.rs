//! The bus between instances sharing one database: after a change is committed, an instance
//! announces its topic, and the others read that topic again. PostgreSQL carries it with
//! LISTEN/NOTIFY (in `postgres.rs`); SQLite has one instance, so there is nobody to tell.

use async_trait::async_trait;

use crate::announcements::Announcements;
use crate::db::Db;
use crate::error::StoreResult;
use crate::postgres;
use crate::store::SqlStore;

#[async_trait]
pub trait BusStore: Send + Sync {
    /// Tells the other instances sharing this database that `topic` has news (PostgreSQL
    /// NOTIFY, after the change was committed). SQLite has one instance: nothing to do.
    async fn announce(&self, topic: &str) -> StoreResult<()>;
    /// Follows what the other instances announce; `None` on SQLite.
    async fn announcements(&self) -> StoreResult<Option<Box<dyn Announcements>>>;
}

#[async_trait]
impl BusStore for SqlStore {
    async fn announce(&self, topic: &str) -> StoreResult<()> {
        match &self.data {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(pool) => postgres::notify(pool, topic).await,
        }
    }

    async fn announcements(&self) -> StoreResult<Option<Box<dyn Announcements>>> {
        match &self.data {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(pool) => Ok(Some(postgres::listen(pool).await?)),
        }
    }
}
