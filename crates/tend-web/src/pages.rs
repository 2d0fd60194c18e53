//! The HTML pages: server-rendered, usable without JavaScript, every word translated.

mod account;
mod boundaries;
mod charts;
mod circles;
mod ctx;
mod errors;
mod home;
mod info;
mod insights;
mod notifications;
mod profile;
mod routines;
mod sessions;
mod sign_in;
mod sign_up;
mod words;

use axum::Router;
use axum::routing::{get, post};

use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

pub use errors::error_page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home_get))
        .route(
            "/signup",
            get(sign_up::signup_get).post(sign_up::signup_post),
        )
        .route(
            "/signin",
            get(sign_in::signin_get).post(sign_in::signin_post),
        )
        .route("/signout", post(sign_in::signout_post))
        .route("/lock", post(sign_in::lock_post))
        .route(
            "/quick-exit",
            get(sign_in::quick_exit_get).post(sign_in::quick_exit_post),
        )
        .route(
            "/recover",
            get(sign_in::recover_get).post(sign_in::recover_post),
        )
        .route("/account", get(account::account_get))
        .route("/account/password", post(account::password_post))
        .route(
            "/account/recovery-codes",
            post(account::recovery_codes_post),
        )
        .route(
            "/account/signout-everywhere",
            post(account::signout_everywhere_post),
        )
        .route("/profile", get(profile::profile_get))
        .route(
            "/profile/answers/{variant}/{step}",
            get(profile::step_get).post(profile::step_post),
        )
        .route("/profile/language/{variant}", get(profile::language_get))
        .route(
            "/profile/custom-items",
            get(profile::custom_items_get).post(profile::custom_items_post),
        )
        .route(
            "/profile/custom-items/{id}",
            post(profile::custom_item_post),
        )
        .route(
            "/profile/custom-items/{id}/delete",
            post(profile::custom_item_delete_post),
        )
        .route(
            "/profile/boundaries",
            get(boundaries::boundaries_get).post(boundaries::boundaries_post),
        )
        .route(
            "/profile/boundaries/responses",
            post(boundaries::responses_post),
        )
        .route("/profile/boundaries/{id}", post(boundaries::boundary_post))
        .route(
            "/profile/boundaries/{id}/delete",
            post(boundaries::boundary_delete_post),
        )
        .route(
            "/circles",
            get(circles::circles_get).post(circles::circles_post),
        )
        .route("/circles/{id}", get(circles::circle_get))
        .route("/circles/{id}/sharing", post(circles::sharing_post))
        .route("/circles/{id}/lock", post(circles::lock_post))
        .route("/circles/{id}/unlock", post(circles::unlock_post))
        .route("/circles/{id}/confirm", post(circles::confirm_post))
        .route("/circles/{id}/leave", post(circles::leave_post))
        .route("/circles/{id}/invites", post(circles::invites_post))
        .route(
            "/circles/{id}/invites/{invite}/revoke",
            post(circles::invite_revoke_post),
        )
        .route(
            "/circles/{id}/common-ground",
            get(circles::common_ground_get),
        )
        .route("/insights", get(insights::insights_get))
        .route("/circles/{id}/routine", get(routines::routine_get))
        .route(
            "/circles/{id}/routine/edit",
            get(routines::edit_get).post(routines::edit_post),
        )
        .route(
            "/circles/{id}/routine/proposals/{pid}/accept",
            post(routines::accept_post),
        )
        .route(
            "/circles/{id}/routine/proposals/{pid}/decline",
            post(routines::decline_post),
        )
        .route("/circles/{id}/routine/compare", get(routines::compare_get))
        .route(
            "/circles/{id}/routine/reviews",
            post(routines::review_start_post),
        )
        .route(
            "/circles/{id}/routine/reviews/{rid}",
            get(routines::review_get).post(routines::review_post),
        )
        .route("/circles/{id}/sessions", post(sessions::start_post))
        .route("/sessions/{id}", get(sessions::session_get))
        .route("/sessions/{id}/readiness", post(sessions::readiness_post))
        .route("/sessions/{id}/not-today", post(sessions::not_today_post))
        .route("/sessions/{id}/withdraw", post(sessions::withdraw_post))
        .route("/sessions/{id}/aftercare", post(sessions::aftercare_post))
        .route("/sessions/{id}/close", post(sessions::close_post))
        .route("/sessions/{id}/signals", post(sessions::signal_post))
        .route(
            "/sessions/{id}/signals/{seq}/seen",
            post(sessions::seen_post),
        )
        .route(
            "/sessions/{id}/appreciations",
            post(sessions::appreciation_post),
        )
        .route("/sessions/{id}/stream", get(sessions::stream_get))
        .route(
            "/sessions/{id}/steps/{n}/done",
            post(sessions::step_done_post),
        )
        .route(
            "/sessions/{id}/reflection",
            get(sessions::reflection_get).post(sessions::reflection_post),
        )
        .route("/follow-ups", get(sessions::follow_ups_get))
        .route("/notifications", get(notifications::notifications_get))
        .route("/notifications/stream", get(notifications::stream_get))
        .route("/account/discreet", post(account::discreet_post))
        .route(
            "/follow-ups/{id}/answer",
            post(sessions::follow_up_answer_post),
        )
        .route("/breathe", get(sessions::breathe_get))
        .route(
            "/invites/{token}",
            get(circles::join_get).post(circles::join_post),
        )
        .route("/support", get(info::support_get))
        .route("/privacy", get(info::privacy_get))
        .route("/exit", get(info::exit_get))
        .route("/theme", post(info::theme_post))
        .route("/healthz", get(info::healthz_get))
        .route("/readyz", get(info::readyz_get))
        .fallback(not_found)
}

async fn not_found() -> AppError {
    ErrorKind::NotFound.into()
}
