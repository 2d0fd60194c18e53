//! Circles in the browser: make one, invite partners, join, choose what to share, lock, see
//! common ground, leave. Anyone outside a circle gets 404 for all of it.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use tend_app::circles;
use tend_app::{CircleId, InviteId, MemberId};
use tend_core::boundaries::BoundaryKind;
use tend_core::circle::{CircleSharing, INVITE_LIFETIME, Section};
use tend_core::profile::{Rating, Variant};
use tend_core::reveal::{Fact, Share, Tension};

use super::ctx::{Ctx, EmptyForm, FormErrors, MemberCtx};
use super::words::boundary_words;
use crate::csrf::CsrfForm;
use crate::error::{AppError, ErrorKind};
use crate::i18n::I18n;
use crate::state::AppState;

fn circle_id(id: &str) -> Result<CircleId, AppError> {
    CircleId::parse(id).ok_or_else(|| ErrorKind::NotFound.into())
}

struct CircleRow {
    id: String,
    name: String,
    members: String,
}

#[derive(Template)]
#[template(path = "circles/list.html")]
struct ListPage {
    ctx: Ctx,
    circles: Vec<CircleRow>,
    /// What the member typed as a new circle's name.
    new_name: String,
    errors: FormErrors,
}

async fn list_page(
    state: &AppState,
    ctx: Ctx,
    me: MemberId,
    name: String,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let circles = circles::list(&state.app, me)
        .await?
        .into_iter()
        .map(|c| CircleRow {
            id: c.id.to_string(),
            name: c.name.as_str().to_owned(),
            members: ctx.i18n.t_count(
                "circles-member-count",
                u32::try_from(c.members).unwrap_or(0),
            ),
        })
        .collect();
    Ok(ListPage {
        ctx,
        circles,
        new_name: name,
        errors,
    })
}

