//! What every page shares: the layout's context (language, time zone, who is signed in, the
//! CSRF token, the theme), the signed-in member's context, and a form's mistakes.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tend_app::accounts::{self, SignedIn};

use crate::cookies::{CookieNames, Cookies};
use crate::csrf::CsrfCookie;
use crate::error::AppError;
use crate::i18n::{I18n, msg};
use crate::state::AppState;
use crate::words::Zone;

/// Light, dark, or whatever the device prefers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "system" => Some(Self::System),
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// The theme the toggle button switches to: system → dark → light → system.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Dark,
            Self::Dark => Self::Light,
            Self::Light => Self::System,
        }
    }
}

/// What every page's layout needs: the language, the member's time zone, the signed-in
/// member (if any), the CSRF token for its forms, the theme, and where Quick exit goes.
#[derive(Clone)]
pub struct Ctx {
    pub i18n: I18n,
    /// The time zone the browser said (UTC when it said none): say every time in it, with
    /// `crate::words::clock`, `day_and_clock`, `weekday_in` and `from_now`.
    pub zone: Zone,
    /// The name of the cookie `tend.js` keeps the browser's time zone in.
    pub tz_cookie: &'static str,
    pub signed_in: Option<SignedIn>,
    pub csrf: String,
    pub theme: Theme,
    pub exit_url: String,
    /// The current path, so the theme toggle can come back here.
    pub path: String,
    /// The signed-in member's notifications not seen yet, for the badge.
    pub unseen: u32,
}

impl Ctx {
    async fn build(
        state: &AppState,
        cookies: &Cookies,
        csrf: &CsrfCookie,
        path: String,
    ) -> Result<Self, AppError> {
        let signed_in = match cookies.session() {
            Some(secret) => accounts::signed_in(&state.app, secret).await?,
            None => None,
        };
        let unseen = match &signed_in {
            Some(me) => tend_app::notifications::unseen(&state.app, me.member.id).await?,
            None => 0,
        };
        Ok(Self {
            i18n: I18n::default(),
            zone: Zone::from_browser(cookies.tz()),
            tz_cookie: CookieNames::for_state(state).tz,
            signed_in,
            unseen,
            csrf: csrf.token(&state.config.csrf_secret),
            theme: cookies
                .theme()
                .and_then(Theme::parse)
                .unwrap_or(Theme::System),
            exit_url: state.config.exit_url.clone(),
            path,
        })
    }

    /// For error pages: best effort, never failing (a broken database must still give a page).
    pub async fn for_error(state: &AppState, headers: &HeaderMap, csrf: CsrfCookie) -> Self {
        let mut parts = axum::http::Request::new(()).into_parts().0;
        parts.headers = headers.clone();
        let cookies = match Cookies::from_request_parts(&mut parts, state).await {
            Ok(cookies) => cookies,
            Err(never) => match never {},
        };
        match Self::build(state, &cookies, &csrf, "/".to_owned()).await {
            Ok(ctx) => ctx,
            Err(_) => Self {
                i18n: I18n::default(),
                zone: Zone::from_browser(cookies.tz()),
                tz_cookie: CookieNames::for_state(state).tz,
                signed_in: None,
                csrf: csrf.token(&state.config.csrf_secret),
                theme: Theme::System,
                exit_url: state.config.exit_url.clone(),
                path: "/".to_owned(),
                unseen: 0,
            },
        }
    }

    /// Tend's name, or a neutral one in discreet mode.
    pub fn app_name(&self) -> String {
        let discreet = self.signed_in.as_ref().is_some_and(|s| s.member.discreet);
        self.t(if discreet {
            msg("app-name-discreet")
        } else {
            msg("app-name")
        })
    }

    pub fn t(&self, id: &str) -> String {
        self.i18n.t(id)
    }

    pub fn t_with(&self, id: &str, name: &str, value: &str) -> String {
        self.i18n.t_with(id, &[(name, value)])
    }

    pub fn asset(&self, name: &str) -> String {
        crate::assets::url(name)
    }

    pub fn lang(&self) -> String {
        self.i18n.lang()
    }

    pub fn is_signed_in(&self) -> bool {
        self.signed_in.is_some()
    }

    /// The theme toggle's label names the theme it switches to.
    pub fn theme_toggle_label(&self) -> String {
        self.t(match self.theme.next() {
            Theme::System => msg("theme-to-system"),
            Theme::Light => msg("theme-to-light"),
            Theme::Dark => msg("theme-to-dark"),
        })
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    /// Built once per request and kept in the request's extensions.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let cookies = match Cookies::from_request_parts(parts, state).await {
            Ok(cookies) => cookies,
            Err(never) => match never {},
        };
        let csrf = CsrfCookie::from_request_parts(parts, state).await?;
        let ctx = Self::build(state, &cookies, &csrf, parts.uri.path().to_owned()).await?;
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

/// A page that needs a signed-in member; anyone else is sent to sign in.
pub struct MemberCtx {
    pub ctx: Ctx,
    pub me: SignedIn,
}

impl FromRequestParts<AppState> for MemberCtx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match ctx.signed_in.clone() {
            Some(me) => Ok(Self { ctx, me }),
            None => Err(Redirect::to("/signin").into_response()),
        }
    }
}

/// A mistake in one form field, said in the member's language.
#[derive(Clone, Debug)]
pub struct FieldError {
    /// The id of the field in the page, so the summary can link to it.
    pub field: String,
    pub message: String,
}

/// The mistakes of one submitted form.
#[derive(Clone, Debug, Default)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    /// The mistakes of a refused input, said in the member's language.
    pub fn from_problems(i18n: &I18n, problems: &[tend_app::Problem]) -> Self {
        Self(
            problems
                .iter()
                .map(|problem| FieldError {
                    field: problem.field.clone(),
                    message: i18n.t(problem.message),
                })
                .collect(),
        )
    }

    pub fn add(&mut self, field: impl Into<String>, message: String) {
        self.0.push(FieldError {
            field: field.into(),
            message,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[FieldError] {
        &self.0
    }

    /// The message for `field`, for the template ("" when the field is fine).
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|error| error.field == field)
            .map_or("", |error| error.message.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|error| error.field == field)
    }
}

/// A short, fixed notice named in a redirect's query (`?notice=signed-out`); only known
/// names are shown, so a link cannot put words of its own on a page.
pub fn notice_message(i18n: &I18n, notice: Option<&str>) -> Option<String> {
    let id = match notice? {
        "signed-out" => msg("notice-signed-out"),
        "locked" => msg("notice-locked"),
        "signed-out-everywhere" => msg("notice-signed-out-everywhere"),
        "password-changed" => msg("notice-password-changed"),
        "recovered" => msg("notice-recovered"),
        "discreet-on" => msg("notice-discreet-on"),
        "discreet-off" => msg("notice-discreet-off"),
        _ => return None,
    };
    Some(i18n.t(id))
}

/// A form with nothing in it but its CSRF token: a button.
#[derive(serde::Deserialize)]
pub struct EmptyForm {}

/// A short notice named in a redirect's query (`?notice=…`).
#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    pub notice: Option<String>,
}
