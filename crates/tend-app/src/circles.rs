//! Circles: make one, invite partners with single-use links, join, choose what to share, lock,
//! see common ground, leave. Every circle query starts from the asking member's membership,
//! so anyone outside a circle gets `NotFound` for all of it.

use std::collections::{BTreeMap, BTreeSet};

use tend_core::boundaries::{BoundaryGroup, BoundaryKind};
use tend_core::circle::{CircleName, CircleSharing, INVITE_LIFETIME, Section};
use tend_core::profile::Variant;
use tend_core::reveal::{self, BoundaryEntry, CommonGround, Fact, OwnItem, Participant, Share};
use tend_store::{
    CircleId, CircleRecord, CircleSummary, InviteId, InviteRecord, InviteView, JoinRefusal,
    MemberId, Notification, StoredCareSession,
};

use crate::app::App;
use crate::clock;
use crate::error::{Error, Problem, Result, msg};
use crate::notifications;
use crate::secrets::{self, secret_hash};

/// Makes a circle with `me` in it.
pub async fn create(app: &App, me: MemberId, name: &str) -> Result<CircleSummary> {
    let name =
        CircleName::parse(name).map_err(|e| Error::Invalid(vec![Problem::rule("name", &e)]))?;
    Ok(app.store.create_circle(me, &name, clock::now()).await?)
}

/// The member's circles.
pub async fn list(app: &App, me: MemberId) -> Result<Vec<CircleSummary>> {
    Ok(app.store.circles(me).await?)
}

/// A circle `me` is in.
pub async fn circle(app: &App, me: MemberId, id: CircleId) -> Result<CircleRecord> {
    Ok(app.store.circle(me, id).await?)
}

/// Whether `me` joined the circle since its last reveal: what partners shared before they
/// came waits until every member has locked and confirmed for them. Before a circle's first
/// reveal, its first two members are not newcomers to each other (there was nothing to
/// share before the second came but what the first kept for themselves).
pub fn is_newcomer(circle: &CircleRecord, me: MemberId) -> bool {
    circle
        .members
        .iter()
        .find(|m| m.member.id == me)
        .is_some_and(|m| match circle.revealed_epoch {
            Some(revealed) => m.joined_epoch > revealed,
            None => m.joined_epoch > 1,
        })
}

/// The members of a circle, by id.
pub fn members(circle: &CircleRecord) -> BTreeSet<MemberId> {
    circle.members.iter().map(|m| m.member.id).collect()
}

/// What the circle's page shows a member: the circle, its invite links, and the sessions
/// the member takes part in that have not closed.
pub struct Overview {
    pub circle: CircleRecord,
    pub invites: Vec<InviteRecord>,
    pub open_sessions: Vec<StoredCareSession>,
    /// How each kind of the member's boundaries is shared with the circle, from its entries.
    pub boundary_sharing: BTreeMap<BoundaryKind, Share>,
}

pub async fn overview(app: &App, me: MemberId, id: CircleId) -> Result<Overview> {
    let circle = app.store.circle(me, id).await?;
    let invites = app.store.invites(me, circle.id).await?;
    let open_sessions = app.store.open_care_sessions(me, circle.id).await?;
    let boundary_sharing = boundary_sharing(app, me, &circle).await?;
    Ok(Overview {
        circle,
        invites,
        open_sessions,
        boundary_sharing,
    })
}

/// How each kind of `me`'s boundaries is shared with the circle, as its entries say.
async fn boundary_sharing(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
) -> Result<BTreeMap<BoundaryKind, Share>> {
    let Some(mine) = circle.members.iter().find(|m| m.member.id == me) else {
        return Ok(BTreeMap::new());
    };
    let records = app.store.boundaries(me).await?;
    Ok(BoundaryKind::ALL
        .into_iter()
        .map(|kind| {
            let ticks = records.iter().filter(|r| r.boundary.kind == kind).map(|r| {
                mine.sharing
                    .shares_entry(kind, r.shared_with.as_ref(), &circle.id)
            });
            (kind, CircleSharing::kind_share(ticks))
        })
        .collect())
}

