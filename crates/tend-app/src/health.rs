//! Whether this instance can serve: its database answers.

use tend_store::Backend;

use crate::app::App;
use crate::error::Result;

/// The database this instance uses, once it has answered a ping.
pub async fn ready(app: &App) -> Result<Backend> {
    app.store.ping().await?;
    Ok(app.store.backend())
}
