//! Cross-site request forgery: every visitor gets a CSRF cookie, every state-changing form
//! carries a token made from it, and a request a browser says comes from another site is
//! refused before any handler runs.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::cookies::{CookieNames, read_cookie};
use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Whether `path` may render a page with forms (and so needs the CSRF cookie). The API,
/// assets and health checks do not, and skip that work; nor do Quick exit and its blank
/// page, which must leave no cookie of Tend's behind.
pub fn is_page(path: &str) -> bool {
    !(is_api(path)
        || path.starts_with("/static/")
        || matches!(path, "/healthz" | "/readyz" | "/quick-exit" | "/exit"))
}

/// State-changing requests from pages must come from Tend's own pages. Browsers say where a
/// request comes from (`Sec-Fetch-Site`, `Origin`); a cross-site form post is refused before
/// any handler runs. The CSRF token in each form is the second, independent check.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || is_api(request.uri().path()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross_site = matches!(fetch_site, Some(site) if site != "same-origin" && site != "none");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    // With `Referrer-Policy: no-referrer` browsers send `Origin: null` even for our own
    // forms, so "null" says nothing; the CSRF token decides then.
    let foreign_origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|origin| *origin != "null")
        .is_some_and(|origin| {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            Some(origin_host) != host
        });
    if cross_site || foreign_origin {
        return AppError::from(ErrorKind::CsrfRejected).into_response();
    }
    next.run(request).await
}

/// The value of the visitor's CSRF cookie (made for this request if the visitor had none).
#[derive(Clone)]
pub struct CsrfCookie(String);

impl CsrfCookie {
    /// The token forms carry: an HMAC of the cookie value under the instance's secret, so a
    /// cookie planted by someone else yields no token they could know.
    pub fn token(&self, secret: &[u8; 32]) -> String {
        URL_SAFE_NO_PAD.encode(mac(secret, &self.0))
    }

    fn verifies(&self, secret: &[u8; 32], token: &str) -> bool {
        let Ok(token) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        let Ok(mut mac_state) = Hmac::<Sha256>::new_from_slice(secret) else {
            return false;
        };
        mac_state.update(self.0.as_bytes());
        mac_state.verify_slice(&token).is_ok()
    }
}

fn mac(secret: &[u8; 32], value: &str) -> Vec<u8> {
    let Ok(mut mac_state) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Vec::new();
    };
    mac_state.update(value.as_bytes());
    mac_state.finalize().into_bytes().to_vec()
}

/// Gives every visitor a CSRF cookie: read it, or make one and set it on the response.
pub async fn csrf_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if !is_page(request.uri().path()) {
        return next.run(request).await;
    }
    let names = CookieNames::for_state(&state);
    let existing = read_cookie(request.headers(), names.csrf).filter(|value| value.len() >= 32);
    let (value, fresh) = match existing {
        Some(value) => (value, false),
        None => match random_value() {
            Some(value) => (value, true),
            None => return AppError::internal("random source failed").into_response(),
        },
    };
    request.extensions_mut().insert(CsrfCookie(value.clone()));
    let mut response = next.run(request).await;
    if fresh {
        response
            .headers_mut()
            .append(header::SET_COOKIE, names.set(names.csrf, &value));
    }
    response
}

impl FromRequestParts<AppState> for CsrfCookie {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfCookie>()
            .cloned()
            .ok_or_else(|| AppError::internal("csrf cookie middleware missing"))
    }
}

/// A submitted form whose CSRF token matched: every state-changing page handler takes its
/// input through this, so none can forget the check.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(
        request: Request<Body>,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let cookie = request
            .extensions()
            .get::<CsrfCookie>()
            .cloned()
            .ok_or_else(|| AppError::internal("csrf cookie middleware missing"))?;
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::from(ErrorKind::TooLarge)
                } else {
                    AppError::from(ErrorKind::BadRequest)
                }
            })?;
        let field: CsrfField =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| ErrorKind::BadRequest)?;
        if !cookie.verifies(&state.config.csrf_secret, &field.csrf) {
            return Err(ErrorKind::CsrfRejected.into());
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|_| ErrorKind::BadRequest)?;
        Ok(Self(form))
    }
}

/// 256 random bits, base64url: a fresh CSRF cookie.
fn random_value() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}
