//! Errors as RFC 9457 problems (`application/problem+json`): what went wrong, in words, and
//! which fields to fix. Every API handler answers its mistakes this way, never with a bare
//! text.

use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::I18n;
use crate::state::AppState;

/// An RFC 9457 problem: what went wrong, in words, and which fields to fix.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ProblemField>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemField {
    /// The body field, e.g. `username`.
    field: String,
    /// A stable code, e.g. `rule-password-common`.
    code: String,
    message: String,
}

/// A problem response for `status`.
pub fn problem(status: StatusCode, detail: Option<String>, errors: Vec<ProblemField>) -> Response {
    let body = Problem {
        kind: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/problem+json"),
    );
    response
}

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    /// No such thing for this member (another member's is the same: it does not exist here).
    NotFound,
    /// (body field, message id) pairs.
    Invalid(Vec<(String, &'static str)>),
    BadBody(String),
    /// The thing is used up or withdrawn (an invite link): message id.
    Gone(&'static str),
    /// It cannot be done in this state: message id.
    Conflict(&'static str),
    RateLimited,
    Internal,
}

/// A use case's error, said the API's way: "not this member's" is 404 as for anything
/// absent, a refused input names its fields, "not now" is a conflict. The server's own
/// failures are logged once, here.
impl From<tend_app::Error> for ApiError {
    fn from(error: tend_app::Error) -> Self {
        match error {
            tend_app::Error::NotFound => Self::NotFound,
            tend_app::Error::Invalid(problems) => {
                Self::Invalid(problems.into_iter().map(|p| (p.field, p.message)).collect())
            }
            tend_app::Error::NotNow(id) => Self::Conflict(id),
            tend_app::Error::Gone(id) => Self::Gone(id),
            internal @ (tend_app::Error::Store(_) | tend_app::Error::Internal(_)) => {
                tracing::error!(error = %internal, "internal error");
                Self::Internal
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let i18n = I18n::default();
        match self {
            Self::Unauthorized => problem(
                StatusCode::UNAUTHORIZED,
                Some(i18n.t("api-unauthorized")),
                Vec::new(),
            ),
            Self::Invalid(problems) => {
                let errors = problems
                    .into_iter()
                    .map(|(field, id)| ProblemField {
                        field,
                        code: id.to_owned(),
                        message: i18n.t(id),
                    })
                    .collect();
                problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(i18n.t("api-invalid")),
                    errors,
                )
            }
            Self::NotFound => problem(
                StatusCode::NOT_FOUND,
                Some(i18n.t("error-not-found-body")),
                Vec::new(),
            ),
            Self::Gone(id) => problem(StatusCode::GONE, Some(i18n.t(id)), Vec::new()),
            Self::Conflict(id) => problem(StatusCode::CONFLICT, Some(i18n.t(id)), Vec::new()),
            Self::BadBody(detail) => problem(StatusCode::BAD_REQUEST, Some(detail), Vec::new()),
            Self::RateLimited => problem(
                StatusCode::TOO_MANY_REQUESTS,
                Some(i18n.t("signin-rate-limited")),
                Vec::new(),
            ),
            Self::Internal => problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(i18n.t("error-internal-body")),
                Vec::new(),
            ),
        }
    }
}

/// JSON bodies whose mistakes are problems (400), never a bare text answer.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::BadBody(rejection.body_text())),
        }
    }
}
