//! The embedded backend: a SQLite file for the data and another for the keystore. Only what
//! differs from PostgreSQL lives here: connection options and migrations.

use std::path::Path;
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

/// Makes `path` (and its write-ahead log and shared memory, if there are any) readable and
/// writable by its owner alone, creating it empty when it does not exist yet: SQLite then
/// makes the log and shared memory files with the same mode.
fn private(path: &Path) -> StoreResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if path.as_os_str().is_empty() || path == Path::new(":memory:") {
            return Ok(());
        }
        let io = |error: std::io::Error| crate::error::StoreError::from(sqlx::Error::Io(error));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(io(error)),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            let file = Path::new(&file);
            if file.exists() {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
                    .map_err(io)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Opens and migrates the data file and the keystore file: `(data, keys)`. Both are the
/// owner's alone (mode 0600).
pub(crate) async fn open(location: &Location) -> StoreResult<(Db, Db)> {
    let data = SqliteConnectOptions::from_str(&location.database_url)?;
    private(data.get_filename())?;
    private(&location.keystore_path)?;
    let pool = connect(durable(data)).await?;
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
