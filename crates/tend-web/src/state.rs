//! What every handler shares: the use cases' context, the web configuration and the
//! in-memory safety state of this instance.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};
use tend_app::App;

use crate::config::WebConfig;

#[derive(Clone)]
pub struct AppState {
    /// Tend's use cases: the only way to the store.
    pub app: App,
    pub config: Arc<WebConfig>,
    /// Sign-in and recovery attempts per client address. In memory only: addresses are
    /// never stored.
    sign_in_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        let per_minute = NonZeroU32::new(config.sign_in_per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            app,
            sign_in_limiter: Arc::new(governor::RateLimiter::keyed(Quota::per_minute(per_minute))),
            config: Arc::new(config),
        }
    }

    /// Counts an attempt to sign in (or recover) from `client`; false once the client has
    /// used up this minute's attempts.
    pub fn allow_sign_in_attempt(&self, client: IpAddr) -> bool {
        self.sign_in_limiter.check_key(&client).is_ok()
    }
}

/// Every ten minutes: forget expired sign-ins and idle rate-limit entries.
pub async fn clean_up_regularly(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match tend_app::accounts::forget_expired_sign_ins(&state.app).await {
            Ok(count) => tracing::debug!(sessions.deleted = count, "expired sign-ins removed"),
            Err(error) => tracing::warn!(%error, "removing expired sign-ins failed"),
        }
        state.sign_in_limiter.retain_recent();
    }
}
