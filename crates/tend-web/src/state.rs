//! What every handler shares: the store, the configuration and in-memory safety state.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};
use tend_store::Store;

use crate::auth::Passwords;
use crate::clock;
use crate::config::WebConfig;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub passwords: Arc<Passwords>,
    /// The aftercare catalog, checked at start-up.
    pub catalog: &'static tend_core::Catalog,
    /// Sign-in attempts per client address. In memory only: addresses are never stored.
    pub sign_in_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// The time sessions, follow-ups and background jobs go by.
    pub clock: crate::clock::Clock,
    /// Nudges open streams (of sessions, of members' badges) when there is news, here and on
    /// the other instances.
    pub bus: Arc<crate::bus::Bus>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Result<Self, String> {
        let per_minute = NonZeroU32::new(config.sign_in_per_minute).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            bus: Arc::new(crate::bus::Bus::new(store.clone())),
            store,
            catalog: crate::profile::checked_catalog()?,
            sign_in_limiter: Arc::new(governor::RateLimiter::keyed(Quota::per_minute(per_minute))),
            config: Arc::new(config),
            passwords: Arc::new(Passwords::new()),
            clock: crate::clock::Clock::default(),
        })
    }
}

/// Every ten minutes: forget expired sessions and idle rate-limit entries.
pub async fn clean_up_regularly(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = clock::now();
        let policy = state.config.session;
        let expired = state
            .store
            .delete_expired_sessions(now.before(policy.idle), now.before(policy.absolute))
            .await;
        match expired {
            Ok(count) => tracing::debug!(sessions.deleted = count, "expired sessions removed"),
            Err(error) => tracing::warn!(%error, "removing expired sessions failed"),
        }
        state.sign_in_limiter.retain_recent();
    }
}
