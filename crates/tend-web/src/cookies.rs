//! The cookies Tend sets and reads: the sign-in, the CSRF secret and the theme. Host-only,
//! `HttpOnly`, `SameSite=Lax`, with the `__Host-` prefix and `Secure` on https.

use axum::extract::FromRequestParts;
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;

use crate::state::AppState;

/// The cookie names, with the `__Host-` prefix (which requires `Secure`) on https.
#[derive(Clone, Copy)]
pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
    pub theme: &'static str,
    pub secure: bool,
}

impl CookieNames {
    pub fn for_state(state: &AppState) -> Self {
        if state.config.is_https() {
            Self {
                session: "__Host-tend_session",
                csrf: "__Host-tend_csrf",
                theme: "__Host-tend_theme",
                secure: true,
            }
        } else {
            Self {
                session: "tend_session",
                csrf: "tend_csrf",
                theme: "tend_theme",
                secure: false,
            }
        }
    }

    /// A `Set-Cookie` value: host-only, whole site, `HttpOnly`, `SameSite=Lax`, no expiry
    /// (ends with the browser; the server enforces lifetimes), `Secure` on https.
    pub fn set(&self, name: &str, value: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("tend_invalid=1"))
    }

    pub fn clear(&self, name: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("tend_invalid=1"))
    }
}

/// The request's cookies that Tend reads.
#[derive(Clone, Default)]
pub struct Cookies {
    session: Option<String>,
    theme: Option<String>,
}

impl Cookies {
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    pub fn theme(&self) -> Option<&str> {
        self.theme.as_deref()
    }
}

pub fn read_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

impl FromRequestParts<AppState> for Cookies {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let names = CookieNames::for_state(state);
        Ok(Self {
            session: read_cookie(&parts.headers, names.session),
            theme: read_cookie(&parts.headers, names.theme),
        })
    }
}
