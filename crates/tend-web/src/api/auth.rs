//! Who asks through the API: the member behind an `Authorization: Bearer` token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tend_app::accounts::{self, TokenHolder};

use super::problem::ApiError;
use crate::state::AppState;

/// The member behind an API request's bearer token; 401 for anyone else.
pub struct ApiMember {
    pub holder: TokenHolder,
}

impl ApiMember {
    pub fn id(&self) -> tend_app::MemberId {
        self.holder.member.id
    }
}

impl FromRequestParts<AppState> for ApiMember {
    type Rejection = ApiError;

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
            .ok_or(ApiError::Unauthorized)?;
        let holder = accounts::token_holder(&state.app, token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Self { holder })
    }
}
