//! Static files (CSS, JavaScript, htmx) embedded in the binary and served under a path that
//! holds a hash of their content, so browsers may cache them forever.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::error::{AppError, ErrorKind};
use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "assets/"]
#[exclude = "*.md"]
#[exclude = "*.LICENSE"]
struct Assets;

/// File name → first 16 hex digits of its SHA-256.
static HASHES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|name| {
            let file = Assets::get(&name)?;
            let hash: String = file.metadata.sha256_hash()[..8]
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            Some((name.into_owned(), hash))
        })
        .collect()
});

/// The URL of an asset, e.g. `/static/3f2a…/tend.css`.
pub fn url(name: &str) -> String {
    let hash = HASHES.get(name).map_or("missing", String::as_str);
    format!("/static/{hash}/{name}")
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{hash}/{*name}", get(asset_get))
}

async fn asset_get(Path((hash, name)): Path<(String, String)>) -> Result<Response, AppError> {
    let file = Assets::get(&name).ok_or(ErrorKind::NotFound)?;
    if HASHES.get(&name) != Some(&hash) {
        return Err(ErrorKind::NotFound.into());
    }
    let content_type = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        file.data,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_script_and_htmx_are_embedded() {
        for name in ["tend.css", "tend.js", "vendor/htmx.min.js"] {
            assert!(Assets::get(name).is_some(), "{name}");
            assert!(!url(name).contains("missing"), "{name}");
        }
    }
}
