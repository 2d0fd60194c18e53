//! Which database a store is, whether it answers, and where its data lives.

use std::path::PathBuf;

use async_trait::async_trait;

use crate::error::StoreResult;

/// Which database this is, and whether it answers.
#[async_trait]
pub trait BackendStore: Send + Sync {
    /// Which database this is, for logs and `/readyz`.
    fn backend(&self) -> Backend;

    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives: the database URL, and (for SQLite) the keystore file kept apart.
#[derive(Clone, Debug)]
pub struct Location {
    pub database_url: String,
    /// The keystore's SQLite file; unused on PostgreSQL, where the keystore is a schema.
    pub keystore_path: PathBuf,
    /// Most connections the pool opens (PostgreSQL; SQLite uses a small fixed pool).
    pub max_connections: u32,
}
