//! Tend's web front: server-rendered pages, the JSON API under `/api/v1`, sign-in and
//! sessions, CSRF and security headers, translations and the embedded static assets.
//!
//! Architecture invariant: only this crate knows HTTP. Handlers are thin: extract, call the
//! domain (`tend-core`) and the store (`tend-store`), render.

mod accounts;
mod api;
mod assets;
mod auth;
mod bus;
mod circles;
mod clock;
mod config;
mod error;
mod i18n;
mod jobs;
mod live;
mod notifications;
mod pages;
mod profile;
mod routines;
mod security;
mod sessions;
mod state;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

pub use clock::{Clock, now};
pub use config::{SupportResource, WebConfig};
pub use jobs::run_due as run_due_jobs;
pub use state::AppState;

/// Every route of Tend, with its middleware.
pub fn router(state: AppState) -> Router {
    let pages = pages::routes();
    let api = api::routes();
    security::layers(state.clone(), pages.merge(api).merge(assets::routes())).with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// for at most ten seconds (open live streams would otherwise hold shutdown forever).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cleanup = tokio::spawn(state::clean_up_regularly(state.clone()));
    let worker = tokio::spawn(jobs::work_regularly(state.clone()));
    let relay = tokio::spawn(state.bus.clone().relay());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping_tx.send(());
    });
    let result = tokio::select! {
        result = server.into_future() => result,
        () = async {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(Duration::from_secs(10)).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => Ok(()),
    };
    cleanup.abort();
    worker.abort();
    relay.abort();
    result
}

/// The state for a store and a configuration; an error says what stops Tend from starting
/// (a broken catalog, a missing translation).
pub fn state(store: Arc<dyn tend_store::Store>, config: WebConfig) -> Result<AppState, String> {
    AppState::new(store, config)
}
