//! The backend for several instances: one PostgreSQL database, the keystore in its own schema.

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

use crate::backend::{check_master_key, check_schema, store_api};
use crate::seal::MasterKey;
use crate::{Backend, Location, StoreResult};

pub struct PostgresStore {
    pool: PgPool,
    /// The same pool: the keystore is the `keystore` schema of the same database.
    keys: PgPool,
    master: MasterKey,
}

impl PostgresStore {
    pub async fn open(location: &Location, master: MasterKey) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(&location.database_url)?;
        let pool = PgPoolOptions::new()
            .max_connections(location.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let migrator = sqlx::migrate!("./migrations/postgres");
        check_schema!(&pool, migrator)?;
        // sqlx holds an advisory lock while migrating, so instances starting together (or
        // `tend migrate` beside running instances) are safe.
        migrator.run(&pool).await?;
        check_master_key!(&pool, master, table = "keystore.master_key_check")?;
        Ok(Self {
            keys: pool.clone(),
            pool,
            master,
        })
    }
}

store_api!(
    PostgresStore,
    backend = Backend::Postgres,
    member_keys = "keystore.member_keys",
    circle_keys = "keystore.circle_keys",
    skip_locked = " FOR UPDATE SKIP LOCKED",
    extra = {
        async fn announce(&self, topic: &str) -> StoreResult<()> {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(topic)
                .execute(&self.pool)
                .await?;
            Ok(())
        }

        async fn announcements(&self) -> StoreResult<Option<Box<dyn crate::Announcements>>> {
            let mut listener = PgListener::connect_with(&self.pool).await?;
            listener.listen(CHANNEL).await?;
            Ok(Some(Box::new(Listening(listener))))
        }
    }
);

/// The NOTIFY channel every instance of one database listens on.
const CHANNEL: &str = "tend_bus";

/// One instance's LISTEN connection. It reconnects by itself after a lost connection and
/// says so, since what was announced meanwhile is gone.
struct Listening(PgListener);

#[async_trait::async_trait]
impl crate::Announcements for Listening {
    async fn next(&mut self) -> StoreResult<crate::Heard> {
        Ok(match self.0.try_recv().await? {
            Some(notification) => crate::Heard::Topic(notification.payload().to_owned()),
            None => crate::Heard::Reconnected,
        })
    }
}
