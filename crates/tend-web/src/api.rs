//! The JSON API under `/api/v1`: the same account rules as the pages, rendered as JSON, with
//! errors as `application/problem+json` and an OpenAPI document generated from this code.

use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::accounts::{self, AccountError, SignUp};
use crate::auth::{self, ApiMember, ClientAddr};
use crate::clock;
use crate::error::AppError;
use crate::i18n::I18n;
use crate::state::AppState;

mod circles;
mod notifications;
mod profile;
pub(crate) mod routines;
pub(crate) mod sessions;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_get))
        .route("/api/v1/members", post(members_post))
        .route("/api/v1/tokens", post(tokens_post))
        .route("/api/v1/tokens/current", delete(token_current_delete))
        .route("/api/v1/me", get(me_get))
        .route("/api/v1/catalog", get(profile::catalog_get))
        .route("/api/v1/profile", get(profile::profile_get))
        .route("/api/v1/profile/answers", put(profile::answers_put))
        .route(
            "/api/v1/profile/custom-items",
            get(profile::custom_items_get).post(profile::custom_items_post),
        )
        .route(
            "/api/v1/profile/custom-items/{id}",
            get(profile::custom_item_get)
                .put(profile::custom_item_put)
                .delete(profile::custom_item_delete),
        )
        .route(
            "/api/v1/profile/boundaries",
            get(profile::boundaries_get).post(profile::boundaries_post),
        )
        .route(
            "/api/v1/profile/boundaries/{id}",
            put(profile::boundary_put).delete(profile::boundary_delete),
        )
        .route(
            "/api/v1/circles",
            get(circles::circles_get).post(circles::circles_post),
        )
        .route("/api/v1/circles/{id}", get(circles::circle_get))
        .route("/api/v1/circles/{id}/invites", post(circles::invites_post))
        .route(
            "/api/v1/circles/{id}/invites/{invite}",
            delete(circles::invite_delete),
        )
        .route(
            "/api/v1/invites/{token}/accept",
            post(circles::invite_accept_post),
        )
        .route(
            "/api/v1/circles/{id}/members/me",
            delete(circles::leave_delete),
        )
        .route("/api/v1/circles/{id}/sharing", put(circles::sharing_put))
        .route(
            "/api/v1/circles/{id}/lock",
            post(circles::lock_post).delete(circles::lock_delete),
        )
        .route(
            "/api/v1/circles/{id}/common-ground",
            get(circles::common_ground_get),
        )
        .route("/api/v1/circles/{id}/routine", get(routines::routine_get))
        .route(
            "/api/v1/circles/{id}/routine/proposals",
            get(routines::proposals_get).post(routines::proposals_post),
        )
        .route(
            "/api/v1/circles/{id}/routine/proposals/{pid}/accept",
            post(routines::proposal_accept_post),
        )
        .route(
            "/api/v1/circles/{id}/routine/proposals/{pid}/decline",
            post(routines::proposal_decline_post),
        )
        .route(
            "/api/v1/circles/{id}/routine/versions",
            get(routines::versions_get),
        )
        .route(
            "/api/v1/circles/{id}/routine/versions/{n}",
            get(routines::version_get),
        )
        .route(
            "/api/v1/circles/{id}/routine/compare",
            get(routines::compare_get),
        )
        .route(
            "/api/v1/circles/{id}/reviews",
            get(routines::reviews_get).post(routines::reviews_post),
        )
        .route(
            "/api/v1/circles/{id}/reviews/{rid}",
            get(routines::review_get).put(routines::review_put),
        )
        .route(
            "/api/v1/circles/{id}/sessions",
            get(sessions::sessions_get).post(sessions::sessions_post),
        )
        .route("/api/v1/sessions/{id}", get(sessions::session_get))
        .route(
            "/api/v1/sessions/{id}/readiness",
            put(sessions::readiness_put),
        )
        .route(
            "/api/v1/sessions/{id}/not-today",
            post(sessions::not_today_post),
        )
        .route(
            "/api/v1/sessions/{id}/withdraw",
            post(sessions::withdraw_post),
        )
        .route(
            "/api/v1/sessions/{id}/aftercare",
            post(sessions::aftercare_post),
        )
        .route("/api/v1/sessions/{id}/close", post(sessions::close_post))
        .route(
            "/api/v1/sessions/{id}/steps/{n}/done",
            post(sessions::step_done_post),
        )
        .route(
            "/api/v1/sessions/{id}/reflections",
            post(sessions::reflections_post),
        )
        .route(
            "/api/v1/sessions/{id}/signals",
            post(sessions::signals_post),
        )
        .route("/api/v1/sessions/{id}/stream", get(sessions::stream_get))
        .route(
            "/api/v1/sessions/{id}/appreciations",
            post(sessions::appreciations_post),
        )
        .route("/api/v1/appreciations", get(sessions::appreciations_get))
        .route("/api/v1/follow-ups", get(sessions::follow_ups_get))
        .route(
            "/api/v1/notifications",
            get(notifications::notifications_get),
        )
        .route("/api/v1/notifications/seen", post(notifications::seen_post))
        .route(
            "/api/v1/notifications/stream",
            get(notifications::stream_get),
        )
        .route("/api/v1/me/discreet", put(notifications::discreet_put))
        .route(
            "/api/v1/follow-ups/{id}/answer",
            post(sessions::follow_up_answer_post),
        )
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Tend API", description = "Everything Tend's pages do, as JSON. Sign in with POST /api/v1/tokens and send `Authorization: Bearer <token>`."),
    paths(
        members_post, tokens_post, token_current_delete, me_get,
        profile::catalog_get, profile::profile_get, profile::answers_put,
        profile::custom_items_post, profile::custom_items_get, profile::custom_item_get,
        profile::custom_item_put, profile::custom_item_delete,
        profile::boundaries_post, profile::boundaries_get, profile::boundary_put,
        profile::boundary_delete,
        circles::circles_post, circles::circles_get, circles::circle_get, circles::invites_post,
        circles::invite_delete, circles::invite_accept_post, circles::leave_delete,
        circles::sharing_put, circles::lock_post, circles::lock_delete,
        circles::common_ground_get,
        routines::routine_get, routines::proposals_post, routines::proposals_get,
        routines::proposal_accept_post, routines::proposal_decline_post, routines::versions_get,
        routines::version_get, routines::compare_get, routines::reviews_get, routines::reviews_post,
        routines::review_get, routines::review_put,
        sessions::sessions_post, sessions::sessions_get, sessions::session_get,
        sessions::readiness_put, sessions::not_today_post, sessions::withdraw_post,
        sessions::aftercare_post, sessions::close_post, sessions::step_done_post,
        sessions::reflections_post, sessions::follow_ups_get, sessions::follow_up_answer_post,
        sessions::signals_post, sessions::stream_get,
        sessions::appreciations_post, sessions::appreciations_get,
        notifications::notifications_get, notifications::seen_post, notifications::stream_get,
        notifications::discreet_put,
    ),
    components(schemas(SignUpBody, SignedUp, SignInBody, TokenBody, MeBody, Problem, ProblemField)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi_get() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

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

/// A store's `NotFound` means "not this member's": the API says 404, as for anything absent.
impl From<tend_store::StoreError> for ApiError {
    fn from(error: tend_store::StoreError) -> Self {
        match error {
            tend_store::StoreError::NotFound => Self::NotFound,
            other => Self::from(AppError::internal(other)),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(problems) => Self::Invalid(
                problems
                    .into_iter()
                    .map(|(field, id)| (field.to_owned(), id))
                    .collect(),
            ),
            AccountError::RateLimited => Self::RateLimited,
            AccountError::Internal(_) => Self::Internal,
        }
    }
}

/// An `AppError` was already logged where it was made; the API says "not found" or
/// "internal".
impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        if error.kind() == crate::error::ErrorKind::NotFound {
            Self::NotFound
        } else {
            Self::Internal
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

#[derive(Deserialize, ToSchema)]
pub struct SignUpBody {
    /// 3–32 letters, digits, `-` or `_`; unique without regard to case.
    username: String,
    /// At least 10 characters, not a common password.
    password: String,
    /// The member affirms they are 18 or older. Must be true.
    adult: bool,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    pronouns: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignedUp {
    id: String,
    username: String,
    /// Shown once: each code sets a new password once. Keep them somewhere safe.
    recovery_codes: Vec<String>,
}

/// Sign up.
#[utoipa::path(post, path = "/api/v1/members", request_body = SignUpBody,
    responses((status = 201, body = SignedUp), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn members_post(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignUpBody>,
) -> Result<Response, ApiError> {
    let input = SignUp {
        username: &body.username,
        password: &body.password,
        adult: body.adult,
        display_name: body.display_name.as_deref().unwrap_or(""),
        pronouns: body.pronouns.as_deref().unwrap_or(""),
    };
    let account = accounts::sign_up(&state, input).await?;
    let body = SignedUp {
        id: account.member.id.to_string(),
        username: account.member.username,
        recovery_codes: account
            .recovery_codes
            .iter()
            .map(ToString::to_string)
            .collect(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct SignInBody {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    /// Send as `Authorization: Bearer <token>`. Only its hash is stored.
    token: String,
}

/// Sign in: a new bearer token.
#[utoipa::path(post, path = "/api/v1/tokens", request_body = SignInBody,
    responses((status = 201, body = TokenBody), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json")))]
async fn tokens_post(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, ApiError> {
    let member = accounts::sign_in(&state, client, &body.username, &body.password).await?;
    let token = format!("tend_{}", auth::random_secret()?);
    state
        .store
        .create_api_token(&auth::secret_hash(&token), member, clock::now())
        .await?;
    Ok((StatusCode::CREATED, Json(TokenBody { token })).into_response())
}

/// Sign out: revoke the token this request carries.
#[utoipa::path(delete, path = "/api/v1/tokens/current", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn token_current_delete(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<StatusCode, ApiError> {
    state.store.delete_api_token(&api.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MeBody {
    id: String,
    username: String,
    display_name: Option<String>,
    pronouns: Option<String>,
    /// Discreet mode (see PUT /api/v1/me/discreet).
    discreet: bool,
}

/// The signed-in member.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])),
    responses((status = 200, body = MeBody), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me_get(api: ApiMember) -> Json<MeBody> {
    let member = api.member;
    Json(MeBody {
        id: member.id.to_string(),
        username: member.username,
        display_name: member.display_name,
        pronouns: member.pronouns,
        discreet: member.discreet,
    })
}
