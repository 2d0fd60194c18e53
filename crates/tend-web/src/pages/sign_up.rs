//! Sign up: username, password, the 18+ affirmation, optional name and pronouns; then the
//! recovery codes, shown once.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use tend_app::accounts::{self, SignUp};

use super::ctx::{Ctx, FormErrors};
use crate::cookies::CookieNames;
use crate::csrf::CsrfForm;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Default, serde::Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    adult: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    pronouns: String,
}

#[derive(Template)]
#[template(path = "pages/signup.html")]
struct SignUpPage {
    ctx: Ctx,
    form: SignUpForm,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "pages/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub ctx: Ctx,
    pub codes: Vec<String>,
    pub first_time: bool,
}

pub async fn signup_get(ctx: Ctx) -> Result<Response, AppError> {
    if ctx.is_signed_in() {
        return Ok(Redirect::to("/").into_response());
    }
    let page = SignUpPage {
        ctx,
        form: SignUpForm::default(),
        errors: FormErrors::default(),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn signup_post(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> Result<Response, AppError> {
    let input = SignUp {
        username: &form.username,
        password: &form.password,
        adult: form.adult.is_some(),
        display_name: &form.display_name,
        pronouns: &form.pronouns,
    };
    match accounts::sign_up(&state.app, input).await {
        Ok(account) => {
            let session = accounts::begin_sign_in(&state.app, account.member.id, None).await?;
            let names = CookieNames::for_state(&state);
            let mut ctx = ctx;
            ctx.signed_in = accounts::signed_in(&state.app, &session).await?;
            let page = RecoveryCodesPage {
                ctx,
                codes: account
                    .recovery_codes
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                first_time: true,
            };
            Ok((
                [(header::SET_COOKIE, names.set(names.session, &session))],
                Html(page.render()?),
            )
                .into_response())
        }
        Err(tend_app::Error::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, &problems);
            // The password is not sent back into the page; the form asks for it again.
            let form = SignUpForm {
                password: String::new(),
                ..form
            };
            let page = SignUpPage { ctx, form, errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}
