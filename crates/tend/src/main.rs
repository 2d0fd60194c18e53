//! The `tend` binary: reads the configuration, prepares the data directory and master key,
//! opens the store and serves. Only this crate reads flags, the environment and files.

mod config;
mod data_dir;

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::config::{Cli, Command, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("TEND_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = Settings::resolve(&cli).context("reading the configuration")?;
    match cli.command {
        Command::Serve(_) => serve(settings).await,
        Command::Migrate(_) => {
            let store = data_dir::open_store(&settings).await?;
            println!("Migrations applied ({:?}).", store.backend());
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let store = data_dir::open_store(&settings).await?;
    let web_config = data_dir::web_config(&settings)?;
    let listener = tokio::net::TcpListener::bind(&settings.bind)
        .await
        .with_context(|| format!("listening on {}", settings.bind))?;
    let address = listener.local_addr().context("reading the bound address")?;
    println!("Tend is running at http://{address}");
    let state = tend_web::state(store, web_config).map_err(anyhow::Error::msg)?;
    tend_web::serve(listener, state, shutdown_signal())
        .await
        .context("serving")?;
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
