//! The JSON API under `/api/v1`: the same account rules as the pages, rendered as JSON, with
//! errors as `application/problem+json` and an OpenAPI document generated from this code.

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

mod accounts;
mod auth;
mod circles;
mod notifications;
mod problem;
mod profile;
mod query;
mod routines;
mod sessions;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_get))
        .route("/api/v1/members", post(accounts::members_post))
        .route("/api/v1/tokens", post(accounts::tokens_post))
        .route(
            "/api/v1/tokens/current",
            delete(accounts::token_current_delete),
        )
        .route("/api/v1/me", get(accounts::me_get))
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
        .route("/api/v1/circles/{id}/confirm", post(circles::confirm_post))
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
        .route(
            "/api/v1/sessions/{id}/signals/{seq}/seen",
            post(sessions::signal_seen_post),
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
        accounts::members_post, accounts::tokens_post, accounts::token_current_delete,
        accounts::me_get,
        profile::catalog_get, profile::profile_get, profile::answers_put,
        profile::custom_items_post, profile::custom_items_get, profile::custom_item_get,
        profile::custom_item_put, profile::custom_item_delete,
        profile::boundaries_post, profile::boundaries_get, profile::boundary_put,
        profile::boundary_delete,
        circles::circles_post, circles::circles_get, circles::circle_get, circles::invites_post,
        circles::invite_delete, circles::invite_accept_post, circles::leave_delete,
        circles::sharing_put, circles::lock_post, circles::lock_delete, circles::confirm_post,
        circles::common_ground_get,
        routines::routine_get, routines::proposals_post, routines::proposals_get,
        routines::proposal_accept_post, routines::proposal_decline_post, routines::versions_get,
        routines::version_get, routines::compare_get, routines::reviews_get, routines::reviews_post,
        routines::review_get, routines::review_put,
        sessions::sessions_post, sessions::sessions_get, sessions::session_get,
        sessions::readiness_put, sessions::not_today_post, sessions::withdraw_post,
        sessions::aftercare_post, sessions::close_post, sessions::step_done_post,
        sessions::reflections_post, sessions::follow_ups_get, sessions::follow_up_answer_post,
        sessions::signals_post, sessions::signal_seen_post, sessions::stream_get,
        sessions::appreciations_post, sessions::appreciations_get,
        notifications::notifications_get, notifications::seen_post, notifications::stream_get,
        notifications::discreet_put,
    ),
    components(schemas(
        accounts::SignUpBody, accounts::SignedUp, accounts::SignInBody, accounts::TokenBody,
        accounts::MeBody, problem::Problem, problem::ProblemField
    )),
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

/// A problem for an error that left a handler without one of its own (a rejected
/// extractor, 404, 405, 413): the status, and no more.
pub fn problem_for(status: StatusCode) -> Response {
    problem::problem(status, None, Vec::new())
}
