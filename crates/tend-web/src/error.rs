//! One error type for pages: each kind has a status and a calm message in the translations.
//! A form's own mistakes (a taken username, a short password) are not errors of this kind:
//! those re-render the form with what the member typed. The full error page is rendered by
//! the middleware (`middleware.rs`), which has the request's cookies at hand.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::msg;

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
    pub fn message_ids(self) -> (&'static str, &'static str) {
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

/// What a page did not handle itself: "not found" stays 404; a refused input or an action
/// that cannot happen now is a bad request (the pages' own forms never send one); the
/// server's own failures are logged once, here.
impl From<tend_app::Error> for AppError {
    fn from(error: tend_app::Error) -> Self {
        match error {
            tend_app::Error::NotFound => ErrorKind::NotFound.into(),
            tend_app::Error::Invalid(_) | tend_app::Error::NotNow(_) | tend_app::Error::Gone(_) => {
                ErrorKind::BadRequest.into()
            }
            internal @ (tend_app::Error::Store(_) | tend_app::Error::Internal(_)) => {
                Self::internal(internal)
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::internal(error)
    }
}

/// The response carries only the kind; the middleware turns it into a full page, because
/// only there are the request's cookies and the instance settings at hand.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.kind.status().into_response();
        response.extensions_mut().insert(self.kind);
        response
    }
}
