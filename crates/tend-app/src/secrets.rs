//! Random secrets (sign-in sessions, API tokens, invite links, recovery codes) and what the
//! database keeps of them: only their SHA-256, never the secret itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tend_core::RecoveryCode;

use crate::error::Error;

/// 256 random bits, base64url.
pub fn random_secret() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| Error::Internal("random source failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a secret: its SHA-256.
pub fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A fresh set of recovery codes and the hashes to store.
pub fn new_recovery_codes() -> Result<(Vec<RecoveryCode>, Vec<[u8; 32]>), Error> {
    let mut codes = Vec::with_capacity(RecoveryCode::PER_MEMBER);
    for _ in 0..RecoveryCode::PER_MEMBER {
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes).map_err(|_| Error::Internal("random source failed"))?;
        codes.push(RecoveryCode::from_random(bytes));
    }
    let hashes = codes.iter().map(recovery_code_hash).collect();
    Ok((codes, hashes))
}

pub fn recovery_code_hash(code: &RecoveryCode) -> [u8; 32] {
    secret_hash(code.canonical())
}
