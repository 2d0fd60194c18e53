//! The backend for several instances: one PostgreSQL database, the keystore in its own schema.
//! Only what differs from SQLite lives here: connection options, migrations, and the bus
//! between instances (LISTEN/NOTIFY).

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

use crate::announcements::{Announcements, Heard};
use crate::backend::Location;
use crate::db::Db;
use crate::error::StoreResult;
use crate::store::check_schema;

/// Opens and migrates the database: `(data, keys)`, one pool twice, since the keystore is the
/// `keystore` schema of the same database.
pub(crate) async fn open(location: &Location) -> StoreResult<(Db, Db)> {
    let options = PgConnectOptions::from_str(&location.database_url)?;
    let pool = PgPoolOptions::new()
        .max_connections(location.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    let migrator = sqlx::migrate!("./migrations/postgres");
    check_schema(&Db::Postgres(pool.clone()), &migrator).await?;
    // sqlx holds an advisory lock while migrating, so instances starting together (or
    // `tend migrate` beside running instances) are safe.
    migrator.run(&pool).await?;
    Ok((Db::Postgres(pool.clone()), Db::Postgres(pool)))
}

/// The NOTIFY channel every instance of one database listens on.
const CHANNEL: &str = "tend_bus";

/// Tells every instance listening that `topic` has news.
pub(crate) async fn notify(pool: &PgPool, topic: &str) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(topic)
        .execute(pool)
        .await?;
    Ok(())
}

/// Starts listening on a connection of its own.
pub(crate) async fn listen(pool: &PgPool) -> StoreResult<Box<dyn Announcements>> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(Box::new(Listening(listener)))
}

/// One instance's LISTEN connection. It reconnects by itself after a lost connection and
/// says so, since what was announced meanwhile is gone.
struct Listening(PgListener);

#[async_trait::async_trait]
impl Announcements for Listening {
    async fn next(&mut self) -> StoreResult<Heard> {
        Ok(match self.0.try_recv().await? {
            Some(notification) => Heard::Topic(notification.payload().to_owned()),
            None => Heard::Reconnected,
        })
    }
}
