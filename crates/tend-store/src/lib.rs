//! Tend's persistence: one [`Store`] API, implemented for SQLite (embedded, the default) and
//! PostgreSQL (for several instances), chosen at run time from the database URL.
//!
//! Architecture invariants: no SQL outside this crate; every store test runs on both backends
//! (the conformance suite in `tests/it`); sensitive free text is sealed here, on its way in and
//! out, so no other crate ever sees ciphertext or keys.
//!
//! Layout: [`Store`] is the sum of small traits, one per concept, each in a file of its own
//! together with that concept's record types and its implementation: `accounts.rs` (members,
//! sign-in sessions, API tokens, recovery codes, discreet mode), `profile.rs` (answers, custom
//! items, boundaries, the answers digest), `circles.rs` (membership, sharing, the reveal,
//! leaving), `invites.rs`, `routines.rs` (versions, proposals, reviews), `sessions.rs` (care
//! sessions, their signals, past sessions), `follow_ups.rs`, `reflections.rs` (and
//! appreciations), `notifications.rs`, `jobs.rs` and `bus.rs` (announcements between
//! instances); `BackendStore` (here) says which database it is and whether it answers. One
//! struct, `SqlStore` in `store.rs`, implements them all for both databases over the handles
//! of `db.rs`: an enum over the two sqlx pools whose few helpers (`fetch_all`, `fetch_one`,
//! `fetch_optional`, `execute`, transactions) run each statement, written once as a
//! `&'static str` with `$1` placeholders, on whichever pool the URL chose. The only dialect
//! differences stand side by side where they are used: the keystore's tables in `keys.rs`
//! (data keys wrapped with the master key, and the master-key check) and
//! `FOR UPDATE SKIP LOCKED` in `jobs.rs`; `sqlite.rs` and `postgres.rs` keep only connecting,
//! migrating and (PostgreSQL) LISTEN/NOTIFY.

mod accounts;
mod bus;
mod circles;
mod db;
mod follow_ups;
mod ids;
mod invites;
mod jobs;
mod keys;
mod notifications;
mod postgres;
mod profile;
mod reflections;
mod routines;
pub mod seal;
mod sessions;
mod sqlite;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;

pub use accounts::{AccountStore, Credentials, Member, NewMember, SessionRecord};
pub use bus::{Announcements, BusStore, Heard};
pub use circles::{CircleMember, CircleRecord, CircleStore, CircleSummary};
pub use follow_ups::{FollowUp, FollowUpStore};
pub use ids::{
    AppreciationId, BoundaryId, CareSessionId, CircleId, CustomItemId, FollowUpId, InviteId, JobId,
    MemberId, NotificationId, ProposalId, ReflectionId, ReviewId,
};
pub use invites::{InviteRecord, InviteStore, JoinRefusal};
pub use jobs::{Job, JobKind, JobStore};
pub use notifications::{Notification, NotificationStore, StoredNotification};
pub use profile::{BoundaryRecord, CustomItem, ProfileStore};
pub use reflections::{Appreciation, ReflectionStore};
pub use routines::{ReviewRecord, RoutineStore, RoutineVersion};
pub use seal::MasterKey;
pub use sessions::{CareSession, CareSessionStore, PastSession, SignalRecord, StoredCareSession};
use store::SqlStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value (e.g. a username) is already taken.
    #[error("already exists")]
    Conflict,
    #[error(
        "the master key does not match the keystore: every instance of one database needs \
         the same master key (--master-key-file / TEND_MASTER_KEY_FILE)"
    )]
    WrongMasterKey,
    /// The database was migrated by a newer Tend; this one must not touch it.
    #[error(
        "the database was set up by a newer version of Tend (schema {found}; this version \
         knows up to {known}): run the newer version, or restore a backup taken before it"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("sealing at rest failed: {0}")]
    Seal(#[from] seal::SealError),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a sealed value does not have the expected shape: {0}")]
    Shape(#[from] serde_json::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            _ => Self::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which database this is, and whether it answers.
#[async_trait]
pub trait BackendStore: Send + Sync {
    /// Which database this is, for logs and `/readyz`.
    fn backend(&self) -> Backend;

    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
}

/// Everything Tend keeps, behind one API with one implementation for both databases.
///
/// The methods live in the traits of each concept; a `dyn Store` (what [`open`] returns) has
/// them all, without importing those traits.
pub trait Store:
    BackendStore
    + AccountStore
    + ProfileStore
    + CircleStore
    + InviteStore
    + RoutineStore
    + CareSessionStore
    + FollowUpStore
    + ReflectionStore
    + NotificationStore
    + JobStore
    + BusStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: BackendStore
        + AccountStore
        + ProfileStore
        + CircleStore
        + InviteStore
        + RoutineStore
        + CareSessionStore
        + FollowUpStore
        + ReflectionStore
        + NotificationStore
        + JobStore
        + BusStore
        + Send
        + Sync
        + 'static
{
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

/// Opens the store the URL names (`sqlite:` or `postgres:`), applies migrations, and checks
/// the master key against the keystore.
pub async fn open(location: &Location, master: MasterKey) -> StoreResult<Arc<dyn Store>> {
    let url = location.database_url.as_str();
    let (data, keys) = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        postgres::open(location).await?
    } else {
        sqlite::open(location).await?
    };
    Ok(Arc::new(SqlStore::new(data, keys, master).await?))
}

/// Applies migrations without serving (`tend migrate`).
pub async fn migrate(location: &Location, master: MasterKey) -> StoreResult<Backend> {
    Ok(open(location, master).await?.backend())
}