pub async fn circles_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
) -> Result<Response, AppError> {
    let page = list_page(
        &state,
        ctx,
        me.member.id,
        String::new(),
        FormErrors::default(),
    )
    .await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(serde::Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn circles_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response, AppError> {
    match circles::create(&state.app, me.member.id, &form.name).await {
        Ok(circle) => Ok(Redirect::to(&format!("/circles/{}", circle.id)).into_response()),
        Err(tend_app::Error::Invalid(problems)) => {
            let errors = FormErrors::from_problems(&ctx.i18n, &problems);
            let page = list_page(&state, ctx, me.member.id, form.name, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

struct MemberRow {
    name: String,
    pronouns: String,
    locked: bool,
    /// Whether they have confirmed what they share since someone joined.
    confirmed: bool,
    me: bool,
}

struct SharingRow {
    section: &'static str,
    label: String,
    /// (value, label, chosen)
    choices: Vec<(&'static str, String, bool)>,
}

struct InviteRow {
    id: String,
    state: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "circles/circle.html")]
struct CirclePage {
    ctx: Ctx,
    id: String,
    name: String,
    /// Sessions waiting for the member: (words, session id, whether it is aftercare).
    planned: Vec<(String, String, bool)>,
    members: Vec<MemberRow>,
    sharing: Vec<SharingRow>,
    locked: bool,
    /// Whether the member is asked to confirm what they share, since someone joined.
    to_confirm: bool,
    /// The question, naming who joined since the member last confirmed.
    confirm_heading: String,
    waiting_for: usize,
    invites: Vec<InviteRow>,
    notice: Option<String>,
    /// For starting a session: (member id, name) of everyone, and the kinds of session.
    people: Vec<(String, String)>,
    variants: Vec<(&'static str, String)>,
    /// Open sessions the member takes part in: (id, state in words).
    open_sessions: Vec<(String, String)>,
}

/// The sharing form's rows. A kind of boundary shows how its entries are shared (all, none,
/// or some, ticked one by one on the boundaries page), so saving the form unchanged changes
/// no entry.
fn sharing_rows(
    i18n: &I18n,
    sharing: &CircleSharing,
    boundaries: &BTreeMap<BoundaryKind, Share>,
) -> Vec<SharingRow> {
    Section::all()
        .map(|section| {
            let label = match section {
                Section::Answers => i18n.t("sharing-answers"),
                Section::CustomItems => i18n.t("sharing-custom-items"),
                Section::Boundary(kind) => i18n.t(&format!("boundary-{}", kind.as_str())),
            };
            let chosen = match (section, sharing.get(section)) {
                (Section::Answers, share) => share,
                (Section::Boundary(kind), _) => {
                    boundaries.get(&kind).copied().unwrap_or(Share::Nothing)
                }
                // Own items are shared whole or kept private.
                (_, Share::Everything) => Share::Everything,
                _ => Share::Nothing,
            };
            let shares: &[Share] = match (section, chosen) {
                (Section::Answers, _) | (Section::Boundary(_), Share::Matches) => &Share::ALL,
                _ => &[Share::Nothing, Share::Everything],
            };
            SharingRow {
                section: section.as_str(),
                label,
                choices: shares
                    .iter()
                    .map(|share| {
                        let id = match (section, share) {
                            (Section::Answers, Share::Nothing) => "sharing-nothing",
                            (Section::Answers, Share::Matches) => "sharing-matches",
                            (Section::Answers, Share::Everything) => "sharing-everything",
                            (Section::Boundary(_), Share::Matches) => "sharing-some-entries",
                            (_, Share::Everything) => "sharing-share",
                            _ => "sharing-private",
                        };
                        (share.as_str(), i18n.t(id), *share == chosen)
                    })
                    .collect(),
            }
        })
        .collect()
}

pub async fn circle_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<super::ctx::NoticeQuery>,
) -> Result<Response, AppError> {
    let circles::Overview {
        circle,
        invites,
        open_sessions,
        boundary_sharing,
    } = circles::overview(&state.app, me.member.id, circle_id(&id)?).await?;
    let mine = circle.members.iter().find(|m| m.member.id == me.member.id);
    let now = tend_app::now();
    let notice = match query.notice.as_deref() {
        Some("locked") => Some(ctx.t("circle-notice-locked")),
        Some("shared") => Some(ctx.t("circle-notice-shared")),
        Some("confirmed") => Some(ctx.t("circle-notice-confirmed")),
        Some("not-today") => Some(ctx.t("circle-notice-not-today")),
        Some("session-with-you") => Some(ctx.t("circle-notice-session-with-you")),
        _ => None,
    };
    let page = CirclePage {
        id: circle.id.to_string(),
        name: circle.name.as_str().to_owned(),
        members: circle
            .members
            .iter()
            .map(|m| MemberRow {
                name: m.member.name().to_owned(),
                pronouns: m.member.pronouns.clone().unwrap_or_default(),
                locked: m.locked,
                confirmed: m.confirmed || !m.locked,
                me: m.member.id == me.member.id,
            })
            .collect(),
        sharing: sharing_rows(
            &ctx.i18n,
            &mine.map(|m| m.sharing.clone()).unwrap_or_default(),
            &boundary_sharing,
        ),
        locked: mine.is_some_and(|m| m.locked),
        // One who has not locked confirms by locking: they are asked there.
        to_confirm: mine.is_some_and(|m| m.locked && !m.confirmed),
        confirm_heading: confirm_heading(&ctx.i18n, &circle, mine.map_or(0, |m| m.confirmed_epoch)),
        waiting_for: circle.members.iter().filter(|m| !m.locked).count(),
        invites: invites
            .iter()
            .map(|invite| {
                let (state, active) = if invite.used {
                    ("invite-state-used", false)
                } else if invite.revoked {
                    ("invite-state-revoked", false)
                } else if invite.expires_at <= now {
                    ("invite-state-expired", false)
                } else {
                    ("invite-state-active", true)
                };
                InviteRow {
                    id: invite.id.to_string(),
                    state: ctx.t(state),
                    active,
                }
            })
            .collect(),
        notice,
        people: circle
            .members
            .iter()
            .map(|m| (m.member.id.to_string(), m.member.name().to_owned()))
            .collect(),
        variants: tend_core::Variant::ALL
            .into_iter()
            .map(|v| {
                (
                    v.as_str(),
                    ctx.t(&format!("profile-variant-{}", v.as_str())),
                )
            })
            .collect(),
        planned: open_sessions
            .iter()
            .filter_map(|s| tend_app::sessions::Waiting::for_member(&circle, s, me.member.id))
            .map(|p| {
                (
                    super::words::planned_words(&ctx.i18n, &p),
                    p.session.to_string(),
                    p.aftercare,
                )
            })
            .collect(),
        open_sessions: open_sessions
            .iter()
            .map(|s| {
                let state = s.record.session.state.as_str();
                (s.id.to_string(), ctx.t(&format!("session-state-{state}")))
            })
            .collect(),
        ctx,
    };
    Ok(Html(page.render()?).into_response())
}

/// The confirmation's question, naming those who joined since the member last confirmed.
fn confirm_heading(i18n: &I18n, circle: &tend_app::CircleRecord, since: i64) -> String {
    let names: Vec<&str> = circle
        .members
        .iter()
        .filter(|m| m.joined_epoch > since)
        .map(|m| m.member.name())
        .collect();
    if names.is_empty() {
        // They have left again since.
        return i18n.t("circle-confirm-heading-someone");
    }
    let names = super::words::names_and(i18n, &names);
    i18n.t_with("circle-confirm-heading", &[("names", &names)])
}

/// Keeps what the member shares, as it is now, for the circle's current members.
pub async fn confirm_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    circles::confirm_sharing(&state.app, me.member.id, id).await?;
    Ok(Redirect::to(&format!("/circles/{id}?notice=confirmed")).into_response())
}

pub async fn sharing_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    let choices: Vec<(String, String)> = form
        .into_iter()
        .filter(|(name, _)| name != "csrf")
        .collect();
    // The page offers only known sections and choices: anything else is not from it (400).
    circles::set_sharing(&state.app, me.member.id, id, &choices).await?;
    Ok(Redirect::to(&format!("/circles/{id}?notice=shared")).into_response())
}

pub async fn lock_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    circles::lock(&state.app, me.member.id, id).await?;
    Ok(Redirect::to(&format!("/circles/{id}?notice=locked")).into_response())
}

pub async fn unlock_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    circles::unlock(&state.app, me.member.id, id).await?;
    Ok(Redirect::to(&format!("/circles/{id}")).into_response())
}

/// Leaves at once, with nobody's approval and nobody told.
pub async fn leave_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    circles::leave(&state.app, me.member.id, circle_id(&id)?).await?;
    Ok(Redirect::to("/circles").into_response())
}

#[derive(Template)]
#[template(path = "circles/invite_created.html")]
struct InviteCreatedPage {
    ctx: Ctx,
    id: String,
    url: String,
    hours: u64,
}

/// The address partners use: the configured public URL, else the one this request came to.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    match &state.config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1:8080");
            format!("http://{host}")
        }
    }
}

