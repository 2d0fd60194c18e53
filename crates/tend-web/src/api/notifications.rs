//! The notification centre through the JSON API: the list (in neutral words in discreet
//! mode), marking seen, and a stream of the unseen count.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_app::NotificationId;
use tend_app::notifications;
use utoipa::ToSchema;

use super::auth::ApiMember;
use super::problem::{ApiError, ApiJson, Problem};
use crate::i18n::{I18n, msg};
use crate::state::AppState;
use crate::words;

#[derive(Serialize, ToSchema)]
pub struct NotificationBody {
    id: String,
    /// follow-up, appreciation, extra-care, shared-reflection, proposal or review.
    kind: &'static str,
    /// What it is, in words; neutral in discreet mode.
    text: String,
    /// The page it leads to.
    link: String,
    /// When it came (Unix seconds).
    #[serde(rename = "created-at")]
    created_at: i64,
    seen: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationsBody {
    /// How many are not seen yet.
    unseen: u32,
    /// The newest 50, newest first.
    notifications: Vec<NotificationBody>,
}

/// Your notification centre: follow-ups that have come, notes from partners, routine
/// changes and reviews waiting for you. Reading it marks nothing seen.
#[utoipa::path(get, path = "/api/v1/notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationsBody)))]
pub async fn notifications_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<NotificationsBody>, ApiError> {
    let i18n = I18n::default();
    let me = &api.holder.member;
    let shown = notifications::list(&state.app, me).await?;
    let unseen = notifications::unseen(&state.app, me.id).await?;
    Ok(Json(NotificationsBody {
        unseen,
        notifications: shown
            .iter()
            .map(|n| NotificationBody {
                id: n.id.to_string(),
                kind: words::notification_kind(&n.notification),
                // An app knows its own time zone: the text says days in UTC, beside the
                // timestamp it can show in its own.
                text: words::notification_text(&i18n, &words::Zone::utc(), me.discreet, n),
                link: words::notification_link(&n.notification),
                created_at: n.at.unix_seconds(),
                seen: n.seen,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SeenBody {
    /// Ids of your notifications; others' are ignored.
    ids: Vec<String>,
}

/// Marks notifications seen (the badge counts the rest).
#[utoipa::path(post, path = "/api/v1/notifications/seen", request_body = SeenBody, security(("bearer" = [])),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn seen_post(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(body): ApiJson<SeenBody>,
) -> Result<StatusCode, ApiError> {
    let ids: Option<Vec<NotificationId>> = body
        .ids
        .iter()
        .map(|id| NotificationId::parse(id))
        .collect();
    let Some(ids) = ids else {
        return Err(ApiError::Invalid(vec![(
            "ids".into(),
            msg("notifications-ids"),
        )]));
    };
    notifications::see(&state.app, api.id(), &ids).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Server-sent events carrying `{"unseen": n}`: once at the start and at every change.
#[utoipa::path(get, path = "/api/v1/notifications/stream", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = String)))]
pub async fn stream_get(State(state): State<AppState>, api: ApiMember) -> Response {
    crate::streams::badge(state.app.clone(), api.id()).into_response()
}

#[derive(Deserialize, ToSchema)]
pub struct DiscreetBody {
    discreet: bool,
}

/// Discreet mode: a neutral name, and notifications that say only that something waits.
#[utoipa::path(put, path = "/api/v1/me/discreet", request_body = DiscreetBody, security(("bearer" = [])),
    responses((status = 204)))]
pub async fn discreet_put(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(body): ApiJson<DiscreetBody>,
) -> Result<StatusCode, ApiError> {
    tend_app::accounts::set_discreet(&state.app, api.id(), body.discreet).await?;
    Ok(StatusCode::NO_CONTENT)
}
