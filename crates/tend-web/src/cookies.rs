//! The cookies Tend sets and reads: the sign-in, the CSRF secret and the theme (host-only,
//! `HttpOnly`, `SameSite=Lax`), and the time zone `tend.js` reads from the browser (host-only,
//! `SameSite=Lax`, readable by the script that sets it); all with the `__Host-` prefix and
//! `Secure` on https, and all ending with the browser.

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
    /// The browser's time zone, an IANA name; set by `tend.js`, which reads this name from
    /// the page (`data-tz-cookie`).
    pub tz: &'static str,
    pub secure: bool,
}

impl CookieNames {
    pub fn for_state(state: &AppState) -> Self {
        if state.config.is_https() {
            Self {
                session: "__Host-tend_session",
                csrf: "__Host-tend_csrf",
                theme: "__Host-tend_theme",
                tz: "__Host-tend_tz",
                secure: true,
            }
        } else {
            Self {
                session: "tend_session",
                csrf: "tend_csrf",
                theme: "tend_theme",
                tz: "tend_tz",
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

    /// Every cookie Tend sets, for forgetting them all at once (Quick exit).
    pub fn all(&self) -> [&'static str; 4] {
        [self.session, self.csrf, self.theme, self.tz]
    }
}

/// The request's cookies that Tend reads.
#[derive(Clone, Default)]
pub struct Cookies {
    session: Option<String>,
    theme: Option<String>,
    tz: Option<String>,
}

impl Cookies {
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    pub fn theme(&self) -> Option<&str> {
        self.theme.as_deref()
    }

    /// The time zone the browser said, unchecked (see `words::Zone::from_browser`).
    pub fn tz(&self) -> Option<&str> {
        self.tz.as_deref()
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
            tz: read_cookie(&parts.headers, names.tz),
        })
    }
}
