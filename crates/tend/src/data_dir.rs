//! The data directory and the master key: created on first run, never overwritten.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use tend_store::{Location, MasterKey, Store, StoreError};
use tend_web::WebConfig;

use crate::config::Settings;

/// Opens the store the settings name, creating the data directory and master key if this is
/// the first run.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    if settings.is_sqlite() {
        create_private_dir(&settings.data_dir)?;
    }
    let keystore_path = settings.data_dir.join("keystore.db");
    let created_key = if settings.master_key_file.exists() {
        false
    } else {
        if settings.is_sqlite() && keystore_path.exists() {
            bail!(
                "{} is missing, but {} exists: without its master key the data cannot be read. \
                 Restore the key file rather than starting afresh.",
                settings.master_key_file.display(),
                keystore_path.display()
            );
        }
        write_new_master_key(&settings.master_key_file)?;
        true
    };
    let key = read_master_key(&settings.master_key_file)?;
    let location = Location {
        database_url: settings.database_url.clone(),
        keystore_path,
        max_connections: settings.max_connections,
    };
    match tend_store::open(&location, key).await {
        Ok(store) => Ok(store),
        Err(StoreError::WrongMasterKey) => {
            if created_key {
                // The key made a moment ago is of no use to this database; leave no trace.
                let _ = std::fs::remove_file(&settings.master_key_file);
            }
            bail!(
                "the master key {} does not match this database's keystore; every instance \
                 must use the key the database was created with",
                settings.master_key_file.display()
            )
        }
        Err(error) => Err(error).context("opening the database"),
    }
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating the data directory {}", dir.display()))
}

/// Writes a new random key as 64 hex digits, readable by the owner only. `create_new` makes
/// sure an existing key is never overwritten.
pub fn write_new_master_key(path: &Path) -> anyhow::Result<()> {
    let key = MasterKey::generate().context("generating the master key")?;
    let hex: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating the master key {}", path.display()))?;
    file.write_all(format!("{hex}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing the master key {}", path.display()))
}

/// The web front's settings; the CSRF secret is derived from the master key, so every
/// instance sharing the key accepts each other's forms.
pub fn web_config(settings: &Settings) -> anyhow::Result<WebConfig> {
    let key = read_master_key(&settings.master_key_file)?;
    let mut config = WebConfig::with_secret(derive_secret(&key, b"tend csrf v1"));
    config.public_url = settings.public_url.clone();
    config.session = settings.session;
    config.exit_url = settings.exit_url.clone();
    config.support = settings.support.clone();
    config.sign_in_per_minute = settings.sign_in_per_minute;
    Ok(config)
}

pub fn read_master_key(path: &Path) -> anyhow::Result<MasterKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the master key {}", path.display()))?;
    let text = text.trim();
    let bytes: Option<Vec<u8>> = (text.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    let Some(bytes) = bytes else {
        bail!("{} must hold 64 hexadecimal digits", path.display());
    };
    MasterKey::from_bytes(&bytes).with_context(|| format!("reading {}", path.display()))
}

/// A secret for one purpose, derived from the master key, so that no second secret needs
/// to be shared between instances.
pub fn derive_secret(key: &MasterKey, purpose: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(purpose);
    hasher.update(key.to_bytes().as_ref());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_master_key_is_private_to_its_owner_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        write_new_master_key(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let first = std::fs::read(&path).unwrap();
        assert!(write_new_master_key(&path).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), first);
        assert!(read_master_key(&path).is_ok());
    }

    #[test]
    fn a_malformed_master_key_is_refused_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        std::fs::write(&path, "not a key").unwrap();
        let error = read_master_key(&path).err().unwrap().to_string();
        assert!(error.contains("64 hexadecimal digits"), "{error}");
    }
}
