//! The notification centre page, and the stream that keeps the badge in the header current.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use tend_app::notifications::{self, Shown};

use super::ctx::{Ctx, MemberCtx};
use crate::error::AppError;
use crate::state::AppState;
use crate::words;

/// One notification as the page shows it.
struct Row {
    kind: &'static str,
    text: String,
    link: String,
    when: String,
    seen: bool,
}

#[derive(Template)]
#[template(path = "notifications/notifications.html")]
struct NotificationsPage {
    ctx: Ctx,
    notifications: Vec<Row>,
}

/// The member's notifications, newest first. Opening the centre marks them seen; the new
/// ones are still marked "New" on this showing.
pub async fn notifications_get(
    State(state): State<AppState>,
    MemberCtx { mut ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let shown = notifications::list(&state.app, &me.member).await?;
    let unseen: Vec<_> = shown.iter().filter(|s| !s.seen).map(|s| s.id).collect();
    notifications::see(&state.app, me.member.id, &unseen).await?;
    ctx.unseen = 0;
    let (i18n, zone) = (&ctx.i18n, &ctx.zone);
    let row = |shown: &Shown| Row {
        kind: words::notification_kind(&shown.notification),
        text: words::notification_text(i18n, zone, me.member.discreet, shown),
        link: words::notification_link(&shown.notification),
        when: i18n.t_with(
            "notifications-when",
            &[
                ("day", &words::weekday_in(i18n, zone, shown.at)),
                ("date", &words::date(zone, shown.at)),
            ],
        ),
        seen: shown.seen,
    };
    let notifications = shown.iter().map(row).collect();
    let page = NotificationsPage { ctx, notifications };
    Ok(Html(page.render()?).into_response())
}

/// Server-sent events with the unseen count, for the badge on every page; a `signed-out`
/// event once the page's sign-in has ended (or at once when there is none), so the page
/// goes to the sign-in page.
pub async fn stream_get(State(state): State<AppState>, ctx: Ctx) -> Response {
    match &ctx.signed_in {
        Some(me) => crate::streams::page_badge(state.app.clone(), me).into_response(),
        None => crate::streams::signed_out().into_response(),
    }
}
