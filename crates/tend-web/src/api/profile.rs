//! The catalog, the profile, custom items and boundaries as JSON. Same rules as the pages;
//! another member's item or boundary is `404`, as if it did not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_app::boundaries::{self, BoundaryInput as Boundary};
use tend_app::profile::{self, AnswerChange, Part};
use tend_app::{BoundaryId, BoundaryRecord, CustomItem, CustomItemId};
use tend_core::profile::{Answer, ProfileAnswers, Variant};
use utoipa::ToSchema;

use super::auth::ApiMember;
use super::problem::{ApiError, ApiJson, Problem};
use crate::catalog_words as rules;
use crate::i18n::{I18n, msg};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct CatalogBody {
    categories: Vec<CategoryBody>,
    items: Vec<CatalogItemBody>,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryBody {
    id: String,
    label: String,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogItemBody {
    id: String,
    category: String,
    /// `given` (rated for receiving and giving) or `shared` (one rating).
    kind: String,
    label: String,
    description: String,
}

/// The aftercare catalog, in the member's language.
#[utoipa::path(get, path = "/api/v1/catalog", responses((status = 200, body = CatalogBody)))]
pub async fn catalog_get(State(state): State<AppState>) -> Json<CatalogBody> {
    let i18n = I18n::default();
    let catalog = state.app.catalog;
    Json(CatalogBody {
        categories: catalog
            .categories()
            .iter()
            .map(|c| CategoryBody {
                id: c.id.clone(),
                label: rules::step_title(&i18n, &c.id),
            })
            .collect(),
        items: catalog
            .items()
            .iter()
            .map(|item| {
                let info = rules::catalog_item_info(&i18n, item);
                CatalogItemBody {
                    id: item.id.clone(),
                    category: item.category.clone(),
                    kind: item.kind.as_str().to_owned(),
                    label: info.label,
                    description: info.description,
                }
            })
            .collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct AnswerBody {
    /// A catalog id or `custom:<id>`.
    item: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    receive: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    give: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

fn answer_body(item: &str, answer: &Answer) -> AnswerBody {
    AnswerBody {
        item: item.to_owned(),
        receive: answer.receive.map(|r| r.as_str().to_owned()),
        give: answer.give.map(|r| r.as_str().to_owned()),
        shared: answer.shared.map(|r| r.as_str().to_owned()),
        note: answer.note.as_ref().map(|n| n.as_str().to_owned()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct VariantBody {
    variant: String,
    /// The answers in effect: the variant's own where it differs, else "after sex".
    answers: Vec<AnswerBody>,
}

#[derive(Serialize, ToSchema)]
pub struct CustomItemBody {
    id: String,
    /// How answers name it: `custom:<id>`.
    item: String,
    label: String,
    kind: String,
}

fn custom_item_body(item: &CustomItem) -> CustomItemBody {
    CustomItemBody {
        id: item.id.to_string(),
        item: item.key(),
        label: item.label.as_str().to_owned(),
        kind: item.kind.as_str().to_owned(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProfileBody {
    variants: Vec<VariantBody>,
    #[serde(rename = "custom-items")]
    custom_items: Vec<CustomItemBody>,
}

fn variant_body(profile: &ProfileAnswers, variant: Variant) -> VariantBody {
    VariantBody {
        variant: variant.as_str().to_owned(),
        answers: profile
            .effective(variant)
            .iter()
            .map(|(item, answer)| answer_body(item, answer))
            .collect(),
    }
}

/// The member's answers per variant, and their custom items.
#[utoipa::path(get, path = "/api/v1/profile", security(("bearer" = [])),
    responses((status = 200, body = ProfileBody), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn profile_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<ProfileBody>, ApiError> {
    let profile = profile::profile(&state.app, api.id()).await?;
    Ok(Json(ProfileBody {
        variants: Variant::ALL
            .iter()
            .map(|v| variant_body(&profile.answers, *v))
            .collect(),
        custom_items: profile.custom_items.iter().map(custom_item_body).collect(),
    }))
}

/// A field that may be left out (keep), `null` (clear) or a value. `Set` comes first: an
/// untagged unit variant would also match `null`.
#[derive(Default, Deserialize)]
#[serde(untagged)]
enum Patch {
    Set(Option<String>),
    #[default]
    Keep,
}

impl Patch {
    fn part(&self) -> Part {
        match self {
            Self::Keep => Part::Keep,
            Self::Set(value) => Part::Set(value.clone()),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerPatch {
    item: String,
    /// `love`, `like`, `maybe` or `no`; for given items. Left out keeps, `null` clears.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    receive: Patch,
    /// `glad`, `if-you-like`, `maybe` or `no`; for given items.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    give: Patch,
    /// `love`, `like`, `maybe` or `no`; for shared items.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    shared: Patch,
    /// At most 2,000 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    note: Patch,
}

#[derive(Deserialize, ToSchema)]
pub struct AnswersBody {
    /// `after-sex`, `after-intense-scene` or `after-hard-scene`.
    variant: String,
    answers: Vec<AnswerPatch>,
}

/// Changes some answers of one variant. Every answer is checked first: one mistake and
/// nothing is saved.
#[utoipa::path(put, path = "/api/v1/profile/answers", request_body = AnswersBody, security(("bearer" = [])),
    responses((status = 200, body = VariantBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn answers_put(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(body): ApiJson<AnswersBody>,
) -> Result<Json<VariantBody>, ApiError> {
    let Some(variant) = Variant::parse(&body.variant) else {
        return Err(ApiError::Invalid(vec![(
            "variant".into(),
            msg("profile-variant-invalid"),
        )]));
    };
    let changes: Vec<AnswerChange> = body
        .answers
        .iter()
        .map(|patch| AnswerChange {
            item: patch.item.clone(),
            receive: patch.receive.part(),
            give: patch.give.part(),
            shared: patch.shared.part(),
            note: patch.note.part(),
        })
        .collect();
    match profile::save_answers(&state.app, api.id(), variant, &changes).await {
        Ok(saved) => Ok(Json(variant_body(&saved, variant))),
        // Each mistake names the answer it is in: `answers[2].receive`.
        Err(tend_app::Error::Invalid(problems)) => Err(ApiError::Invalid(
            problems
                .into_iter()
                .map(|p| {
                    let field = match p.entry {
                        Some(i) => format!("answers[{i}].{}", p.field),
                        None => p.field,
                    };
                    (field, p.message)
                })
                .collect(),
        )),
        Err(error) => Err(error.into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CustomItemInput {
    /// 1–80 characters, unlike the member's other custom items.
    label: String,
    /// `given` or `shared`.
    kind: String,
}

fn custom_item_id(id: &str) -> Result<CustomItemId, ApiError> {
    CustomItemId::parse(id).ok_or(ApiError::NotFound)
}

/// Adds an item of the member's own.
#[utoipa::path(post, path = "/api/v1/profile/custom-items", request_body = CustomItemInput, security(("bearer" = [])),
    responses((status = 201, body = CustomItemBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn custom_items_post(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(input): ApiJson<CustomItemInput>,
) -> Result<Response, ApiError> {
    let item = profile::add_custom_item(&state.app, api.id(), &input.label, &input.kind).await?;
    Ok((StatusCode::CREATED, Json(custom_item_body(&item))).into_response())
}

/// The member's custom items.
#[utoipa::path(get, path = "/api/v1/profile/custom-items", security(("bearer" = [])),
    responses((status = 200, body = Vec<CustomItemBody>)))]
pub async fn custom_items_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<Vec<CustomItemBody>>, ApiError> {
    let items = profile::custom_items(&state.app, api.id()).await?;
    Ok(Json(items.iter().map(custom_item_body).collect()))
}

/// One custom item of the member.
#[utoipa::path(get, path = "/api/v1/profile/custom-items/{id}", security(("bearer" = [])),
    responses((status = 200, body = CustomItemBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn custom_item_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<CustomItemBody>, ApiError> {
    let item = profile::custom_item(&state.app, api.id(), custom_item_id(&id)?).await?;
    Ok(Json(custom_item_body(&item)))
}

/// Renames a custom item or changes its kind. A new kind clears its ratings, which were
/// given for the other kind.
#[utoipa::path(put, path = "/api/v1/profile/custom-items/{id}", request_body = CustomItemInput, security(("bearer" = [])),
    responses((status = 200, body = CustomItemBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn custom_item_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CustomItemInput>,
) -> Result<Json<CustomItemBody>, ApiError> {
    let id = custom_item_id(&id)?;
    let changed =
        profile::change_custom_item(&state.app, api.id(), id, &input.label, &input.kind).await?;
    Ok(Json(custom_item_body(&changed)))
}

/// Deletes a custom item and its answers.
#[utoipa::path(delete, path = "/api/v1/profile/custom-items/{id}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn custom_item_delete(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    profile::delete_custom_item(&state.app, api.id(), custom_item_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct BoundaryInput {
    /// `hard-limit`, `soft-limit`, `trigger`, `stress-response`, `dissociation-sign`,
    /// `if-i-freeze-do`, `if-i-freeze-dont`, `health-note`, `drop-sign`, `drop-help`,
    /// `override-im-fine`, `safeword` or `nonverbal-signal`.
    kind: String,
    /// Up to 1,000 characters. A stress response is `fight`, `flight`, `freeze` or `fawn`;
    /// `override-im-fine` is `yes` or `no`.
    text: String,
    /// A soft limit's "only if…".
    #[serde(default)]
    condition: Option<String>,
    /// The ids of your circles it is shared with. Left out: private for a new entry, as it
    /// was for a changed one.
    #[serde(default, rename = "shared-with")]
    shared_with: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct BoundaryBody {
    id: String,
    kind: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    /// The ids of the circles it is shared with; absent for an entry from before entries
    /// were shared one by one (it follows its kind's sharing in each circle).
    #[serde(rename = "shared-with", skip_serializing_if = "Option::is_none")]
    shared_with: Option<Vec<String>>,
}

fn boundary_body(record: &BoundaryRecord) -> BoundaryBody {
    BoundaryBody {
        id: record.id.to_string(),
        kind: record.boundary.kind.as_str().to_owned(),
        text: record.boundary.text.clone(),
        condition: record.boundary.condition.clone(),
        shared_with: record
            .shared_with
            .as_ref()
            .map(|set| set.iter().map(ToString::to_string).collect()),
    }
}

fn boundary_input(input: &BoundaryInput) -> Boundary<'_> {
    Boundary {
        kind: &input.kind,
        text: &input.text,
        condition: input.condition.as_deref().unwrap_or(""),
        circles: input.shared_with.as_deref(),
    }
}

fn boundary_id(id: &str) -> Result<BoundaryId, ApiError> {
    BoundaryId::parse(id).ok_or(ApiError::NotFound)
}

/// Adds a boundary: private, unless `shared-with` names circles.
#[utoipa::path(post, path = "/api/v1/profile/boundaries", request_body = BoundaryInput, security(("bearer" = [])),
    responses((status = 201, body = BoundaryBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn boundaries_post(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(input): ApiJson<BoundaryInput>,
) -> Result<Response, ApiError> {
    let record = boundaries::add(&state.app, api.id(), &boundary_input(&input)).await?;
    Ok((StatusCode::CREATED, Json(boundary_body(&record))).into_response())
}

/// The member's boundaries.
#[utoipa::path(get, path = "/api/v1/profile/boundaries", security(("bearer" = [])),
    responses((status = 200, body = Vec<BoundaryBody>)))]
pub async fn boundaries_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<Vec<BoundaryBody>>, ApiError> {
    let records = boundaries::boundaries(&state.app, api.id()).await?;
    Ok(Json(records.iter().map(boundary_body).collect()))
}

/// Changes a boundary.
#[utoipa::path(put, path = "/api/v1/profile/boundaries/{id}", request_body = BoundaryInput, security(("bearer" = [])),
    responses((status = 200, body = BoundaryBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn boundary_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BoundaryInput>,
) -> Result<Json<BoundaryBody>, ApiError> {
    let id = boundary_id(&id)?;
    let record = boundaries::change(&state.app, api.id(), id, &boundary_input(&input)).await?;
    Ok(Json(boundary_body(&record)))
}

/// Deletes a boundary.
#[utoipa::path(delete, path = "/api/v1/profile/boundaries/{id}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn boundary_delete(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    boundaries::delete(&state.app, api.id(), boundary_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
