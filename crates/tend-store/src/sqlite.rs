//! The embedded backend: a SQLite file for the data and another for the keystore.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::backend::{check_master_key, check_schema, store_api};
use crate::seal::MasterKey;
use crate::{Backend, Location, StoreResult};

pub struct SqliteStore {
    pool: SqlitePool,
    keys: SqlitePool,
    master: MasterKey,
}

/// WAL for concurrent readers, `synchronous=FULL` so an acknowledged write survives a power
/// cut, `secure_delete` so deleted rows are overwritten rather than left in free pages.
fn durable(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("secure_delete", "on")
}

async fn connect(options: SqliteConnectOptions) -> StoreResult<SqlitePool> {
    Ok(SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?)
}

impl SqliteStore {
    pub async fn open(location: &Location, master: MasterKey) -> StoreResult<Self> {
        let pool = connect(durable(SqliteConnectOptions::from_str(
            &location.database_url,
        )?))
        .await?;
        let keys = connect(durable(
            SqliteConnectOptions::new().filename(&location.keystore_path),
        ))
        .await?;
        let migrator = sqlx::migrate!("./migrations/sqlite");
        check_schema!(&pool, migrator)?;
        migrator.run(&pool).await?;
        sqlx::migrate!("./migrations/sqlite-keystore")
            .run(&keys)
            .await?;
        check_master_key!(&keys, master, table = "master_key_check")?;
        Ok(Self { pool, keys, master })
    }
}

store_api!(
    SqliteStore,
    backend = Backend::Sqlite,
    member_keys = "member_keys",
    circle_keys = "circle_keys",
    skip_locked = "",
    extra = {
        async fn announce(&self, _topic: &str) -> StoreResult<()> {
            Ok(())
        }

        async fn announcements(&self) -> StoreResult<Option<Box<dyn crate::Announcements>>> {
            Ok(None)
        }
    }
);
