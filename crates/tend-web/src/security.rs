//! What protects every response: security headers, CSRF, cookies, body limits, request logs
//! without personal data, and a calm page (or problem JSON) for every error.

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
     interest-cohort=(), browsing-topics=()";

/// Wraps `router` in Tend's middleware (the last layer added runs first).
pub fn layers(state: AppState, router: Router<AppState>) -> Router<AppState> {
    let mut router = router
        .layer(RequestBodyLimitLayer::new(state.config.body_limit_bytes))
        .layer(middleware::from_fn(same_origin_only))
        .layer(middleware::from_fn_with_state(state.clone(), render_errors))
        .layer(middleware::from_fn_with_state(state.clone(), csrf_cookie))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        // Pages show member data; only the static assets, which set their own, are cached.
        .layer(header_layer(header::CACHE_CONTROL, "no-store"));
    if state.config.is_https() {
        router = router.layer(header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ));
    }
    router.layer(middleware::from_fn(log_requests))
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// One line per request: method, route template, status and time. Never the query string, a
/// body, an address, a user agent or an id.
async fn log_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |path| path.as_str())
        .to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let duration_ms = started.elapsed().as_millis();
    if response.status().is_server_error() {
        tracing::error!(http.method = %method, http.route = route, http.status = status, duration_ms, "request failed");
    } else {
        tracing::debug!(http.method = %method, http.route = route, http.status = status, duration_ms, "request");
    }
    response
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Whether `path` may render a page with forms (and so needs the CSRF cookie). The API,
/// assets and health checks do not, and skip that work.
fn is_page(path: &str) -> bool {
    !(is_api(path) || path.starts_with("/static/") || path == "/healthz" || path == "/readyz")
}

/// State-changing requests from pages must come from Tend's own pages. Browsers say where a
/// request comes from (`Sec-Fetch-Site`, `Origin`); a cross-site form post is refused before
/// any handler runs. The CSRF token in each form is the second, independent check.
async fn same_origin_only(request: Request, next: Next) -> Response {
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

/// The cookie names, with the `__Host-` prefix (which requires `Secure`) on https.
#[derive(Clone, Copy)]
pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
    pub theme: &'static str,
    pub secure: bool,
}

impl CookieNames {
    pub fn for_state(state: &AppState) -> Self {
        if state.config.is_https() {
            Self {
                session: "__Host-tend_session",
                csrf: "__Host-tend_csrf",
                theme: "__Host-tend_theme",
                secure: true,
            }
        } else {
            Self {
                session: "tend_session",
                csrf: "tend_csrf",
                theme: "tend_theme",
                secure: false,
            }
        }
    }

    /// A `Set-Cookie` value: host-only, whole site, `HttpOnly`, `SameSite=Lax`, no expiry
    /// (ends with the browser; the server enforces lifetimes), `Secure` on https.
    pub fn set(&self, name: &str, value: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("tend_invalid=1"))
    }

    pub fn clear(&self, name: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("tend_invalid=1"))
    }
}

/// The request's cookies that Tend reads.
#[derive(Clone, Default)]
pub struct Cookies {
    session: Option<String>,
    theme: Option<String>,
}

impl Cookies {
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    pub fn theme(&self) -> Option<&str> {
        self.theme.as_deref()
    }
}

fn read_cookie(parts_headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    parts_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

impl FromRequestParts<AppState> for Cookies {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let names = CookieNames::for_state(state);
        Ok(Self {
            session: read_cookie(&parts.headers, names.session),
            theme: read_cookie(&parts.headers, names.theme),
        })
    }
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
async fn csrf_cookie(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !is_page(request.uri().path()) {
        return next.run(request).await;
    }
    let names = CookieNames::for_state(&state);
    let existing = read_cookie(request.headers(), names.csrf).filter(|value| value.len() >= 32);
    let (value, fresh) = match existing {
        Some(value) => (value, false),
        None => match crate::auth::random_secret() {
            Ok(value) => (value, true),
            Err(error) => return error.into_response(),
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

/// Errors that left a handler without a page of their own (a rejected extractor, 404, 405,
/// 413) become a calm page for people, or problem JSON for the API. Never a blank page.
async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let request_headers = request.headers().clone();
    let csrf = request.extensions().get::<CsrfCookie>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if api {
        if content_type.starts_with("application/problem+json") {
            return response;
        }
        return crate::api::problem(status, None, Vec::new());
    }
    if content_type.starts_with("text/html") {
        return response;
    }
    let kind = response
        .extensions()
        .get::<ErrorKind>()
        .copied()
        .unwrap_or_else(|| ErrorKind::from_status(status));
    let Some(csrf) = csrf else {
        return response;
    };
    crate::error::error_page(
        &state,
        kind,
        &request_headers,
        csrf,
        response.headers().clone(),
    )
    .await
}
