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
mod announcements;
mod backend;
mod bus;
mod circles;
mod db;
mod error;
mod follow_ups;
mod ids;
mod invites;
mod jobs;
mod keys;
mod notifications;
mod postgres;
mod profile;
mod reflections;
pub mod retry;
mod routines;
pub mod seal;
mod sessions;
mod sqlite;
mod store;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

pub use accounts::{AccountStore, Credentials, Member, NewMember, SessionRecord};
pub use announcements::{Announcements, Heard};
pub use backend::{Backend, BackendStore, Location};
pub use bus::BusStore;
pub use circles::{CircleMember, CircleRecord, CircleStore, CircleSummary};
pub use error::{StoreError, StoreResult};
pub use follow_ups::{FollowUp, FollowUpStore};
pub use ids::{
    AppreciationId, BoundaryId, CareSessionId, CircleId, CustomItemId, FollowUpId, InviteId, JobId,
    MemberId, NotificationId, ProposalId, ReflectionId, ReviewId,
};
pub use invites::{InviteRecord, InviteStore, InviteView, JoinRefusal};
pub use jobs::{Job, JobKind, JobStore};
pub use notifications::{Notification, NotificationStore, StoredNotification};
pub use profile::{BoundaryRecord, CustomItem, ProfileStore};
pub use reflections::{Appreciation, ReflectionStore};
pub use routines::{ReviewRecord, RoutineStore, RoutineVersion, Settled};
pub use seal::MasterKey;
pub use sessions::{
    CareSession, CareSessionStore, PastSession, Sighting, SignalRecord, StoredCareSession,
};
use store::SqlStore;
pub use tend_core::routine::ProposalAnswer;

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
