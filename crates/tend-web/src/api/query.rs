//! The kind of session a request is about: `?variant=`, after sex when left out.

use serde::Deserialize;
use tend_app::{App, CircleId, MemberId};
use tend_core::profile::Variant;

use super::problem::ApiError;
use crate::i18n::msg;

/// Which kind of session's routine or common ground a request is about.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct VariantQuery {
    /// after-sex (the default), after-intense-scene or after-hard-scene.
    pub variant: Option<String>,
}

impl VariantQuery {
    /// The kind asked for in circle `circle`. One that does not exist is a refused input,
    /// but only for a member of the circle: anyone else gets 404, whatever the query says.
    pub async fn variant(
        &self,
        app: &App,
        me: MemberId,
        circle: CircleId,
    ) -> Result<Variant, ApiError> {
        match self.variant.as_deref() {
            None => Ok(Variant::AfterSex),
            Some(value) => match Variant::parse(value) {
                Some(variant) => Ok(variant),
                None => {
                    tend_app::circles::circle(app, me, circle).await?;
                    Err(ApiError::Invalid(vec![(
                        "variant".into(),
                        msg("profile-variant-invalid"),
                    )]))
                }
            },
        }
    }
}
