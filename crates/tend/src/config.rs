//! Configuration: every setting is a flag with a `TEND_*` environment fallback, and may also
//! be written in an optional `tend.toml`. Flags and environment win over the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use tend_core::SessionPolicy;
use tend_web::SupportResource;

/// Tend: a privacy-first, self-hostable app for aftercare.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// A TOML file with settings (default: ./tend.toml when it exists).
    #[arg(long, global = true, env = "TEND_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server (creates the data directory and master key on first run).
    Serve(ServeArgs),
    /// Apply database migrations, then exit.
    Migrate(StorageArgs),
}

#[derive(Args, Debug, Default, Clone)]
pub struct StorageArgs {
    /// Directory for the SQLite database, keystore and master key.
    #[arg(long = "data", env = "TEND_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… (default: <data>/tend.db) or postgres://user@host/db.
    #[arg(long, env = "TEND_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The master key file (default: <data>/master.key). Every instance sharing a database
    /// must use the same key.
    #[arg(long, env = "TEND_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,
    /// Most database connections per instance (PostgreSQL).
    #[arg(long, env = "TEND_MAX_CONNECTIONS")]
    pub max_connections: Option<u32>,
}

#[derive(Args, Debug, Default, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Address and port to listen on.
    #[arg(long, env = "TEND_BIND")]
    pub bind: Option<String>,
    /// The address members use, e.g. https://tend.example.org (turns on Secure cookies and HSTS).
    #[arg(long, env = "TEND_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Where Quick exit goes, after ending the sign-in (default: /exit, a blank page of Tend's
    /// own). A neutral site, e.g. https://www.bbc.co.uk/weather, looks less out of place.
    #[arg(long, env = "TEND_EXIT_URL")]
    pub exit_url: Option<String>,
    /// Minutes without use after which a sign-in ends.
    #[arg(long, env = "TEND_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<u64>,
    /// Hours after which a sign-in ends, used or not.
    #[arg(long, env = "TEND_SESSION_MAX_HOURS")]
    pub session_max_hours: Option<u64>,
    /// Sign-in attempts allowed per client per minute (counted in memory only).
    #[arg(long, env = "TEND_SIGN_IN_PER_MINUTE")]
    pub sign_in_per_minute: Option<u32>,
}

/// The optional `tend.toml`: the same settings, in snake case, plus the support resources.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    master_key_file: Option<PathBuf>,
    max_connections: Option<u32>,
    public_url: Option<String>,
    exit_url: Option<String>,
    session_idle_minutes: Option<u64>,
    session_max_hours: Option<u64>,
    sign_in_per_minute: Option<u32>,
    #[serde(default)]
    support: Vec<SupportResource>,
}

/// The resolved settings.
#[derive(Debug)]
pub struct Settings {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub master_key_file: PathBuf,
    pub max_connections: u32,
    pub public_url: Option<String>,
    pub exit_url: String,
    pub session: SessionPolicy,
    pub sign_in_per_minute: u32,
    pub support: Vec<SupportResource>,
}

impl Settings {
    pub fn resolve(cli: &Cli) -> anyhow::Result<Self> {
        let file = read_file(cli.config.as_deref())?;
        let (storage, serve) = match &cli.command {
            Command::Serve(args) => (args.storage.clone(), args.clone()),
            Command::Migrate(storage) => (storage.clone(), ServeArgs::default()),
        };
        let data_dir = storage
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("tend-data"));
        let database_url = storage
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("tend.db").display()));
        let master_key_file = storage
            .master_key_file
            .or(file.master_key_file)
            .unwrap_or_else(|| data_dir.join("master.key"));
        let defaults = SessionPolicy::default();
        let session = SessionPolicy {
            idle: serve
                .session_idle_minutes
                .or(file.session_idle_minutes)
                .map_or(defaults.idle, |minutes| Duration::from_secs(minutes * 60)),
            absolute: serve
                .session_max_hours
                .or(file.session_max_hours)
                .map_or(defaults.absolute, |hours| Duration::from_secs(hours * 3600)),
        };
        let exit_url = serve
            .exit_url
            .or(file.exit_url)
            .unwrap_or_else(|| "/exit".to_owned());
        anyhow::ensure!(
            exit_url.starts_with('/')
                || exit_url.starts_with("https://")
                || exit_url.starts_with("http://"),
            "exit_url must be a path on this site or an http(s) address, not {exit_url:?}"
        );
        // Quick exit itself redirects to exit_url: pointing it back would never leave.
        anyhow::ensure!(
            !exit_url.starts_with("/quick-exit"),
            "exit_url cannot be /quick-exit itself; the default is /exit, a blank page"
        );
        Ok(Self {
            bind: serve
                .bind
                .or(file.bind)
                .unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            data_dir,
            database_url,
            master_key_file,
            max_connections: storage
                .max_connections
                .or(file.max_connections)
                .unwrap_or(10),
            public_url: serve.public_url.or(file.public_url),
            exit_url,
            session,
            sign_in_per_minute: serve
                .sign_in_per_minute
                .or(file.sign_in_per_minute)
                .unwrap_or(10),
            support: file.support,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        !(self.database_url.starts_with("postgres:")
            || self.database_url.starts_with("postgresql:"))
    }
}

fn read_file(explicit: Option<&Path>) -> anyhow::Result<FileSettings> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let default = PathBuf::from("tend.toml");
            if !default.exists() {
                return Ok(FileSettings::default());
            }
            default
        }
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(args: &[&str]) -> Settings {
        let cli = Cli::try_parse_from(args).unwrap();
        Settings::resolve(&cli).unwrap()
    }

    #[test]
    fn defaults_are_sqlite_in_tend_data_on_localhost() {
        let settings = resolve(&["tend", "--config", "/dev/null", "serve"]);
        assert_eq!(settings.bind, "127.0.0.1:8080");
        assert_eq!(settings.database_url, "sqlite://tend-data/tend.db");
        assert_eq!(
            settings.master_key_file,
            PathBuf::from("tend-data/master.key")
        );
        assert!(settings.is_sqlite());
    }

    #[test]
    fn flags_win_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tend.toml");
        std::fs::write(
            &file,
            "bind = \"127.0.0.1:9000\"\ndata_dir = \"/srv/tend\"\nsession_idle_minutes = 5\n\
             [[support]]\nname = \"Local line\"\nphone = \"0800 123\"\n",
        )
        .unwrap();
        let config = file.to_str().unwrap();
        let settings = resolve(&["tend", "--config", config, "serve", "--bind", "0.0.0.0:1"]);
        assert_eq!(settings.bind, "0.0.0.0:1");
        assert_eq!(settings.data_dir, PathBuf::from("/srv/tend"));
        assert_eq!(settings.session.idle, Duration::from_secs(300));
        assert_eq!(settings.support[0].name, "Local line");
    }

    #[test]
    fn the_documented_example_file_is_valid() {
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/tend.example.toml");
        let settings = resolve(&["tend", "--config", example, "serve"]);
        assert_eq!(settings.bind, "127.0.0.1:8080");
        assert_eq!(settings.session, SessionPolicy::default());
    }

    #[test]
    fn an_unknown_setting_in_the_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tend.toml");
        std::fs::write(&file, "bnd = \"x\"\n").unwrap();
        let cli =
            Cli::try_parse_from(["tend", "--config", file.to_str().unwrap(), "serve"]).unwrap();
        assert!(Settings::resolve(&cli).is_err());
    }
}
