//! The two databases behind one handle, so every statement is written once.
//!
//! A statement is a `&'static str` with `$1` placeholders (SQLite reads them too), never text
//! built at run time. Its bind values are a short list of [`Arg`]s, written with [`args!`] and
//! bound in order by whichever driver runs it; its rows decode into any [`FromDbRow`] type,
//! in practice a tuple of plain column types. The few statements whose text differs by
//! database pick it side by side with [`Db::pick`].

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgPool, PgRow};
use sqlx::sqlite::{SqliteArguments, SqlitePool, SqliteRow};
use sqlx::{Arguments, Encode, Postgres, Sqlite, Type};
use uuid::Uuid;

use crate::backend::Backend;
use crate::error::StoreResult;

/// A pool of one of the two databases.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on one of the two databases. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// A value for one `$n` placeholder. It borrows: the driver copies it when binding.
///
/// Each variant binds the Rust type the statements always bound, so both databases see the
/// same column types as before (`i64` as `BIGINT`, `&[u8]` as `BYTEA` / blob, and so on).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    Uuid(Uuid),
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
    /// A blob that may be `NULL` (a sealed field the member left empty).
    OptionalBytes(Option<&'a [u8]>),
}

impl From<Uuid> for Arg<'_> {
    fn from(value: Uuid) -> Self {
        Self::Uuid(value)
    }
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Bytes(value)
    }
}

impl<'a> From<&'a Vec<u8>> for Arg<'a> {
    fn from(value: &'a Vec<u8>) -> Self {
        Self::Bytes(value)
    }
}

impl<'a> From<&'a Option<Vec<u8>>> for Arg<'a> {
    fn from(value: &'a Option<Vec<u8>>) -> Self {
        Self::OptionalBytes(value.as_deref())
    }
}

/// The bind values of one statement, in placeholder order: `args![id.as_uuid(), &sealed]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::db::Arg::from($value)),*]
    };
}

pub(crate) use args;

impl Arg<'_> {
    /// Binds this value to the next placeholder. Written once for both drivers: each
    /// implements the encodings the variants need.
    fn add_to<A>(self, arguments: &mut A) -> Result<(), BoxDynError>
    where
        A: Arguments,
        Uuid: Type<A::Database> + for<'t> Encode<'t, A::Database>,
        i64: Type<A::Database> + for<'t> Encode<'t, A::Database>,
        for<'t> &'t str: Type<A::Database> + Encode<'t, A::Database>,
        for<'t> &'t [u8]: Type<A::Database> + Encode<'t, A::Database>,
        for<'t> Option<&'t [u8]>: Type<A::Database> + Encode<'t, A::Database>,
    {
        match self {
            Self::Uuid(value) => arguments.add(value),
            Self::Int(value) => arguments.add(value),
            Self::Text(value) => arguments.add(value),
            Self::Bytes(value) => arguments.add(value),
            Self::OptionalBytes(value) => arguments.add(value),
        }
    }
}

