//! What can go wrong in the store: `NotFound` for a row that is not the member's (or not
//! there), `Conflict` for a unique value taken or a race lost, and the server's own failures.

use crate::seal;

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
