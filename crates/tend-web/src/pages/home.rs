//! The home page: a welcome for visitors, a starting point for members (with a word about
//! any session a partner would like to plan).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use super::ctx::Ctx;
use super::words::planned_words;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    ctx: Ctx,
    name: String,
    /// Sessions waiting for the member: (words, session id, whether it is aftercare).
    planned: Vec<(String, String, bool)>,
}

pub async fn home_get(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let (name, planned) = match &ctx.signed_in {
        Some(me) => {
            let waiting = tend_app::sessions::waiting_for_me(&state.app, me.member.id).await?;
            let planned = waiting
                .iter()
                .map(|p| {
                    let words = planned_words(&ctx.i18n, p);
                    (words, p.session.to_string(), p.aftercare)
                })
                .collect();
            (me.member.name().to_owned(), planned)
        }
        None => (String::new(), Vec::new()),
    };
    let page = HomePage { ctx, name, planned };
    Ok(Html(page.render()?).into_response())
}
