//! Who is asking: password hashing, random secrets, session cookies and API tokens.

use std::sync::Arc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tend_core::RecoveryCode;
use tend_store::{Member, MemberId, StoreError};
use tokio::sync::Semaphore;

use crate::clock;
use crate::error::AppError;
use crate::security::Cookies;
use crate::state::AppState;

/// Password hashing with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
/// Hashing runs on blocking threads, at most four at once, so a burst of sign-ins cannot
/// exhaust memory.
pub struct Passwords {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// Checked against when a username does not exist, so that both answers take as long.
    dummy_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing was interrupted")]
    Interrupted,
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

    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let argon2 = self.argon2.clone();
        let password = password.to_owned();
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Interrupted)?;
        tokio::task::spawn_blocking(move || hash_with(&argon2, &password))
            .await
            .map_err(|_| HashError::Interrupted)?
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

fn hash_with(argon2: &Argon2<'_>, password: &str) -> Result<String, HashError> {
    // A random 16-byte salt is drawn from the operating system for each hash.
    argon2
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

/// 256 random bits, base64url: session ids and API tokens.
pub fn random_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| AppError::internal("random source failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a secret: its SHA-256.
pub fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A fresh set of recovery codes and the hashes to store.
pub fn new_recovery_codes() -> Result<(Vec<RecoveryCode>, Vec<[u8; 32]>), AppError> {
    let mut codes = Vec::with_capacity(RecoveryCode::PER_MEMBER);
    for _ in 0..RecoveryCode::PER_MEMBER {
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes).map_err(|_| AppError::internal("random source failed"))?;
        codes.push(RecoveryCode::from_random(bytes));
    }
    let hashes = codes.iter().map(recovery_code_hash).collect();
    Ok((codes, hashes))
}

pub fn recovery_code_hash(code: &RecoveryCode) -> [u8; 32] {
    secret_hash(code.canonical())
}

/// The signed-in member of a page request, found through the session cookie.
#[derive(Clone)]
pub struct SignedIn {
    pub member: Member,
    pub session_hash: [u8; 32],
}

/// The member behind a session cookie, if it names a live session. An expired session is
/// deleted on sight.
pub async fn signed_in(state: &AppState, cookies: &Cookies) -> Result<Option<SignedIn>, AppError> {
    match cookies.session() {
        Some(session_id) => signed_in_with(state, session_id).await,
        None => Ok(None),
    }
}

/// The member of the session with cookie value `session_id`, if it is alive.
pub async fn signed_in_with(
    state: &AppState,
    session_id: &str,
) -> Result<Option<SignedIn>, AppError> {
    let session_hash = secret_hash(session_id);
    let Some(session) = state.store.session(&session_hash).await? else {
        return Ok(None);
    };
    let now = clock::now();
    let policy = state.config.session;
    if !policy.is_alive(session.created_at, session.last_seen_at, now) {
        state.store.delete_session(&session_hash).await?;
        return Ok(None);
    }
    if policy.should_touch(session.last_seen_at, now) {
        state.store.touch_session(&session_hash, now).await?;
    }
    match state.store.member(session.member_id).await {
        Ok(member) => Ok(Some(SignedIn {
            member,
            session_hash,
        })),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Starts a new session for `member` and returns the cookie value. Called at every sign-in,
/// so a session id planted before sign-in is never promoted.
pub async fn start_session(state: &AppState, member: MemberId) -> Result<String, AppError> {
    let session_id = random_secret()?;
    state
        .store
        .create_session(&secret_hash(&session_id), member, clock::now())
        .await?;
    Ok(session_id)
}

/// The member behind an API request's `Authorization: Bearer` token.
pub struct ApiMember {
    pub member: Member,
    pub token_hash: [u8; 32],
}

impl FromRequestParts<AppState> for ApiMember {
    type Rejection = crate::api::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(crate::api::ApiError::Unauthorized)?;
        let token_hash = secret_hash(token);
        let member_id = state
            .store
            .api_token_member(&token_hash)
            .await?
            .ok_or(crate::api::ApiError::Unauthorized)?;
        let member = match state.store.member(member_id).await {
            Ok(member) => member,
            Err(StoreError::NotFound) => return Err(crate::api::ApiError::Unauthorized),
            Err(error) => return Err(error.into()),
        };
        Ok(Self { member, token_hash })
    }
}

/// The client's address, for rate limits only: it is never stored or logged.
pub struct ClientAddr(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
        Ok(Self(ip))
    }
}
