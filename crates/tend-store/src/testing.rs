//! Test databases: a temporary SQLite directory, or a fresh PostgreSQL database per test when
//! `TEND_TEST_POSTGRES_URL` is set. Each is removed when dropped.

#![expect(
    clippy::panic,
    reason = "test support: a test database that cannot be made fails the test at once"
)]

use std::path::{Path, PathBuf};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::backend::Location;

/// The PostgreSQL server tests may use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEND_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Says once per test binary, past the test harness's output capture, that something was
/// skipped — so `cargo test` shows it even when every test passes.
pub fn say_skipped(what: &str) {
    use std::io::Write;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut said) = SAID.lock() else {
        return;
    };
    if !said.iter().any(|s| s == what) {
        said.push(what.to_owned());
        let _ = writeln!(std::io::stderr(), "note: {what}");
    }
}

/// A database that exists for one test.
pub struct TestDatabase {
    pub location: Location,
    dir: tempfile::TempDir,
    /// (server URL, database name) of a PostgreSQL database to drop afterwards.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let database = dir.path().join("tend.db");
        Self {
            location: Location {
                database_url: format!("sqlite://{}", database.display()),
                keystore_path: dir.path().join("keystore.db"),
                max_connections: 4,
            },
            dir,
            postgres: None,
        }
    }

    /// A fresh, empty PostgreSQL database on the server at `server_url`.
    pub async fn postgres(server_url: &str) -> Self {
        let name = format!("tend_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(server_url)
            .await
            .unwrap_or_else(|e| panic!("connect to TEND_TEST_POSTGRES_URL: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("create test database: {e}"));
        let _ = admin.close().await;
        let mut sqlite = Self::sqlite();
        sqlite.location.database_url = database_url(server_url, &name);
        sqlite.postgres = Some((server_url.to_owned(), name));
        sqlite
    }

    /// Both backends where available: always SQLite, PostgreSQL when configured.
    pub async fn each_backend() -> Vec<Self> {
        let mut databases = vec![Self::sqlite()];
        match postgres_url() {
            Some(url) => databases.push(Self::postgres(&url).await),
            None => say_skipped(
                "ran on SQLite only; set TEND_TEST_POSTGRES_URL to run on PostgreSQL too",
            ),
        }
        databases
    }

    /// A directory that lives as long as the database, for key files and the like.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The SQLite data file (on PostgreSQL, none).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        (!self.is_postgres()).then(|| self.dir.path().join("tend.db"))
    }
}

/// `server_url` with its database name replaced by `name`.
fn database_url(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &base[..host_end])
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async code; a short-lived runtime on its own thread does the work.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&server_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn test_database_urls_replace_only_the_database_name() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/test", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            database_url("postgres://127.0.0.1?sslmode=disable", "t1"),
            "postgres://127.0.0.1/t1?sslmode=disable"
        );
    }
}
