//! The calm page for every error a handler did not render itself (404, 405, 413, a refused
//! form, a server error), with the full layout and the safety features of every page.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use super::ctx::Ctx;
use crate::csrf::CsrfCookie;
use crate::error::ErrorKind;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage {
    ctx: Ctx,
    title_id: &'static str,
    body_id: &'static str,
}

/// A full page for `kind`, in the visitor's theme.
pub async fn error_page(
    state: &AppState,
    kind: ErrorKind,
    request_headers: &HeaderMap,
    csrf: CsrfCookie,
    mut response_headers: HeaderMap,
) -> Response {
    let (title_id, body_id) = kind.message_ids();
    let ctx = Ctx::for_error(state, request_headers, csrf).await;
    let page = ErrorPage {
        ctx,
        title_id,
        body_id,
    };
    let body = page.render().unwrap_or_else(|_| {
        "<!doctype html><title>Tend</title><p>Something went wrong.</p>".to_owned()
    });
    response_headers.remove(axum::http::header::CONTENT_TYPE);
    response_headers.remove(axum::http::header::CONTENT_LENGTH);
    let mut response = (kind.status(), Html(body)).into_response();
    for (name, value) in &response_headers {
        response.headers_mut().append(name, value.clone());
    }
    response
}
