//! Routine rules the pages and the API share: the current version, settling proposals into
//! new versions once everyone has said yes, and checking a proposed routine.

use std::collections::BTreeSet;

use tend_core::routine::{Proposal, ProposalState, Routine, proposal_state};
use tend_store::{CircleRecord, MemberId, ProposalId, RoutineVersion, StoreError};

use crate::clock;
use crate::error::AppError;
use crate::state::AppState;

/// The circle's current version: (number, routine); version 0 and an empty routine before
/// anything is agreed.
pub async fn current(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
) -> Result<(u32, Routine<MemberId>), AppError> {
    let versions = state.store.routine_versions(member, circle.id).await?;
    Ok(versions
        .into_iter()
        .last()
        .map_or_else(|| (0, Routine::default()), |v| (v.version, v.routine)))
}

pub fn members(circle: &CircleRecord) -> BTreeSet<MemberId> {
    circle.members.iter().map(|m| m.member.id).collect()
}

/// Turns `proposal` into the next version if everyone has said yes (or it only adds care for
/// its author); returns its state, and the new version number when it became one.
pub async fn settle(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
    id: ProposalId,
    proposal: &Proposal<MemberId>,
) -> Result<(ProposalState, Option<u32>), AppError> {
    let (version, routine) = current(state, member, circle).await?;
    let outcome = proposal_state(proposal, version, &routine, &members(circle));
    if outcome != ProposalState::Accepted {
        return Ok((outcome, None));
    }
    let next = RoutineVersion {
        version: version + 1,
        author: proposal.author,
        created_at: clock::now().unix_seconds(),
        routine: proposal.routine.clone(),
    };
    match state
        .store
        .add_routine_version(member, circle.id, &next)
        .await
    {
        Ok(()) => {}
        // Someone else's acceptance made a version first: this proposal is now outdated.
        Err(StoreError::Conflict) => return Ok((ProposalState::Outdated, None)),
        Err(error) => return Err(error.into()),
    }
    state.store.delete_proposal(member, circle.id, id).await?;
    Ok((ProposalState::Accepted, Some(next.version)))
}

pub fn state_name(state: ProposalState) -> &'static str {
    match state {
        ProposalState::Open => "open",
        ProposalState::Accepted => "accepted",
        ProposalState::Declined => "declined",
        ProposalState::Outdated => "outdated",
    }
}

/// Settles every proposal that has become acceptable since it was last looked at (for
/// example because a member who had not said yes left the circle).
pub async fn settle_all(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
) -> Result<(), AppError> {
    for (id, proposal) in state.store.proposals(member, circle.id).await? {
        settle(state, member, circle, id, &proposal).await?;
    }
    Ok(())
}

/// Records `me`'s answers in a review; when every current member has answered, the outcome
/// becomes a proposal (which still needs everyone's yes).
pub async fn record_review_answer(
    state: &AppState,
    me: MemberId,
    circle: &CircleRecord,
    id: tend_store::ReviewId,
    mut review: tend_store::ReviewRecord,
    routine: &Routine<MemberId>,
    answer: tend_core::routine::ReviewAnswer,
) -> Result<tend_store::ReviewRecord, AppError> {
    review.answers.insert(me, answer);
    let members = members(circle);
    let (version, _) = current(state, me, circle).await?;
    if members.iter().all(|m| review.answers.contains_key(m)) && version == review.version {
        let answers = review
            .answers
            .iter()
            .filter(|(m, _)| members.contains(m))
            .map(|(m, a)| (*m, a.clone()))
            .collect();
        let (_, proposed) = tend_core::routine::review_outcome(routine, &answers);
        let proposal = Proposal {
            author: me,
            base_version: version,
            routine: proposed,
            accepted_by: BTreeSet::new(),
            declined: Vec::new(),
        };
        let pid = state
            .store
            .create_proposal(me, circle.id, &proposal, clock::now())
            .await?;
        review.proposal = Some(pid);
    }
    state
        .store
        .update_review(me, circle.id, id, &review)
        .await?;
    Ok(review)
}