/// One driver's arguments for a statement, bound in order.
fn arguments<A>(args: &[Arg<'_>]) -> Result<A, sqlx::Error>
where
    A: Arguments,
    Uuid: Type<A::Database> + for<'t> Encode<'t, A::Database>,
    i64: Type<A::Database> + for<'t> Encode<'t, A::Database>,
    for<'t> &'t str: Type<A::Database> + Encode<'t, A::Database>,
    for<'t> &'t [u8]: Type<A::Database> + Encode<'t, A::Database>,
    for<'t> Option<&'t [u8]>: Type<A::Database> + Encode<'t, A::Database>,
{
    let mut arguments = A::default();
    arguments.reserve(args.len(), 0);
    for arg in args {
        arg.add_to(&mut arguments).map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}

/// A row type both drivers can decode: the one bound every read is written against.
pub(crate) trait FromDbRow:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> FromDbRow for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

impl Db {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The text of a statement that differs by database, both written side by side where it
    /// is used (the keystore's schema, `FOR UPDATE SKIP LOCKED`).
    pub(crate) fn pick(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Self::Sqlite(_) => sqlite,
            Self::Postgres(_) => postgres,
        }
    }

    pub(crate) async fn fetch_all<T: FromDbRow>(
        &self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<Vec<T>> {
        Ok(match self {
            Self::Sqlite(pool) => {
                sqlx::query_as_with(sql, arguments::<SqliteArguments>(args)?)
                    .fetch_all(pool)
                    .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_as_with(sql, arguments::<PgArguments>(args)?)
                    .fetch_all(pool)
                    .await?
            }
        })
    }

    /// The one row; `NotFound` when there is none.
    pub(crate) async fn fetch_one<T: FromDbRow>(
        &self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<T> {
        Ok(match self {
            Self::Sqlite(pool) => {
                sqlx::query_as_with(sql, arguments::<SqliteArguments>(args)?)
                    .fetch_one(pool)
                    .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_as_with(sql, arguments::<PgArguments>(args)?)
                    .fetch_one(pool)
                    .await?
            }
        })
    }

    pub(crate) async fn fetch_optional<T: FromDbRow>(
        &self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<Option<T>> {
        Ok(match self {
            Self::Sqlite(pool) => {
                sqlx::query_as_with(sql, arguments::<SqliteArguments>(args)?)
                    .fetch_optional(pool)
                    .await?
            }
            Self::Postgres(pool) => {
                sqlx::query_as_with(sql, arguments::<PgArguments>(args)?)
                    .fetch_optional(pool)
                    .await?
            }
        })
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) async fn execute(&self, sql: &'static str, args: &[Arg<'_>]) -> StoreResult<u64> {
        let done = match self {
            Self::Sqlite(pool) => sqlx::query_with(sql, arguments::<SqliteArguments>(args)?)
                .execute(pool)
                .await?
                .rows_affected(),
            Self::Postgres(pool) => sqlx::query_with(sql, arguments::<PgArguments>(args)?)
                .execute(pool)
                .await?
                .rows_affected(),
        };
        Ok(done)
    }

    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that will write after reading, and must not be overtaken between the
    /// two. On SQLite it takes the database's write lock at once (`BEGIN IMMEDIATE`): a
    /// deferred transaction that read first could not write after another writer committed.
    /// On PostgreSQL it is a plain transaction; the caller locks the row it decides on with
    /// [`Tx::lock`].
    ///
    /// Inside a transaction, use only the transaction: read keys and seal values before it
    /// begins. One that waited for a second connection of the pool while holding one would,
    /// with as many such writes at once as the pool has connections, wait forever.
    pub(crate) async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// Locks the one row `sql` selects until the transaction ends, so that everyone deciding
    /// on it (a circle's members, its reveal) waits their turn; false when there is no such
    /// row. `sql` is a `SELECT … FOR UPDATE` on PostgreSQL; on SQLite the transaction holds
    /// the write lock already ([`Db::begin_write`]), so the same row is only read.
    pub(crate) async fn lock(
        &mut self,
        sqlite: &'static str,
        postgres: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<bool> {
        let sql = match self {
            Self::Sqlite(_) => sqlite,
            Self::Postgres(_) => postgres,
        };
        let row: Option<(i64,)> = self.fetch_optional(sql, args).await?;
        Ok(row.is_some())
    }

    /// The one row; `NotFound` when there is none.
    pub(crate) async fn fetch_one<T: FromDbRow>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<T> {
        Ok(match self {
            Self::Sqlite(tx) => {
                sqlx::query_as_with(sql, arguments::<SqliteArguments>(args)?)
                    .fetch_one(&mut **tx)
                    .await?
            }
            Self::Postgres(tx) => {
                sqlx::query_as_with(sql, arguments::<PgArguments>(args)?)
                    .fetch_one(&mut **tx)
                    .await?
            }
        })
    }

    pub(crate) async fn fetch_optional<T: FromDbRow>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<Option<T>> {
        Ok(match self {
            Self::Sqlite(tx) => {
                sqlx::query_as_with(sql, arguments::<SqliteArguments>(args)?)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Self::Postgres(tx) => {
                sqlx::query_as_with(sql, arguments::<PgArguments>(args)?)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    /// Runs a statement in the transaction; returns how many rows it changed.
    pub(crate) async fn execute(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> StoreResult<u64> {
        let done = match self {
            Self::Sqlite(tx) => sqlx::query_with(sql, arguments::<SqliteArguments>(args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Self::Postgres(tx) => sqlx::query_with(sql, arguments::<PgArguments>(args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        };
        Ok(done)
    }

    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
