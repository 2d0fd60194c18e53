//! The member's account: who they are, password, recovery codes, signing out everywhere.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use tend_app::accounts;

use super::ctx::{Ctx, EmptyForm, FormErrors, MemberCtx, NoticeQuery, notice_message};
use super::sign_up::RecoveryCodesPage;
use crate::cookies::CookieNames;
use crate::csrf::CsrfForm;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    ctx: Ctx,
    username: String,
    display_name: String,
    pronouns: String,
    discreet: bool,
    codes_left: u32,
    notice: Option<String>,
    errors: FormErrors,
}

impl AccountPage {
    fn codes_left_text(&self) -> String {
        self.ctx.i18n.t_count("account-codes-left", self.codes_left)
    }
}

async fn account_page(
    state: &AppState,
    MemberCtx { ctx, me }: MemberCtx,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<AccountPage, AppError> {
    let codes_left = accounts::recovery_codes_left(&state.app, me.member.id).await?;
    Ok(AccountPage {
        ctx,
        username: me.member.username.clone(),
        display_name: me.member.display_name.clone().unwrap_or_default(),
        pronouns: me.member.pronouns.clone().unwrap_or_default(),
        discreet: me.member.discreet,
        codes_left,
        notice,
        errors,
    })
}

pub async fn account_get(
    State(state): State<AppState>,
    member: MemberCtx,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let notice = notice_message(&member.ctx.i18n, query.notice.as_deref());
    let page = account_page(&state, member, notice, FormErrors::default()).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(serde::Deserialize)]
pub struct DiscreetForm {
    #[serde(default)]
    discreet: String,
}

/// Discreet mode on ("on") or off (anything else).
pub async fn discreet_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    CsrfForm(form): CsrfForm<DiscreetForm>,
) -> Result<Response, AppError> {
    let on = form.discreet == "on";
    accounts::set_discreet(&state.app, me.member.id, on).await?;
    let notice = if on { "discreet-on" } else { "discreet-off" };
    Ok(Redirect::to(&format!("/account?notice={notice}")).into_response())
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// A new password; every other session of the member ends, this one stays.
pub async fn password_post(
    State(state): State<AppState>,
    member: MemberCtx,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let me = member.me.clone();
    let outcome =
        accounts::change_password(&state.app, &me, &form.current_password, &form.new_password)
            .await;
    match outcome {
        Ok(()) => Ok(Redirect::to("/account?notice=password-changed").into_response()),
        Err(tend_app::Error::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&member.ctx.i18n, &problems);
            let page = account_page(&state, member, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// Ten new recovery codes, shown once; the old ones stop working.
pub async fn recovery_codes_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let codes = accounts::replace_recovery_codes(&state.app, me.member.id).await?;
    let page = RecoveryCodesPage {
        ctx,
        codes: codes.iter().map(ToString::to_string).collect(),
        first_time: false,
    };
    Ok(Html(page.render()?).into_response())
}

/// Ends every session and API token of the member, this one included. Nobody is told.
pub async fn signout_everywhere_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    accounts::sign_out_everywhere(&state.app, me.member.id).await?;
    let names = CookieNames::for_state(&state);
    Ok((
        [(header::SET_COOKIE, names.clear(names.session))],
        Redirect::to("/signin?notice=signed-out-everywhere"),
    )
        .into_response())
}