/// Changes what `me` shares with the circle: (section, share) pairs as sent. Sections not
/// named keep their choice; one unknown section or share and nothing changes.
pub async fn set_sharing(
    app: &App,
    me: MemberId,
    id: CircleId,
    choices: &[(String, String)],
) -> Result<CircleRecord> {
    let mut parsed = Vec::with_capacity(choices.len());
    let mut problems = Vec::new();
    for (section, share) in choices {
        match (Section::parse(section), Share::parse(share)) {
            (Some(section), Some(share)) => parsed.push((section, share)),
            (None, _) => problems.push(Problem::new(section, msg("sharing-section-invalid"))),
            (_, None) => problems.push(Problem::new(section, msg("sharing-share-invalid"))),
        }
    }
    if !problems.is_empty() {
        // Not this member's circle is still 404, whatever was sent.
        app.store.circle(me, id).await?;
        return Err(Error::Invalid(problems));
    }
    // Each section is a row of its own: a change to another section at the same moment
    // (another tab, another switch) is kept too.
    app.store.set_sharing(me, id, &parsed).await?;
    // "Some, entry by entry" (matches) leaves the entries as they are.
    let kinds: Vec<(BoundaryKind, bool)> = parsed
        .iter()
        .filter_map(|(section, share)| match (section, share) {
            (Section::Boundary(kind), Share::Everything) => Some((*kind, true)),
            (Section::Boundary(kind), Share::Nothing) => Some((*kind, false)),
            _ => None,
        })
        .collect();
    if !kinds.is_empty() {
        tick_entries(app, me, id, &kinds).await?;
    }
    Ok(app.store.circle(me, id).await?)
}

/// Sharing a kind of boundary with a circle is a shortcut: it ticks the circle on each of
/// the kind's entries there are now (or unticks it, when the kind is no longer shared).
/// Entries added later stay private until ticked.
async fn tick_entries(
    app: &App,
    me: MemberId,
    id: CircleId,
    kinds: &[(BoundaryKind, bool)],
) -> Result<()> {
    let now = app.clock.now();
    for record in app.store.boundaries(me).await? {
        let Some(&(_, share)) = kinds.iter().find(|(k, _)| *k == record.boundary.kind) else {
            continue;
        };
        let mut circles = record.shared_with.clone().unwrap_or_default();
        let changed = if share {
            circles.insert(id)
        } else {
            circles.remove(&id)
        };
        if changed || record.shared_with.is_none() {
            app.store
                .update_boundary(me, record.id, &record.boundary, Some(&circles), now)
                .await?;
        }
    }
    Ok(())
}

/// Locks `me`'s answers for the circle. Nothing is revealed until every member has locked.
pub async fn lock(app: &App, me: MemberId, id: CircleId) -> Result<()> {
    app.store.lock(me, id, clock::now()).await?;
    Ok(())
}

/// Unlocks `me`'s answers, to edit them before the next reveal.
pub async fn unlock(app: &App, me: MemberId, id: CircleId) -> Result<()> {
    Ok(app.store.unlock(me, id).await?)
}

/// Leaves at once, with nobody's approval and nobody told: the circle simply shows one
/// member fewer, and the links the member made stop working.
pub async fn leave(app: &App, me: MemberId, id: CircleId) -> Result<()> {
    Ok(app.store.leave(me, id, clock::now()).await?)
}

/// Confirms what `me` shares with the circle's current members, after someone joined:
/// nothing shared before is shown to a newcomer until every member has.
pub async fn confirm_sharing(app: &App, me: MemberId, id: CircleId) -> Result<()> {
    app.store.confirm_sharing(me, id).await?;
    Ok(())
}

/// A new single-use invite link for the circle: the token (shown once) and its record. Only
/// the token's hash is stored.
pub async fn create_invite(
    app: &App,
    me: MemberId,
    id: CircleId,
) -> Result<(String, InviteRecord)> {
    let token = secrets::random_secret()?;
    let now = clock::now();
    let invite = app
        .store
        .create_invite(
            me,
            id,
            &secret_hash(&token),
            now,
            now.after(INVITE_LIFETIME),
        )
        .await?;
    Ok((token, invite))
}

/// Withdraws an invite link.
pub async fn revoke_invite(app: &App, me: MemberId, id: CircleId, invite: InviteId) -> Result<()> {
    Ok(app
        .store
        .revoke_invite(me, id, invite, clock::now())
        .await?)
}

