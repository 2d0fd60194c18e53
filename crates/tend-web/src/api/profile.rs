//! The catalog, the profile, custom items and boundaries as JSON. Same rules as the pages;
//! another member's item or boundary is `404`, as if it did not exist.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_core::boundaries::{Boundary, BoundaryKind};
use tend_core::catalog::ItemKind;
use tend_core::profile::{Answer, CustomLabel, ProfileAnswers, Variant};
use tend_store::{BoundaryId, BoundaryRecord, CustomItem, CustomItemId, MemberId};
use utoipa::ToSchema;

use super::{ApiError, ApiJson};
use crate::accounts::rule_message;
use crate::auth::ApiMember;
use crate::clock;
use crate::i18n::{I18n, msg};
use crate::profile::{self as rules, RawAnswer};
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
    let catalog = state.catalog;
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
    responses((status = 200, body = ProfileBody), (status = 401, body = super::Problem, content_type = "application/problem+json")))]
pub async fn profile_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<ProfileBody>, ApiError> {
    let id = api.member.id;
    let profile = state.store.profile(id).await?;
    let custom = state.store.custom_items(id).await?;
    Ok(Json(ProfileBody {
        variants: Variant::ALL
            .iter()
            .map(|v| variant_body(&profile, *v))
            .collect(),
        custom_items: custom.iter().map(custom_item_body).collect(),
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
    fn over<'a>(&'a self, current: Option<&'a str>) -> Option<&'a str> {
        match self {
            Self::Keep => current,
            Self::Set(value) => value.as_deref(),
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

/// The kind of each item key the member may answer.
async fn answerable(
    state: &AppState,
    member: MemberId,
) -> Result<std::collections::HashMap<String, ItemKind>, ApiError> {
    let custom = state.store.custom_items(member).await?;
    Ok(state
        .catalog
        .items()
        .iter()
        .map(|item| (item.id.clone(), item.kind))
        .chain(custom.iter().map(|item| (item.key(), item.kind)))
        .collect())
}

/// Changes some answers of one variant. Every answer is checked first: one mistake and
/// nothing is saved.
#[utoipa::path(put, path = "/api/v1/profile/answers", request_body = AnswersBody, security(("bearer" = [])),
    responses((status = 200, body = VariantBody), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn answers_put(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(body): ApiJson<AnswersBody>,
) -> Result<Json<VariantBody>, ApiError> {
    let member = api.member.id;
    let Some(variant) = Variant::parse(&body.variant) else {
        return Err(ApiError::Invalid(vec![(
            "variant".into(),
            msg("profile-variant-invalid"),
        )]));
    };
    let kinds = answerable(&state, member).await?;
    let current = state.store.profile(member).await?.effective(variant);
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    for (index, patch) in body.answers.iter().enumerate() {
        let Some(kind) = kinds.get(&patch.item) else {
            problems.push((
                format!("answers[{index}].item"),
                msg("profile-item-unknown"),
            ));
            continue;
        };
        let old = current.get(&patch.item).cloned().unwrap_or_default();
        let raw = RawAnswer {
            receive: patch.receive.over(old.receive.map(|r| r.as_str())),
            give: patch.give.over(old.give.map(|r| r.as_str())),
            shared: patch.shared.over(old.shared.map(|r| r.as_str())),
            note: patch.note.over(old.note.as_ref().map(|n| n.as_str())),
        };
        match rules::parse_answer(*kind, &raw) {
            Ok(answer) => changes.push((patch.item.clone(), answer)),
            Err(parts) => problems.extend(
                parts
                    .into_iter()
                    .map(|(part, id)| (format!("answers[{index}].{part}"), id)),
            ),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let record = move |profile: &mut ProfileAnswers| {
        for (item, answer) in &changes {
            profile.record(variant, item, answer.clone());
        }
    };
    let saved = state
        .store
        .update_profile(member, &record, clock::now())
        .await?;
    Ok(Json(variant_body(&saved, variant)))
}

#[derive(Deserialize, ToSchema)]
pub struct CustomItemInput {
    /// 1–80 characters, unlike the member's other custom items.
    label: String,
    /// `given` or `shared`.
    kind: String,
}

/// The label and kind in `input`, checked against the member's other items (`others`).
fn parse_custom_item(
    input: &CustomItemInput,
    others: &[CustomItem],
) -> Result<(CustomLabel, ItemKind), ApiError> {
    let mut problems = Vec::new();
    let label = CustomLabel::parse(&input.label, others.iter().map(|item| &item.label))
        .map_err(|e| problems.push(("label".to_owned(), rule_message(&e))))
        .ok();
    let kind = ItemKind::parse(&input.kind);
    if kind.is_none() {
        problems.push(("kind".to_owned(), msg("profile-kind-invalid")));
    }
    match (label, kind) {
        (Some(label), Some(kind)) => Ok((label, kind)),
        _ => Err(ApiError::Invalid(problems)),
    }
}

fn custom_item_id(id: &str) -> Result<CustomItemId, ApiError> {
    CustomItemId::parse(id).ok_or(ApiError::NotFound)
}

/// Adds an item of the member's own.
#[utoipa::path(post, path = "/api/v1/profile/custom-items", request_body = CustomItemInput, security(("bearer" = [])),
    responses((status = 201, body = CustomItemBody), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn custom_items_post(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(input): ApiJson<CustomItemInput>,
) -> Result<Response, ApiError> {
    let member = api.member.id;
    let others = state.store.custom_items(member).await?;
    let (label, kind) = parse_custom_item(&input, &others)?;
    let item = state
        .store
        .create_custom_item(member, &label, kind, clock::now())
        .await?;
    Ok((StatusCode::CREATED, Json(custom_item_body(&item))).into_response())
}

/// The member's custom items.
#[utoipa::path(get, path = "/api/v1/profile/custom-items", security(("bearer" = [])),
    responses((status = 200, body = Vec<CustomItemBody>)))]
pub async fn custom_items_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<Vec<CustomItemBody>>, ApiError> {
    let items = state.store.custom_items(api.member.id).await?;
    Ok(Json(items.iter().map(custom_item_body).collect()))
}

async fn own_custom_item(
    state: &AppState,
    member: MemberId,
    id: &str,
) -> Result<(CustomItem, Vec<CustomItem>), ApiError> {
    let id = custom_item_id(id)?;
    let mut items = state.store.custom_items(member).await?;
    let at = items
        .iter()
        .position(|item| item.id == id)
        .ok_or(ApiError::NotFound)?;
    let item = items.remove(at);
    Ok((item, items))
}

/// One custom item of the member.
#[utoipa::path(get, path = "/api/v1/profile/custom-items/{id}", security(("bearer" = [])),
    responses((status = 200, body = CustomItemBody), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn custom_item_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<CustomItemBody>, ApiError> {
    let (item, _) = own_custom_item(&state, api.member.id, &id).await?;
    Ok(Json(custom_item_body(&item)))
}

/// Renames a custom item or changes its kind. A new kind clears its ratings, which were
/// given for the other kind.
#[utoipa::path(put, path = "/api/v1/profile/custom-items/{id}", request_body = CustomItemInput, security(("bearer" = [])),
    responses((status = 200, body = CustomItemBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn custom_item_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CustomItemInput>,
) -> Result<Json<CustomItemBody>, ApiError> {
    let member = api.member.id;
    let (item, others) = own_custom_item(&state, member, &id).await?;
    let (label, kind) = parse_custom_item(&input, &others)?;
    let changed = CustomItem {
        label,
        kind,
        ..item.clone()
    };
    state.store.update_custom_item(member, &changed).await?;
    if kind != item.kind {
        let key = item.key();
        state
            .store
            .update_profile(
                member,
                &move |p: &mut ProfileAnswers| p.forget(&key),
                clock::now(),
            )
            .await?;
    }
    Ok(Json(custom_item_body(&changed)))
}

/// Deletes a custom item and its answers.
#[utoipa::path(delete, path = "/api/v1/profile/custom-items/{id}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn custom_item_delete(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let member = api.member.id;
    let (item, _) = own_custom_item(&state, member, &id).await?;
    state.store.delete_custom_item(member, item.id).await?;
    let key = item.key();
    state
        .store
        .update_profile(
            member,
            &move |p: &mut ProfileAnswers| p.forget(&key),
            clock::now(),
        )
        .await?;
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
}

#[derive(Serialize, ToSchema)]
pub struct BoundaryBody {
    id: String,
    kind: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
}

fn boundary_body(record: &BoundaryRecord) -> BoundaryBody {
    BoundaryBody {
        id: record.id.to_string(),
        kind: record.boundary.kind.as_str().to_owned(),
        text: record.boundary.text.clone(),
        condition: record.boundary.condition.clone(),
    }
}

fn parse_boundary(input: &BoundaryInput) -> Result<Boundary, ApiError> {
    let kind = BoundaryKind::parse(&input.kind)
        .ok_or_else(|| ApiError::Invalid(vec![("kind".into(), msg("boundary-kind-invalid"))]))?;
    Boundary::parse(kind, &input.text, input.condition.as_deref().unwrap_or("")).map_err(|e| {
        let field = if e == tend_core::boundaries::BoundaryError::ConditionNotAllowed {
            "condition"
        } else {
            "text"
        };
        ApiError::Invalid(vec![(field.into(), rule_message(&e))])
    })
}

fn boundary_id(id: &str) -> Result<BoundaryId, ApiError> {
    BoundaryId::parse(id).ok_or(ApiError::NotFound)
}

/// Adds a boundary. Private until shared with a circle.
#[utoipa::path(post, path = "/api/v1/profile/boundaries", request_body = BoundaryInput, security(("bearer" = [])),
    responses((status = 201, body = BoundaryBody), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn boundaries_post(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(input): ApiJson<BoundaryInput>,
) -> Result<Response, ApiError> {
    let boundary = parse_boundary(&input)?;
    let record = state
        .store
        .create_boundary(api.member.id, &boundary, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(boundary_body(&record))).into_response())
}

/// The member's boundaries.
#[utoipa::path(get, path = "/api/v1/profile/boundaries", security(("bearer" = [])),
    responses((status = 200, body = Vec<BoundaryBody>)))]
pub async fn boundaries_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<Vec<BoundaryBody>>, ApiError> {
    let records = state.store.boundaries(api.member.id).await?;
    Ok(Json(records.iter().map(boundary_body).collect()))
}

/// Changes a boundary.
#[utoipa::path(put, path = "/api/v1/profile/boundaries/{id}", request_body = BoundaryInput, security(("bearer" = [])),
    responses((status = 200, body = BoundaryBody), (status = 404, body = super::Problem, content_type = "application/problem+json"), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn boundary_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BoundaryInput>,
) -> Result<Json<BoundaryBody>, ApiError> {
    let id = boundary_id(&id)?;
    let boundary = parse_boundary(&input)?;
    let now = state.clock.now();
    state
        .store
        .update_boundary(api.member.id, id, &boundary, now)
        .await?;
    Ok(Json(boundary_body(&BoundaryRecord {
        id,
        boundary,
        updated_at: now,
    })))
}

/// Deletes a boundary.
#[utoipa::path(delete, path = "/api/v1/profile/boundaries/{id}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn boundary_delete(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = boundary_id(&id)?;
    state.store.delete_boundary(api.member.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
