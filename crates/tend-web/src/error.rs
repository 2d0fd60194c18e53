//! One error type for pages: each kind has a status and a calm message in the translations.
//! A form's own mistakes (a taken username, a short password) are not errors of this kind:
//! those re-render the form with what the member typed.

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::i18n::msg;
use crate::pages::Ctx;
use crate::security::CsrfCookie;
use crate::state::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    CsrfRejected,
    NotFound,
    MethodNotAllowed,
    TooLarge,
    TooManyRequests,
    Internal,
    Unavailable,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::FORBIDDEN => Self::CsrfRejected,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            StatusCode::TOO_MANY_REQUESTS => Self::TooManyRequests,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            s if s.is_server_error() => Self::Internal,
            _ => Self::BadRequest,
        }
    }

    /// The translation ids of this error's heading and explanation.
    fn message_ids(self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest => (
                msg("error-bad-request-title"),
                msg("error-bad-request-body"),
            ),
            Self::CsrfRejected => (msg("error-csrf-title"), msg("error-csrf-body")),
            Self::NotFound => (msg("error-not-found-title"), msg("error-not-found-body")),
            Self::MethodNotAllowed => (
                msg("error-bad-request-title"),
                msg("error-bad-request-body"),
            ),
            Self::TooLarge => (msg("error-too-large-title"), msg("error-too-large-body")),
            Self::TooManyRequests => (msg("error-too-many-title"), msg("error-too-many-body")),
            Self::Internal => (msg("error-internal-title"), msg("error-internal-body")),
            Self::Unavailable => (msg("error-internal-title"), msg("error-internal-body")),
        }
    }
}

#[derive(Debug)]
pub struct AppError {
    kind: ErrorKind,
}

impl AppError {
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Something went wrong on our side. The cause is logged here, once; the member sees a
    /// calm page without it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self {
            kind: ErrorKind::Internal,
        }
    }
}

impl From<ErrorKind> for AppError {
    fn from(kind: ErrorKind) -> Self {
        Self { kind }
    }
}

impl From<tend_store::StoreError> for AppError {
    fn from(error: tend_store::StoreError) -> Self {
        match error {
            tend_store::StoreError::NotFound => ErrorKind::NotFound.into(),
            other => Self::internal(other),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::internal(error)
    }
}

impl From<crate::auth::HashError> for AppError {
    fn from(error: crate::auth::HashError) -> Self {
        Self::internal(error)
    }
}

/// The response carries only the kind; `security::render_errors` turns it into a full page,
/// because only there are the request's cookies and the instance settings at hand.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.kind.status().into_response();
        response.extensions_mut().insert(self.kind);
        response
    }
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage {
    ctx: Ctx,
    title_id: &'static str,
    body_id: &'static str,
}

/// A full page for `kind`, in the visitor's theme and with the safety features of every page.
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