pub async fn invites_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    let (token, _) = circles::create_invite(&state.app, me.member.id, id).await?;
    let page = InviteCreatedPage {
        ctx,
        id: id.to_string(),
        url: format!("{}/invites/{token}", base_url(&state, &headers)),
        hours: INVITE_LIFETIME.as_secs() / 3600,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn invite_revoke_post(
    State(state): State<AppState>,
    MemberCtx { me, .. }: MemberCtx,
    Path((id, invite)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let id = circle_id(&id)?;
    let invite = InviteId::parse(&invite).ok_or(ErrorKind::NotFound)?;
    circles::revoke_invite(&state.app, me.member.id, id, invite).await?;
    Ok(Redirect::to(&format!("/circles/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "circles/join.html")]
struct JoinPage {
    ctx: Ctx,
    token: String,
    name: String,
    /// Who invited, and how many are in the circle, in words: never anyone's name but the
    /// inviter's display name, before joining.
    about: String,
    /// Why the link does not work, if it does not.
    problem: Option<String>,
}

/// The invite link: the circle's name, who invited and how many are in it, and a button to
/// join. Someone not signed in is asked to sign in first; the page never says whether they
/// already have an account.
pub async fn join_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let usable = circles::invite(&state.app, &token).await?;
    let (status, page) = match usable {
        None => (
            StatusCode::GONE,
            JoinPage {
                problem: Some(ctx.t("invite-unusable")),
                ctx,
                token,
                name: String::new(),
                about: String::new(),
            },
        ),
        Some(invite) => (
            StatusCode::OK,
            JoinPage {
                name: invite.circle.as_str().to_owned(),
                about: invite_words(&ctx.i18n, &invite),
                problem: None,
                ctx,
                token,
            },
        ),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Who invited (their display name, or "a member" when they set none) and the circle's size.
fn invite_words(i18n: &I18n, invite: &tend_app::InviteView) -> String {
    let who = match &invite.invited_by {
        Some(name) => i18n.t_with("join-invited-by", &[("name", name)]),
        None => i18n.t("join-invited"),
    };
    let count = u32::try_from(invite.members).unwrap_or(u32::MAX);
    format!("{who} {}", i18n.t_count("join-circle-size", count))
}

pub async fn join_post(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let (status, id) = match circles::join(&state.app, me.member.id, &token).await {
        Ok(circle) => return Ok(Redirect::to(&format!("/circles/{circle}")).into_response()),
        Err(tend_app::Error::Gone(id)) => (StatusCode::GONE, id),
        Err(tend_app::Error::NotNow(id)) => (StatusCode::CONFLICT, id),
        Err(error) => return Err(error.into()),
    };
    let page = JoinPage {
        problem: Some(ctx.t(id)),
        ctx,
        token,
        name: String::new(),
        about: String::new(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// One line of common ground: an item, a partner (or several), and words.
struct GroundRow {
    item: String,
    who: String,
    detail: String,
}

struct PartnerAnswers {
    name: String,
    rows: Vec<GroundRow>,
}

struct BoundaryGroupRow {
    name: String,
    rows: Vec<GroundRow>,
}

#[derive(Template)]
#[template(path = "circles/common_ground.html")]
struct CommonGroundPage {
    ctx: Ctx,
    id: String,
    name: String,
    variants: Vec<(&'static str, String, bool)>,
    revealed: bool,
    waiting: String,
    offers: Vec<GroundRow>,
    needs: Vec<GroundRow>,
    talk: Vec<GroundRow>,
    favourites: Vec<GroundRow>,
    differences: Vec<GroundRow>,
    /// Gentle notes on partners whose answers on one side are nearly all the same.
    blankets: Vec<String>,
    changed: Vec<String>,
    everything: Vec<PartnerAnswers>,
    boundaries: Vec<BoundaryGroupRow>,
    /// Who can give whom what: (item, [(partner, cell text)]).
    matrix_partners: Vec<String>,
    matrix: Vec<(String, Vec<String>)>,
}

fn rating_words(i18n: &I18n, answer: &tend_core::Answer) -> String {
    let mut parts = Vec::new();
    if let Some(r) = answer.receive {
        parts.push(format!(
            "{}: {}",
            i18n.t("profile-for-me"),
            i18n.t(&format!("profile-rating-{}", r.as_str()))
        ));
    }
    if let Some(g) = answer.give {
        parts.push(format!(
            "{}: {}",
            i18n.t("profile-for-partner"),
            i18n.t(&format!("profile-give-{}", g.as_str()))
        ));
    }
    if let Some(r) = answer.shared {
        parts.push(format!(
            "{}: {}",
            i18n.t("profile-together"),
            i18n.t(&format!("profile-rating-{}", r.as_str()))
        ));
    }
    if let Some(note) = &answer.note {
        parts.push(format!("{}: {}", i18n.t("profile-note"), note.as_str()));
    }
    parts.join(" · ")
}

/// Why common ground is not shown yet: who has still to lock, and who to confirm what they
/// share since someone joined.
fn waiting_words(i18n: &I18n, to_lock: usize, to_confirm: usize) -> String {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut lines = Vec::new();
    if to_lock > 0 {
        lines.push(i18n.t_count("ground-waiting", count(to_lock)));
    }
    if to_confirm > 0 {
        lines.push(i18n.t_count("ground-unconfirmed", count(to_confirm)));
    }
    lines.join(" ")
}

#[derive(serde::Deserialize)]
pub struct VariantQuery {
    variant: Option<String>,
}

pub async fn common_ground_get(
    State(state): State<AppState>,
    MemberCtx { ctx, me }: MemberCtx,
    Path(id): Path<String>,
    Query(query): Query<VariantQuery>,
) -> Result<Response, AppError> {
    let variant = match query.variant.as_deref() {
        None => Variant::AfterSex,
        Some(value) => Variant::parse(value).ok_or(ErrorKind::NotFound)?,
    };
    let ground = circles::common_ground(&state.app, me.member.id, circle_id(&id)?, variant).await?;
    let boundaries = ground.boundaries();
    let circles::Ground {
        circle,
        ground: view,
    } = ground;
    let names: HashMap<MemberId, String> = circle
        .members
        .iter()
        .map(|m| (m.member.id, m.member.name().to_owned()))
        .collect();
    let name_of = |m: &MemberId| names.get(m).cloned().unwrap_or_default();
    let i18n = &ctx.i18n;
    let label = |item: &str| i18n.t(&format!("catalog-item-{item}"));
    let mut page = CommonGroundPage {
        id: circle.id.to_string(),
        name: circle.name.as_str().to_owned(),
        variants: Variant::ALL
            .iter()
            .map(|v| {
                (
                    v.as_str(),
                    i18n.t(&format!("profile-variant-{}", v.as_str())),
                    *v == variant,
                )
            })
            .collect(),
        revealed: view.revealed,
        waiting: waiting_words(i18n, view.waiting_for, view.unconfirmed),
        offers: Vec::new(),
        needs: Vec::new(),
        talk: Vec::new(),
        favourites: Vec::new(),
        differences: Vec::new(),
        blankets: Vec::new(),
        changed: Vec::new(),
        everything: Vec::new(),
        boundaries: Vec::new(),
        matrix_partners: Vec::new(),
        matrix: Vec::new(),
        ctx: ctx.clone(),
    };
    let mut everything: Vec<(MemberId, Vec<GroundRow>)> = Vec::new();
    let mut push_everything = |partner: &MemberId, row: GroundRow| match everything
        .iter_mut()
        .find(|(p, _)| p == partner)
    {
        Some((_, rows)) => rows.push(row),
        None => everything.push((*partner, vec![row])),
    };
    for fact in &view.facts {
        match fact {
            Fact::Own { .. } => {}
            Fact::Offers { partner, item } => page.offers.push(GroundRow {
                item: label(item),
                who: name_of(partner),
                detail: String::new(),
            }),
            Fact::Needs {
                partner,
                item,
                rating,
            } => page.needs.push(GroundRow {
                item: label(item),
                who: name_of(partner),
                detail: i18n.t(if *rating == Rating::Love {
                    "ground-would-love"
                } else {
                    "ground-would-like"
                }),
            }),
            Fact::TalkAbout { partner, item } => page.talk.push(GroundRow {
                item: label(item),
                who: name_of(partner),
                detail: String::new(),
            }),
            Fact::Favourite { item, with } => page.favourites.push(GroundRow {
                item: label(item),
                who: with.iter().map(&name_of).collect::<Vec<_>>().join(", "),
                detail: String::new(),
            }),
            Fact::Difference { partner, tension } => page.differences.push(GroundRow {
                item: i18n.t(match tension {
                    Tension::TalkQuiet => "ground-tension-talk-quiet",
                    Tension::ClosenessSpace => "ground-tension-closeness-space",
                    Tension::TogetherAlone => "ground-tension-together-alone",
                }),
                who: name_of(partner),
                detail: String::new(),
            }),
            Fact::Blanket {
                partner,
                side,
                answer,
            } => page.blankets.push(i18n.t_with(
                &format!("ground-blanket-{}-{}", side.as_str(), answer.as_str()),
                &[("name", &name_of(partner))],
            )),
            // Shown by partner, in their own list below.
            Fact::Boundary { .. } => {}
            Fact::Changed { partner } => page
                .changed
                .push(i18n.t_with("ground-changed", &[("name", &name_of(partner))])),
            Fact::Answer {
                partner,
                item,
                answer,
            } => push_everything(
                partner,
                GroundRow {
                    item: label(item),
                    who: String::new(),
                    detail: rating_words(i18n, answer),
                },
            ),
            Fact::CustomItem {
                partner,
                item,
                answer,
            } => push_everything(
                partner,
                GroundRow {
                    item: item.label.clone(),
                    who: String::new(),
                    detail: answer
                        .as_ref()
                        .map(|a| rating_words(i18n, a))
                        .unwrap_or_default(),
                },
            ),
        }
    }
    page.everything = everything
        .into_iter()
        .map(|(partner, rows)| PartnerAnswers {
            name: name_of(&partner),
            rows,
        })
        .collect();
    // The matrix: items that pass between the viewer and a partner, in either direction.
    let partners: Vec<MemberId> = circle
        .members
        .iter()
        .map(|m| m.member.id)
        .filter(|m| *m != me.member.id)
        .collect();
    page.matrix_partners = partners.iter().map(&name_of).collect();
    let mut items: Vec<String> = view
        .facts
        .iter()
        .filter_map(|f| match f {
            Fact::Offers { item, .. } | Fact::Needs { item, .. } => Some(item.clone()),
            _ => None,
        })
        .collect();
    items.dedup();
    items.sort();
    items.dedup();
    page.matrix = items
        .iter()
        .map(|item| {
            let cells = partners
                .iter()
                .map(|partner| {
                    let to_me = view.facts.contains(&Fact::Offers { partner: *partner, item: item.clone() });
                    let from_me = view.facts.iter().any(|f| matches!(f, Fact::Needs { partner: p, item: i, .. } if p == partner && i == item));
                    match (to_me, from_me) {
                        (true, true) => i18n.t("ground-matrix-both"),
                        (true, false) => i18n.t("ground-matrix-to-you"),
                        (false, true) => i18n.t("ground-matrix-from-you"),
                        (false, false) => i18n.t("ground-matrix-none"),
                    }
                })
                .collect();
            (label(item), cells)
        })
        .collect();
    // Partners' shared boundary entries come only after the reveal (the rules give none before).
    page.boundaries = boundaries
        .into_iter()
        .map(|(partner, entries)| BoundaryGroupRow {
            name: name_of(&partner),
            rows: entries
                .iter()
                .map(|e| {
                    let (item, detail) = boundary_words(i18n, &e.boundary);
                    GroundRow {
                        item,
                        who: String::new(),
                        detail,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Html(page.render()?).into_response())
}
