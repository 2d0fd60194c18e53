//! Sign in, sign out, lock now, and recovery with a code.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{Ctx, FormErrors, notice_message};
use crate::accounts::{self, AccountError};
use crate::auth::{self, ClientAddr};
use crate::error::{AppError, ErrorKind};
use crate::security::{CookieNames, CsrfForm};
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    pub(super) notice: Option<String>,
}

#[derive(Default, serde::Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "pages/signin.html")]
struct SignInPage {
    ctx: Ctx,
    form: SignInForm,
    errors: FormErrors,
    notice: Option<String>,
}

pub async fn signin_get(ctx: Ctx, Query(query): Query<NoticeQuery>) -> Result<Response, AppError> {
    if ctx.is_signed_in() {
        return Ok(Redirect::to("/").into_response());
    }
    let notice = notice_message(&ctx.i18n, query.notice.as_deref());
    let page = SignInPage {
        ctx,
        form: SignInForm::default(),
        errors: FormErrors::default(),
        notice,
    };
    Ok(Html(page.render()?).into_response())
}

/// Sets the session cookie and goes home. A new session id at every sign-in; a session the
/// browser had before ends.
async fn signed_in_response(
    state: &AppState,
    ctx: &Ctx,
    member: tend_store::MemberId,
    to: &str,
) -> Result<Response, AppError> {
    if let Some(previous) = &ctx.signed_in {
        state.store.delete_session(&previous.session_hash).await?;
    }
    let session = auth::start_session(state, member).await?;
    let names = CookieNames::for_state(state);
    Ok((
        [(header::SET_COOKIE, names.set(names.session, &session))],
        Redirect::to(to),
    )
        .into_response())
}

pub async fn signin_post(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, AppError> {
    let outcome = accounts::sign_in(&state, client, &form.username, &form.password).await;
    let (status, errors) = match outcome {
        Ok(member) => return signed_in_response(&state, &ctx, member, "/").await,
        Err(AccountError::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, problems);
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(AccountError::RateLimited) => {
            let mut errors = FormErrors::default();
            errors.add("username", ctx.t("signin-rate-limited"));
            (StatusCode::TOO_MANY_REQUESTS, errors)
        }
        Err(AccountError::Internal(error)) => return Err(error),
    };
    let form = SignInForm {
        password: String::new(),
        ..form
    };
    let page = SignInPage {
        ctx,
        form,
        errors,
        notice: None,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(serde::Deserialize)]
pub struct EmptyForm {}

/// Ends this browser's session and clears its cookie, then goes to `to`.
async fn end_session(state: &AppState, ctx: &Ctx, to: &str) -> Result<Response, AppError> {
    if let Some(me) = &ctx.signed_in {
        state.store.delete_session(&me.session_hash).await?;
    }
    let names = CookieNames::for_state(state);
    let clear: HeaderValue = names.clear(names.session);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to(to)).into_response())
}

pub async fn signout_post(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    end_session(&state, &ctx, "/signin?notice=signed-out").await
}

/// Lock now: the session ends at once, and the page shows nothing but the sign-in form.
pub async fn lock_post(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    end_session(&state, &ctx, "/signin?notice=locked").await
}

#[derive(Default, serde::Deserialize)]
pub struct RecoverForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
}

#[derive(Template)]
#[template(path = "pages/recover.html")]
struct RecoverPage {
    ctx: Ctx,
    form: RecoverForm,
    errors: FormErrors,
}

pub async fn recover_get(ctx: Ctx) -> Result<Response, AppError> {
    let page = RecoverPage {
        ctx,
        form: RecoverForm::default(),
        errors: FormErrors::default(),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn recover_post(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<RecoverForm>,
) -> Result<Response, AppError> {
    let outcome = accounts::recover(
        &state,
        client,
        &form.username,
        &form.code,
        &form.new_password,
    )
    .await;
    let (status, errors) = match outcome {
        Ok(member) => {
            return signed_in_response(&state, &ctx, member, "/account?notice=recovered").await;
        }
        Err(AccountError::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, problems);
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(AccountError::RateLimited) => return Err(ErrorKind::TooManyRequests.into()),
        Err(AccountError::Internal(error)) => return Err(error),
    };
    let form = RecoverForm {
        new_password: String::new(),
        ..form
    };
    let page = RecoverPage { ctx, form, errors };
    Ok((status, Html(page.render()?)).into_response())
}
