//! Pages every visitor can reach: support, privacy, the neutral exit page, the theme switch,
//! and the health checks.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use tend_app::Backend;

use super::ctx::{Ctx, Theme};
use crate::config::SupportResource;
use crate::cookies::CookieNames;
use crate::csrf::CsrfForm;
use crate::error::AppError;
use crate::i18n::I18n;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pages/support.html")]
struct SupportPage {
    ctx: Ctx,
    /// The instance's own resources; empty shows the built-in, translated ones.
    resources: Vec<SupportResource>,
}

pub async fn support_get(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let page = SupportPage {
        ctx,
        resources: state.config.support.clone(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "pages/privacy.html")]
struct PrivacyPage {
    ctx: Ctx,
    /// Whether Quick exit goes to Tend's own blank page (the default) rather than a page the
    /// instance chose.
    exit_blank: bool,
}

pub async fn privacy_get(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let exit_blank = state.config.exit_url == "/exit";
    let page = PrivacyPage { ctx, exit_blank };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "pages/exit.html")]
struct ExitPage {
    i18n: I18n,
}

/// The default Quick exit destination: a blank page with a neutral title and nothing of
/// Tend. It reads no cookie and sets none.
pub async fn exit_get() -> Result<Response, AppError> {
    let page = ExitPage {
        i18n: I18n::default(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(serde::Deserialize)]
pub struct ThemeForm {
    theme: String,
    #[serde(default)]
    back: String,
}

/// Remembers the chosen theme in a cookie and returns to the page the member was on.
pub async fn theme_post(
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<ThemeForm>,
) -> Result<Response, AppError> {
    let theme = Theme::parse(&form.theme).ok_or(crate::error::ErrorKind::BadRequest)?;
    // Only a path on this site, so the form cannot be used to send people elsewhere.
    let back = if form.back.starts_with('/')
        && !form.back.starts_with("//")
        && !form.back.contains('\\')
    {
        form.back
    } else {
        "/".to_owned()
    };
    let names = CookieNames::for_state(&state);
    Ok((
        [(header::SET_COOKIE, names.set(names.theme, theme.as_str()))],
        Redirect::to(&back),
    )
        .into_response())
}

pub async fn healthz_get() -> &'static str {
    "ok"
}

/// Ready when the database (and keystore) answer.
pub async fn readyz_get(State(state): State<AppState>) -> Response {
    let database = match state.app.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgresql",
    };
    match tend_app::health::ready(&state.app).await {
        Ok(_) => (StatusCode::OK, format!("ready: {database} answers")).into_response(),
        Err(error) => {
            tracing::warn!(%error, "database not ready");
            let said = format!("not ready: {database} does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, said).into_response()
        }
    }
}
