//! Circles through the JSON API: the same rules as the pages. Anyone who is not a member of a
//! circle gets 404 for it, never 403, so a circle's existence does not leak.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_app::circles;
use tend_app::{CircleId, CircleRecord, InviteId, MemberId};
use tend_core::circle::Section;
use tend_core::reveal::Fact;
use utoipa::ToSchema;

use super::auth::ApiMember;
use super::problem::{ApiError, ApiJson, Problem};
use super::query::VariantQuery;
use crate::state::AppState;

fn circle_id(id: &str) -> Result<CircleId, ApiError> {
    CircleId::parse(id).ok_or(ApiError::NotFound)
}

#[derive(Deserialize, ToSchema)]
pub struct NewCircleBody {
    /// 1–60 characters, seen by the circle's members only.
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CircleSummaryBody {
    id: String,
    name: String,
    members: usize,
}

/// Makes a circle with you in it.
#[utoipa::path(post, path = "/api/v1/circles", request_body = NewCircleBody, security(("bearer" = [])),
    responses((status = 201, body = CircleSummaryBody), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn circles_post(
    State(state): State<AppState>,
    api: ApiMember,
    ApiJson(body): ApiJson<NewCircleBody>,
) -> Result<Response, ApiError> {
    let circle = circles::create(&state.app, api.id(), &body.name).await?;
    let body = CircleSummaryBody {
        id: circle.id.to_string(),
        name: circle.name.as_str().to_owned(),
        members: circle.members,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Your circles.
#[utoipa::path(get, path = "/api/v1/circles", security(("bearer" = [])), responses((status = 200, body = Vec<CircleSummaryBody>)))]
pub async fn circles_get(
    State(state): State<AppState>,
    api: ApiMember,
) -> Result<Json<Vec<CircleSummaryBody>>, ApiError> {
    let circles = circles::list(&state.app, api.id()).await?;
    Ok(Json(
        circles
            .into_iter()
            .map(|c| CircleSummaryBody {
                id: c.id.to_string(),
                name: c.name.as_str().to_owned(),
                members: c.members,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct CircleMemberBody {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pronouns: Option<String>,
    locked: bool,
    /// False while they have not confirmed what they share since someone joined.
    confirmed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CircleBody {
    id: String,
    name: String,
    members: Vec<CircleMemberBody>,
    /// True when every member has locked and confirmed what they share.
    revealed: bool,
    /// What you share with this circle, section by section.
    sharing: std::collections::BTreeMap<String, String>,
}

fn sharing_map(
    sharing: &tend_core::circle::CircleSharing,
) -> std::collections::BTreeMap<String, String> {
    Section::all()
        .map(|s| (s.as_str().to_owned(), sharing.get(s).as_str().to_owned()))
        .collect()
}

fn circle_body(circle: &CircleRecord, viewer: MemberId) -> CircleBody {
    let mine = circle.members.iter().find(|m| m.member.id == viewer);
    CircleBody {
        id: circle.id.to_string(),
        name: circle.name.as_str().to_owned(),
        revealed: circle.members.iter().all(|m| m.locked && m.confirmed),
        members: circle
            .members
            .iter()
            .map(|m| CircleMemberBody {
                id: m.member.id.to_string(),
                name: m.member.name().to_owned(),
                pronouns: m.member.pronouns.clone(),
                locked: m.locked,
                confirmed: m.confirmed,
            })
            .collect(),
        sharing: mine.map(|m| sharing_map(&m.sharing)).unwrap_or_default(),
    }
}

/// A circle you are in: its members and who has locked.
#[utoipa::path(get, path = "/api/v1/circles/{id}", security(("bearer" = [])),
    responses((status = 200, body = CircleBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn circle_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<CircleBody>, ApiError> {
    let circle = circles::circle(&state.app, api.id(), circle_id(&id)?).await?;
    Ok(Json(circle_body(&circle, api.id())))
}

#[derive(Serialize, ToSchema)]
pub struct InviteBody {
    id: String,
    /// Shown once: only its hash is kept.
    token: String,
    /// The link to send, relative to this instance unless its public URL is set.
    url: String,
    #[serde(rename = "expires-at")]
    expires_at: i64,
}

/// A single-use invite link, valid for 72 hours.
#[utoipa::path(post, path = "/api/v1/circles/{id}/invites", security(("bearer" = [])),
    responses((status = 201, body = InviteBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn invites_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = circle_id(&id)?;
    let (token, invite) = circles::create_invite(&state.app, api.id(), id).await?;
    let base = state.config.public_url.clone().unwrap_or_default();
    let body = InviteBody {
        id: invite.id.to_string(),
        url: format!("{}/invites/{token}", base.trim_end_matches('/')),
        token,
        expires_at: invite.expires_at.unix_seconds(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Withdraws an invite link.
#[utoipa::path(delete, path = "/api/v1/circles/{id}/invites/{invite}", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn invite_delete(
    State(state): State<AppState>,
    api: ApiMember,
    Path((id, invite)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = circle_id(&id)?;
    let invite = InviteId::parse(&invite).ok_or(ApiError::NotFound)?;
    circles::revoke_invite(&state.app, api.id(), id, invite).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct JoinedBody {
    circle: String,
}

/// Joins the circle of an invite link, using it up.
#[utoipa::path(post, path = "/api/v1/invites/{token}/accept", security(("bearer" = [])),
    responses((status = 200, body = JoinedBody), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json")))]
pub async fn invite_accept_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(token): Path<String>,
) -> Result<Json<JoinedBody>, ApiError> {
    let circle = circles::join(&state.app, api.id(), &token).await?;
    Ok(Json(JoinedBody {
        circle: circle.to_string(),
    }))
}

/// Leaves the circle at once. Nobody is told; the circle simply shows one member fewer.
#[utoipa::path(delete, path = "/api/v1/circles/{id}/members/me", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn leave_delete(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    circles::leave(&state.app, api.id(), circle_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes what you share with the circle: `{ "answers": "everything", "trigger": "nothing" }`.
/// Sections not named keep their choice.
#[utoipa::path(put, path = "/api/v1/circles/{id}/sharing", request_body = std::collections::BTreeMap<String, String>, security(("bearer" = [])),
    responses((status = 200, body = CircleBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn sharing_put(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<std::collections::BTreeMap<String, String>>,
) -> Result<Json<CircleBody>, ApiError> {
    let me = api.id();
    let choices: Vec<(String, String)> = body.into_iter().collect();
    let circle = circles::set_sharing(&state.app, me, circle_id(&id)?, &choices).await?;
    Ok(Json(circle_body(&circle, me)))
}

/// The circle as it stands after a change, for the one who made it.
async fn circle_now(
    state: &AppState,
    me: MemberId,
    id: CircleId,
) -> Result<Json<CircleBody>, ApiError> {
    Ok(Json(circle_body(
        &circles::circle(&state.app, me, id).await?,
        me,
    )))
}

/// Locks your answers for the circle (which confirms what you share for its current
/// members). Nothing is revealed until every member has locked and confirmed.
#[utoipa::path(post, path = "/api/v1/circles/{id}/lock", security(("bearer" = [])),
    responses((status = 200, body = CircleBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn lock_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<CircleBody>, ApiError> {
    let me = api.id();
    let id = circle_id(&id)?;
    circles::lock(&state.app, me, id).await?;
    circle_now(&state, me, id).await
}

/// Keeps what you share with the circle, as it is, for its current members: after someone
/// joined, nothing shared before reaches them until every member has confirmed (locking
/// confirms too).
#[utoipa::path(post, path = "/api/v1/circles/{id}/confirm", security(("bearer" = [])),
    responses((status = 200, body = CircleBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_post(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<CircleBody>, ApiError> {
    let me = api.id();
    let id = circle_id(&id)?;
    circles::confirm_sharing(&state.app, me, id).await?;
    circle_now(&state, me, id).await
}

/// Unlocks your answers (to edit before the next reveal).
#[utoipa::path(delete, path = "/api/v1/circles/{id}/lock", security(("bearer" = [])),
    responses((status = 200, body = CircleBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn lock_delete(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
) -> Result<Json<CircleBody>, ApiError> {
    let me = api.id();
    let id = circle_id(&id)?;
    circles::unlock(&state.app, me, id).await?;
    circle_now(&state, me, id).await
}

#[derive(Serialize, ToSchema)]
pub struct CommonGroundBody {
    revealed: bool,
    /// Members who have not locked.
    #[serde(rename = "waiting-for")]
    waiting_for: usize,
    /// Members who have not confirmed what they share since someone joined.
    unconfirmed: usize,
    /// Each fact the reveal rules let you see, e.g. `{ "type": "offers", "partner": …,
    /// "item": "cuddling" }`. Types: own, offers, needs, talk-about, favourite, difference,
    /// blanket (`side` give or receive, `answer` glad-to, love or maybe), changed, answer,
    /// custom-item. Absent before the reveal, but for your own.
    #[schema(value_type = Vec<Object>)]
    facts: Vec<serde_json::Value>,
    /// Partners' boundary entries they share with this circle, limits first; none before
    /// the reveal.
    #[schema(value_type = Vec<Object>)]
    boundaries: Vec<serde_json::Value>,
}

fn answer_json(answer: &tend_core::Answer) -> serde_json::Value {
    serde_json::to_value(answer).unwrap_or_default()
}

/// A fact as JSON; boundary entries are listed on their own.
fn fact_json(fact: &Fact<MemberId>) -> Option<serde_json::Value> {
    use serde_json::json;
    Some(match fact {
        Fact::Own { item, answer } => {
            json!({"type": "own", "item": item, "answer": answer_json(answer)})
        }
        Fact::Offers { partner, item } => {
            json!({"type": "offers", "partner": partner.to_string(), "item": item})
        }
        Fact::Needs {
            partner,
            item,
            rating,
        } => {
            json!({"type": "needs", "partner": partner.to_string(), "item": item, "rating": rating.as_str()})
        }
        Fact::TalkAbout { partner, item } => {
            json!({"type": "talk-about", "partner": partner.to_string(), "item": item})
        }
        Fact::Favourite { item, with } => {
            json!({"type": "favourite", "item": item, "with": with.iter().map(ToString::to_string).collect::<Vec<_>>()})
        }
        Fact::Difference { partner, tension } => {
            json!({"type": "difference", "partner": partner.to_string(), "tension": tension.as_str()})
        }
        Fact::Blanket {
            partner,
            side,
            answer,
        } => {
            json!({"type": "blanket", "partner": partner.to_string(), "side": side.as_str(), "answer": answer.as_str()})
        }
        Fact::Boundary { .. } => return None,
        Fact::Changed { partner } => json!({"type": "changed", "partner": partner.to_string()}),
        Fact::Answer {
            partner,
            item,
            answer,
        } => {
            json!({"type": "answer", "partner": partner.to_string(), "item": item, "answer": answer_json(answer)})
        }
        Fact::CustomItem {
            partner,
            item,
            answer,
        } => {
            json!({"type": "custom-item", "partner": partner.to_string(), "item": item.key, "label": item.label, "kind": item.kind.as_str(), "answer": answer.as_ref().map(answer_json)})
        }
    })
}

/// What you may see of your partners' answers, by the reveal rules.
#[utoipa::path(get, path = "/api/v1/circles/{id}/common-ground", security(("bearer" = [])),
    params(("variant" = Option<String>, Query, description = "after-sex (default), after-intense-scene or after-hard-scene")),
    responses((status = 200, body = CommonGroundBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn common_ground_get(
    State(state): State<AppState>,
    api: ApiMember,
    Path(id): Path<String>,
    Query(query): Query<VariantQuery>,
) -> Result<Response, ApiError> {
    let me = api.id();
    let id = circle_id(&id)?;
    let variant = query.variant(&state.app, me, id).await?;
    let ground = circles::common_ground(&state.app, me, id, variant).await?;
    let boundaries = ground
        .boundaries()
        .into_iter()
        .flat_map(|(partner, entries)| {
            entries.into_iter().map(move |e| {
                serde_json::json!({
                    "partner": partner.to_string(),
                    "kind": e.boundary.kind.as_str(),
                    "text": e.boundary.text,
                    "condition": e.boundary.condition,
                })
            })
        })
        .collect();
    let view = ground.ground;
    let body = CommonGroundBody {
        revealed: view.revealed,
        waiting_for: view.waiting_for,
        unconfirmed: view.unconfirmed,
        facts: view.facts.iter().filter_map(fact_json).collect(),
        boundaries,
    };
    Ok(Json(body).into_response())
}
