//! The `tend` binary as a newcomer runs it: one command, a data directory appears, a page
//! answers; and `tend migrate`, `tend --help`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod architecture;

use sqlx::Connection;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const TEND: &str = env!("CARGO_BIN_EXE_tend");

/// `tend serve` in `dir` on a random port; returns the process and its address.
fn serve(dir: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(TEND)
        .current_dir(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_remove("TEND_DATABASE_URL")
        .env_remove("TEND_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("Tend is running at ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    (child, address)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn logs_hold_no_address_user_agent_query_or_form_field() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.txt");
    let mut child = Command::new(TEND)
        .current_dir(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("TEND_LOG", "trace")
        .env_remove("TEND_DATABASE_URL")
        .env_remove("TEND_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .strip_prefix("Tend is running at ")
        .unwrap()
        .to_owned();
    let client = reqwest::Client::builder()
        .user_agent("ZebraAgent/1.0")
        .build()
        .unwrap();
    client
        .get(format!("{address}/signin?notice=zebra-query"))
        .send()
        .await
        .unwrap();
    client
        .post(format!("{address}/api/v1/tokens"))
        .header("content-type", "application/json")
        .body(r#"{"username":"zebra-user","password":"zebra-password"}"#)
        .send()
        .await
        .unwrap();
    stop(child);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("/api/v1/tokens"),
        "requests are logged at trace: {text}"
    );
    let host = address.trim_start_matches("http://");
    for secret in [
        "ZebraAgent",
        "zebra-query",
        "zebra-user",
        "zebra-password",
        host,
    ] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
    }
}

#[tokio::test]
async fn the_first_run_creates_the_data_directory_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let (child, address) = serve(dir.path(), &[]);
    let health = reqwest::get(format!("{address}/healthz")).await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = reqwest::get(format!("{address}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let home = reqwest::get(format!("{address}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Quick exit"));
    stop(child);

    let data = dir.path().join("tend-data");
    assert!(data.join("tend.db").exists());
    assert!(
        data.join("keystore.db").exists(),
        "the keystore is a file of its own"
    );
    // WAL mode: the database header's read and write versions are 2.
    let header = std::fs::read(data.join("tend.db")).unwrap();
    assert_eq!(&header[18..20], &[2, 2], "tend.db is not in WAL mode");
    let key = std::fs::read_to_string(data.join("master.key")).unwrap();
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A second start keeps the key and the data.
    let (child, address) = serve(dir.path(), &[]);
    assert_eq!(
        reqwest::get(format!("{address}/readyz"))
            .await
            .unwrap()
            .status(),
        200
    );
    stop(child);
    assert_eq!(
        std::fs::read_to_string(data.join("master.key")).unwrap(),
        key
    );
}

#[test]
fn a_missing_master_key_beside_existing_data_stops_start_up_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let first = Command::new(TEND)
        .current_dir(dir.path())
        .args(["migrate"])
        .env_remove("TEND_DATABASE_URL")
        .output()
        .unwrap();
    assert!(first.status.success());
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        "Migrations applied (Sqlite)."
    );
    std::fs::remove_file(dir.path().join("tend-data/master.key")).unwrap();
    let output = Command::new(TEND)
        .current_dir(dir.path())
        .args(["migrate"])
        .env_remove("TEND_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("master.key is missing"), "{message}");
    assert!(
        !dir.path().join("tend-data/master.key").exists(),
        "no new key was made"
    );
}

#[test]
fn help_explains_every_command() {
    let output = Command::new(TEND).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for command in ["serve", "migrate"] {
        assert!(help.contains(command), "{help}");
    }
    let serve = Command::new(TEND)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let serve = String::from_utf8_lossy(&serve.stdout);
    for flag in [
        "--bind",
        "--data",
        "--database-url",
        "--public-url",
        "[env: TEND_BIND=",
    ] {
        assert!(serve.contains(flag), "{flag}: {serve}");
    }
}

#[tokio::test]
async fn migrate_and_serve_work_on_postgresql() {
    let Some(server) = tend_store::testing::postgres_url() else {
        tend_store::testing::say_skipped(
            "ran on SQLite only; set TEND_TEST_POSTGRES_URL to run on PostgreSQL too",
        );
        return;
    };
    let db = tend_store::testing::TestDatabase::postgres(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let url = db.location.database_url.clone();
    let key = dir.path().join("master.key");
    let status = Command::new(TEND)
        .current_dir(dir.path())
        .args(["migrate", "--database-url", &url, "--master-key-file"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let (child, address) = serve(
        dir.path(),
        &[
            "--database-url",
            &url,
            "--master-key-file",
            key.to_str().unwrap(),
        ],
    );
    // A second instance with the same key on the same database: both are ready.
    let (second, other_address) = serve(
        dir.path(),
        &[
            "--database-url",
            &url,
            "--master-key-file",
            key.to_str().unwrap(),
        ],
    );
    for base in [&address, &other_address] {
        let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
        assert_eq!(ready.status(), 200);
        assert_eq!(ready.text().await.unwrap(), "ready: postgresql answers");
    }
    stop(second);
    stop(child);

    // Another key for the same database is refused.
    let other = dir.path().join("other.key");
    let output = Command::new(TEND)
        .current_dir(dir.path())
        .args(["migrate", "--database-url", &url, "--master-key-file"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not match"));
    assert!(!other.exists(), "the unusable key was not left behind");

    // A newer Tend migrated the database: this one refuses, saying why.
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from a newer Tend', TRUE, '\\x00', 0)",
    )
    .execute(&mut admin)
    .await
    .unwrap();
    let output = Command::new(TEND)
        .current_dir(dir.path())
        .args(["migrate", "--database-url", &url, "--master-key-file"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("newer version of Tend"), "{message}");
}
