//! The backend for several instances: one PostgreSQL database, the keystore in its own schema.

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::backend::{check_master_key, store_api};
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
        // sqlx holds an advisory lock while migrating, so instances starting together are safe.
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
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
    skip_locked = " FOR UPDATE SKIP LOCKED"
);
