//! Circle rules the pages and the API share: building a viewer's common ground from the
//! members' answers through the reveal rules, shared boundaries, and invite links.

use tend_core::boundaries::BoundaryGroup;
use tend_core::circle::INVITE_LIFETIME;
use tend_core::circle::Section;
use tend_core::profile::Variant;
use tend_core::reveal::{CommonGround, OwnItem, Participant, Share, common_ground};
use tend_store::{BoundaryRecord, CircleId, CircleRecord, InviteRecord, MemberId};

use crate::{auth, clock};

use crate::error::AppError;
use crate::state::AppState;

/// The viewer's view of the circle for `variant`. Partners' answers are read here, on the
/// server, and only what the reveal rules allow leaves this function.
pub async fn view(
    state: &AppState,
    viewer: MemberId,
    circle: &CircleRecord,
    variant: Variant,
) -> Result<CommonGround<MemberId>, AppError> {
    let mut participants = Vec::with_capacity(circle.members.len());
    for member in &circle.members {
        let id = member.member.id;
        let profile = state.store.profile(id).await?;
        let custom = state.store.custom_items(id).await?;
        let changed = match member.reveal_digest {
            Some(digest) => digest != state.store.answers_digest(id).await?,
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
    Ok(common_ground(state.catalog, &participants, &viewer))
}

/// Each partner's boundaries that they share with this circle, limits first.
pub async fn shared_boundaries(
    state: &AppState,
    viewer: MemberId,
    circle: &CircleRecord,
) -> Result<Vec<(MemberId, Vec<BoundaryRecord>)>, AppError> {
    let mut shared = Vec::new();
    for member in circle.members.iter().filter(|m| m.member.id != viewer) {
        let mut records: Vec<BoundaryRecord> = state
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

/// A new invite link for the circle: the token (shown once) and its record. Only the token's
/// hash is stored.
pub async fn create_invite(
    state: &AppState,
    member: MemberId,
    circle: CircleId,
) -> Result<(String, InviteRecord), AppError> {
    let token = auth::random_secret()?;
    let now = clock::now();
    let invite = state
        .store
        .create_invite(
            member,
            circle,
            &auth::secret_hash(&token),
            now,
            now.after(INVITE_LIFETIME),
        )
        .await?;
    Ok((token, invite))
}
