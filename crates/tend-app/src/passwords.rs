//! Password hashing with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
//! Hashing runs on blocking threads, at most four at once, so a burst of sign-ins cannot
//! exhaust memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use tokio::sync::Semaphore;

use crate::error::Error;

pub struct Passwords {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// Checked against when a username does not exist, so that both answers take as long.
    dummy_hash: String,
}

impl Passwords {
    pub fn new() -> Self {
        let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash =
            hash_with(&argon2, "a password nobody has, for timing").unwrap_or_default();
        Self {
            argon2,
            permits: Arc::new(Semaphore::new(4)),
            dummy_hash,
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String, Error> {
        let argon2 = self.argon2.clone();
        let password = password.to_owned();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Internal("password hashing was interrupted"))?;
        tokio::task::spawn_blocking(move || hash_with(&argon2, &password))
            .await
            .map_err(|_| Error::Internal("password hashing was interrupted"))?
    }

    /// Whether `password` matches `hash`; with `None` (no such member) it checks against a
    /// dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_owned();
        let argon2 = self.argon2.clone();
        let password = password.to_owned();
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .is_ok_and(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false);
        known && matches
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> Result<String, Error> {
    // A random 16-byte salt is drawn from the operating system for each hash.
    argon2
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| Error::Internal("password hashing failed"))
}
