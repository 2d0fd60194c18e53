//! The context every use case runs in: the store, the clock, the live bus, the catalog and the
//! settings. One per server; cheap to clone.

use std::sync::Arc;

use tend_core::{Catalog, SessionPolicy};
use tend_store::{Backend, Store};

use crate::bus::Bus;
use crate::clock::Clock;
use crate::passwords::Passwords;

/// What an instance can configure about Tend's rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings {
    /// How long a sign-in lasts, idle and at most.
    pub session: SessionPolicy,
}

#[derive(Clone)]
pub struct App {
    /// Only use cases touch the store: the front doors go through them.
    pub(crate) store: Arc<dyn Store>,
    /// The time sessions, follow-ups and background jobs go by.
    pub clock: Clock,
    /// Nudges open streams (of sessions, of members' badges) when there is news, here and on
    /// the other instances.
    pub(crate) bus: Arc<Bus>,
    /// The aftercare catalog, checked at start-up by whoever made the app.
    pub catalog: &'static Catalog,
    pub(crate) passwords: Arc<Passwords>,
    pub settings: Settings,
}

impl App {
    pub fn new(store: Arc<dyn Store>, catalog: &'static Catalog, settings: Settings) -> Self {
        Self {
            bus: Arc::new(Bus::new(store.clone())),
            store,
            clock: Clock::default(),
            catalog,
            passwords: Arc::new(Passwords::new()),
            settings,
        }
    }

    /// Hands what other instances announce to this instance's streams, for as long as the
    /// server runs (returns at once on SQLite).
    pub fn relay(&self) -> impl Future<Output = ()> + Send + 'static {
        self.bus.clone().relay()
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }
}
