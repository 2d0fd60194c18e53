//! Circles: make one, invite partners with single-use links, join, choose what to share, lock,
//! see common ground, leave. Every circle query starts from the asking member's membership,
//! so anyone outside a circle gets `NotFound` for all of it.

use std::collections::BTreeSet;

use tend_core::boundaries::BoundaryGroup;
use tend_core::circle::{CircleName, INVITE_LIFETIME, Section};
use tend_core::profile::Variant;
use tend_core::reveal::{self, CommonGround, OwnItem, Participant, Share};
use tend_store::{
    BoundaryRecord, CircleId, CircleRecord, CircleSummary, InviteId, InviteRecord, JoinRefusal,
    Member, MemberId, StoredCareSession,
};

use crate::app::App;
use crate::clock;
use crate::error::{Error, Problem, Result, msg};
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
}

pub async fn overview(app: &App, me: MemberId, id: CircleId) -> Result<Overview> {
    let circle = app.store.circle(me, id).await?;
    let invites = app.store.invites(me, circle.id).await?;
    let open_sessions = app.store.open_care_sessions(me, circle.id).await?;
    Ok(Overview {
        circle,
        invites,
        open_sessions,
    })
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
    Ok(app.store.circle(me, id).await?)
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
/// member fewer.
pub async fn leave(app: &App, me: MemberId, id: CircleId) -> Result<()> {
    Ok(app.store.leave(me, id).await?)
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

/// The circle an invite link leads to and who is in it, while the link works.
pub async fn invite(app: &App, token: &str) -> Result<Option<(CircleName, Vec<Member>)>> {
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
        Ok(circle) => Ok(circle),
        Err(JoinRefusal::Unusable) => Err(Error::Gone(msg("invite-unusable"))),
        Err(JoinRefusal::AlreadyMember) => Err(Error::NotNow(msg("invite-already-member"))),
        Err(JoinRefusal::Full) => Err(Error::NotNow(msg("invite-full"))),
    }
}

/// What a member may see of the circle for one kind of session: the common ground under the
/// reveal rules, and (once revealed) the boundaries partners share with the circle.
pub struct Ground {
    pub circle: CircleRecord,
    pub ground: CommonGround<MemberId>,
    /// Each partner's shared boundaries, limits first; empty before the reveal.
    pub boundaries: Vec<(MemberId, Vec<BoundaryRecord>)>,
}

pub async fn common_ground(
    app: &App,
    me: MemberId,
    id: CircleId,
    variant: Variant,
) -> Result<Ground> {
    let circle = app.store.circle(me, id).await?;
    let ground = view(app, me, &circle, variant).await?;
    let boundaries = if ground.revealed {
        shared_boundaries(app, me, &circle).await?
    } else {
        Vec::new()
    };
    Ok(Ground {
        circle,
        ground,
        boundaries,
    })
}

/// The viewer's view of the circle for `variant`. Partners' answers are read here, on the
/// server, and only what the reveal rules allow leaves this function.
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
        let custom = app.store.custom_items(id).await?;
        let changed = match member.reveal_digest {
            Some(digest) => digest != app.store.answers_digest(id).await?,
            None => false,
        };
        participants.push(Participant {
            member: id,
            answers: profile.effective(variant),
            custom_items: custom
                .iter()
                .map(|item| OwnItem {
                    key: item.key(),
                    label: item.label.as_str().to_owned(),
                    kind: item.kind,
                })
                .collect(),
            sharing: member.sharing.for_reveal(),
            locked: member.locked,
            changed_since_reveal: changed,
        });
    }
    Ok(reveal::common_ground(app.catalog, &participants, &viewer))
}

/// Each partner's boundaries that they share with this circle, limits first.
pub(crate) async fn shared_boundaries(
    app: &App,
    viewer: MemberId,
    circle: &CircleRecord,
) -> Result<Vec<(MemberId, Vec<BoundaryRecord>)>> {
    let mut shared = Vec::new();
    for member in circle.members.iter().filter(|m| m.member.id != viewer) {
        let mut records: Vec<BoundaryRecord> = app
            .store
            .boundaries(member.member.id)
            .await?
            .into_iter()
            .filter(|r| member.sharing.get(Section::Boundary(r.boundary.kind)) == Share::Everything)
            .collect();
        records.sort_by_key(|r| {
            BoundaryGroup::ALL
                .iter()
                .position(|g| *g == r.boundary.kind.group())
        });
        if !records.is_empty() {
            shared.push((member.member.id, records));
        }
    }
    Ok(shared)
}
