//! Sign in, sign out, lock now, quick exit, and recovery with a code.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use tend_app::MemberId;
use tend_app::accounts;

use super::ctx::{Ctx, EmptyForm, FormErrors, NoticeQuery, notice_message};
use crate::client::ClientAddr;
use crate::cookies::{CookieNames, Cookies};
use crate::csrf::CsrfForm;
use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

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
    member: MemberId,
    to: &str,
) -> Result<Response, AppError> {
    let session = accounts::begin_sign_in(&state.app, member, ctx.signed_in.as_ref()).await?;
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
    let (status, errors) = if state.allow_sign_in_attempt(client) {
        match accounts::sign_in(&state.app, &form.username, &form.password).await {
            Ok(member) => return signed_in_response(&state, &ctx, member, "/").await,
            Err(tend_app::Error::Invalid(problems)) => {
                let errors = FormErrors::from_problems(&ctx.i18n, &problems);
                (StatusCode::UNPROCESSABLE_ENTITY, errors)
            }
            Err(error) => return Err(error.into()),
        }
    } else {
        let mut errors = FormErrors::default();
        errors.add("username", ctx.t("signin-rate-limited"));
        (StatusCode::TOO_MANY_REQUESTS, errors)
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

/// Ends this browser's session and clears its cookie, then goes to `to`.
async fn end_session(state: &AppState, ctx: &Ctx, to: &str) -> Result<Response, AppError> {
    if let Some(me) = &ctx.signed_in {
        accounts::end_sign_in(&state.app, me).await?;
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

/// Quick exit without JavaScript: the link itself. Ends the sign-in and leaves (see `leave`).
pub async fn quick_exit_get(State(state): State<AppState>, cookies: Cookies) -> Response {
    leave(&state, &cookies).await
}

/// Quick exit with JavaScript: `tend.js` sends this as a beacon while the page is already
/// on its way to the exit page.
pub async fn quick_exit_post(State(state): State<AppState>, cookies: Cookies) -> Response {
    leave(&state, &cookies).await
}

/// Quick exit: ends this browser's sign-in on the server at once, forgets every cookie of
/// Tend's in this browser, and sends it on (303) to the instance's exit page. It takes no
/// CSRF token (a GET link must work without JavaScript, and a page that is leaving cannot
/// wait for one): all anyone can make it do is sign the browser that follows it out of
/// Tend, and it goes only to the configured exit page, never to an address from the
/// request. Leaving never fails: when the database cannot be reached the cookies are still
/// forgotten and the browser still leaves; the sign-in then ends with its idle timeout.
async fn leave(state: &AppState, cookies: &Cookies) -> Response {
    if let Some(secret) = cookies.session()
        && let Err(error) = accounts::end_sign_in_now(&state.app, secret).await
    {
        tracing::warn!(%error, "quick exit could not end the sign-in");
    }
    let names = CookieNames::for_state(state);
    let mut response = Redirect::to(&state.config.exit_url).into_response();
    for name in names.all() {
        response
            .headers_mut()
            .append(header::SET_COOKIE, names.clear(name));
    }
    response
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
    if !state.allow_sign_in_attempt(client) {
        return Err(ErrorKind::TooManyRequests.into());
    }
    let outcome =
        accounts::recover(&state.app, &form.username, &form.code, &form.new_password).await;
    let (status, errors) = match outcome {
        Ok(member) => {
            return signed_in_response(&state, &ctx, member, "/account?notice=recovered").await;
        }
        Err(tend_app::Error::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, &problems);
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(error) => return Err(error.into()),
    };
    let form = RecoverForm {
        new_password: String::new(),
        ..form
    };
    let page = RecoverPage { ctx, form, errors };
    Ok((status, Html(page.render()?)).into_response())
}
