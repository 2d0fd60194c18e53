//! Accounts through the API: sign up, sign in for a bearer token, sign out, who am I.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_app::accounts::{self, SignUp};
use utoipa::ToSchema;

use super::auth::ApiMember;
use super::problem::{ApiError, ApiJson, Problem};
use crate::client::ClientAddr;
use crate::state::AppState;

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
pub async fn members_post(
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
    let account = accounts::sign_up(&state.app, input).await?;
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
pub async fn tokens_post(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignInBody>,
) -> Result<Response, ApiError> {
    if !state.allow_sign_in_attempt(client) {
        return Err(ApiError::RateLimited);
    }
    let member = accounts::sign_in(&state.app, &body.username, &body.password).await?;
    let token = accounts::create_token(&state.app, member).await?;
    Ok((StatusCode::CREATED, Json(TokenBody { token })).into_response())
}

/// Sign out: revoke the token this request carries.
#[utoipa::path(delete, path = "/api/v1/tokens/current", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn token_current_delete(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<StatusCode, ApiError> {
    accounts::revoke_token(&state.app, &api.holder).await?;
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
pub async fn me_get(api: ApiMember) -> Json<MeBody> {
    let member = api.holder.member;
    Json(MeBody {
        id: member.id.to_string(),
        username: member.username,
        display_name: member.display_name,
        pronouns: member.pronouns,
        discreet: member.discreet,
    })
}
