//! What an instance can configure about the web front.

use tend_core::SessionPolicy;

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The address members use, e.g. `https://tend.example.org`. When it is https, cookies
    /// are `Secure` with the `__Host-` prefix and HSTS is sent.
    pub public_url: Option<String>,
    pub session: SessionPolicy,
    /// Where Quick exit goes. Default: Tend's own blank page, so nothing leaves the server.
    pub exit_url: String,
    /// Support resources shown on `/support`; empty means the built-in defaults.
    pub support: Vec<SupportResource>,
    /// Request bodies larger than this get 413.
    pub body_limit_bytes: usize,
    /// Sign-in attempts per client per minute (kept in memory only).
    pub sign_in_per_minute: u32,
    /// 32 secret bytes shared by every instance, for CSRF tokens.
    pub csrf_secret: [u8; 32],
}

/// One line of the support page, as an instance operator writes it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct SupportResource {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl SupportResource {
    /// The phone number as a `tel:` link wants it: digits and a leading +.
    pub fn phone_link(&self) -> String {
        self.phone
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }
}

impl WebConfig {
    pub fn is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// Defaults for everything but the secret.
    pub fn with_secret(csrf_secret: [u8; 32]) -> Self {
        Self {
            public_url: None,
            session: SessionPolicy::default(),
            exit_url: "/exit".to_owned(),
            support: Vec::new(),
            body_limit_bytes: 64 * 1024,
            sign_in_per_minute: 10,
            csrf_secret,
        }
    }
}
