//! The notification centre page, and the stream that keeps the badge in the header current.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use super::{Ctx, MemberCtx};
use crate::error::AppError;
use crate::notifications::{self, Shown};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "notifications/notifications.html")]
struct NotificationsPage {
    ctx: Ctx,
    notifications: Vec<Shown>,
}

impl NotificationsPage {
    fn when(&self, shown: &Shown) -> String {
        let i18n = &self.ctx.i18n;
        i18n.t_with(
            "notifications-when",
            &[
                ("day", &crate::sessions::weekday(i18n, shown.at)),
                ("date", &super::insights::date(shown.at)),
            ],
        )
    }
}

/// The member's notifications, newest first. Opening the centre marks them seen; the new
/// ones are still marked "New" on this showing.
pub async fn notifications_get(
    State(state): State<AppState>,
    MemberCtx { mut ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let shown = notifications::shown(&state, &ctx.i18n, &me.member).await?;
    notifications::see(&state, me.member.id, &shown).await?;
    ctx.unseen = 0;
    let page = NotificationsPage {
        ctx,
        notifications: shown,
    };
    Ok(Html(page.render()?).into_response())
}

/// Server-sent events with the unseen count, for the badge on every page.
pub async fn stream_get(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
) -> Response {
    notifications::badge_stream(state, me.member.id).into_response()
}