/// What an invite link says before joining, while it works: the circle's name, who invited
/// (their display name, if they set one) and how many members it has; never who they are.
pub async fn invite(app: &App, token: &str) -> Result<Option<InviteView>> {
    Ok(app
        .store
        .usable_invite(&secret_hash(token), clock::now())
        .await?)
}

/// Joins the circle of an invite link, using it up.
pub async fn join(app: &App, me: MemberId, token: &str) -> Result<CircleId> {
    let joined = app
        .store
        .accept_invite(me, &secret_hash(token), clock::now())
        .await?;
    match joined {
        Ok(circle) => {
            // Everyone already there is asked to look again at what they share.
            let joined = Notification::Joined { circle, from: me };
            for member in app.store.circle_member_ids(circle).await? {
                if member != me {
                    notifications::notify_now(app, member, &joined).await?;
                }
            }
            Ok(circle)
        }
        Err(JoinRefusal::Unusable) => Err(Error::Gone(msg("invite-unusable"))),
        Err(JoinRefusal::AlreadyMember) => Err(Error::NotNow(msg("invite-already-member"))),
        Err(JoinRefusal::Full) => Err(Error::NotNow(msg("invite-full"))),
    }
}

/// What a member may see of the circle for one kind of session: the common ground under the
/// reveal rules, partners' shared boundary entries among its facts.
pub struct Ground {
    pub circle: CircleRecord,
    pub ground: CommonGround<MemberId>,
}

impl Ground {
    /// Each partner's boundary entries shared with the circle, limits first; empty before
    /// the reveal (the rules give none).
    pub fn boundaries(&self) -> Vec<(MemberId, Vec<BoundaryEntry>)> {
        shared_boundaries(&self.ground)
    }
}

pub async fn common_ground(
    app: &App,
    me: MemberId,
    id: CircleId,
    variant: Variant,
) -> Result<Ground> {
    let circle = app.store.circle(me, id).await?;
    let ground = view(app, me, &circle, variant).await?;
    Ok(Ground { circle, ground })
}

/// The viewer's view of the circle for `variant`. Partners' answers and boundaries are read
/// here, on the server, and only what the reveal rules allow leaves this function.
pub(crate) async fn view(
    app: &App,
    viewer: MemberId,
    circle: &CircleRecord,
    variant: Variant,
) -> Result<CommonGround<MemberId>> {
    let mut participants = Vec::with_capacity(circle.members.len());
    for member in &circle.members {
        let id = member.member.id;
        let profile = app.store.profile(id).await?;
        let custom: Vec<OwnItem> = app
            .store
            .custom_items(id)
            .await?
            .iter()
            .map(|item| OwnItem {
                key: item.key(),
                label: item.label.as_str().to_owned(),
                kind: item.kind,
            })
            .collect();
        let sharing = member.sharing.for_reveal();
        let released = reveal::release_digests(&profile, &custom, sharing);
        let boundaries = app
            .store
            .boundaries(id)
            .await?
            .into_iter()
            .map(|record| BoundaryEntry {
                id: record.id.to_string(),
                shared: member.sharing.shares_entry(
                    record.boundary.kind,
                    record.shared_with.as_ref(),
                    &circle.id,
                ),
                boundary: record.boundary,
                updated_at: record.updated_at,
            })
            .collect();
        participants.push(Participant {
            member: id,
            answers: profile.effective(variant),
            custom_items: custom,
            sharing,
            locked: member.locked,
            confirmed: member.confirmed,
            changed: reveal::changed_since(&member.reveal_digests, &released, variant),
            boundaries,
        });
    }
    Ok(reveal::common_ground(app.catalog, &participants, &viewer))
}

/// Each partner's boundary entries in a view, limits first.
pub(crate) fn shared_boundaries(
    ground: &CommonGround<MemberId>,
) -> Vec<(MemberId, Vec<BoundaryEntry>)> {
    let mut shared: BTreeMap<MemberId, Vec<BoundaryEntry>> = BTreeMap::new();
    for fact in &ground.facts {
        if let Fact::Boundary { partner, entry } = fact {
            shared.entry(*partner).or_default().push(entry.clone());
        }
    }
    for entries in shared.values_mut() {
        entries.sort_by_key(|e| {
            BoundaryGroup::ALL
                .iter()
                .position(|g| *g == e.boundary.kind.group())
        });
    }
    shared.into_iter().collect()
}
