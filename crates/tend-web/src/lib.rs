//! Tend's web front: two thin front doors over Tend's use cases (`tend-app`) — the
//! server-rendered pages and the JSON API under `/api/v1` — plus what only the web knows:
//! routing, cookies, CSRF, security headers, rate limits, translations, server-sent events
//! and the embedded static assets.
//!
//! Architecture invariants: pages and API never import each other; a handler parses the
//! request, calls a use case, and renders its result or error in its own way.

mod api;
mod assets;
mod catalog_words;
mod client;
mod config;
mod cookies;
mod csrf;
mod error;
mod i18n;
mod middleware;
mod pages;
mod state;
mod streams;
mod words;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

pub use config::{SupportResource, WebConfig};
pub use state::AppState;
pub use tend_app::{Clock, now};

/// Every route of Tend, with its middleware.
pub fn router(state: AppState) -> Router {
    let pages = pages::routes();
    let api = api::routes();
    middleware::layers(state.clone(), pages.merge(api).merge(assets::routes())).with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// for at most ten seconds (open live streams would otherwise hold shutdown forever). The
/// background worker, the clean-up and the bus between instances run alongside.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cleanup = tokio::spawn(state::clean_up_regularly(state.clone()));
    let worker = tokio::spawn(tend_app::jobs::work_regularly(state.app.clone()));
    let relay = tokio::spawn(state.app.relay());
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
pub fn state(store: Arc<dyn tend_app::Store>, config: WebConfig) -> Result<AppState, String> {
    let catalog = catalog_words::checked_catalog()?;
    let settings = tend_app::Settings {
        session: config.session,
    };
    let app = tend_app::App::new(store, catalog, settings);
    Ok(AppState::new(app, config))
}

/// Runs every background job due at `now` on this instance; how many ran.
pub async fn run_due_jobs(state: &AppState, now: tend_core::Timestamp) -> usize {
    tend_app::jobs::run_due(&state.app, now).await
}
