//! The embedded backend: a SQLite file for the data and another for the keystore. Only what
//! differs from PostgreSQL lives here: connection options and migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::backend::Location;
use crate::db::Db;
use crate::error::StoreResult;
use crate::store::check_schema;

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

/// Opens and migrates the data file and the keystore file: `(data, keys)`.
pub(crate) async fn open(location: &Location) -> StoreResult<(Db, Db)> {
    let pool = connect(durable(SqliteConnectOptions::from_str(
        &location.database_url,
    )?))
    .await?;
    let keys = connect(durable(
        SqliteConnectOptions::new().filename(&location.keystore_path),
    ))
    .await?;
    let migrator = sqlx::migrate!("./migrations/sqlite");
    check_schema(&Db::Sqlite(pool.clone()), &migrator).await?;
    migrator.run(&pool).await?;
    sqlx::migrate!("./migrations/sqlite-keystore")
        .run(&keys)
        .await?;
    Ok((Db::Sqlite(pool), Db::Sqlite(keys)))
}
