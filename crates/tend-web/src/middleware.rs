//! What protects every response: security headers, CSRF, body limits, request logs without
//! personal data, and a calm page (or problem JSON) for every error.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::csrf::{self, CsrfCookie};
use crate::error::ErrorKind;
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
        .layer(middleware::from_fn(csrf::same_origin_only))
        .layer(middleware::from_fn_with_state(state.clone(), render_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            csrf::csrf_cookie,
        ))
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

/// Errors that left a handler without a page of their own (a rejected extractor, 404, 405,
/// 413) become a calm page for people, or problem JSON for the API. Never a blank page.
async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = csrf::is_api(request.uri().path());
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
        return crate::api::problem_for(status);
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
    crate::pages::error_page(
        &state,
        kind,
        &request_headers,
        csrf,
        response.headers().clone(),
    )
    .await
}
