//! The home page: a welcome for visitors, a starting point for members.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use super::ctx::Ctx;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    ctx: Ctx,
    name: String,
}

pub async fn home_get(ctx: Ctx) -> Result<Response, AppError> {
    let name = ctx
        .signed_in
        .as_ref()
        .map(|me| me.member.name().to_owned())
        .unwrap_or_default();
    let page = HomePage { ctx, name };
    Ok(Html(page.render()?).into_response())
}
