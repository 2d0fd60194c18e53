//! Routine rules the pages and the API share: the current version, settling proposals into
//! new versions once everyone has said yes, and reviews: started by hand or when they fall
//! due (the schedule runs as a background job).

use std::collections::BTreeSet;

use tend_core::Timestamp;
use tend_core::profile::Variant;
use tend_core::routine::{self, Proposal, ProposalState, Routine, proposal_state};
use tend_store::{
    CircleRecord, JobKind, MemberId, ProposalId, ReviewRecord, RoutineVersion, StoreError,
};

use crate::error::AppError;
use crate::state::AppState;

/// Every agreed version of the circle's routines, oldest first.
pub async fn history(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
) -> Result<Vec<RoutineVersion>, AppError> {
    Ok(state.store.routine_versions(member, circle.id).await?)
}

/// The current version of the routine for one kind of session: (number, routine); version 0
/// and an empty routine before anything is agreed for it.
pub fn current_of(history: &[RoutineVersion], variant: Variant) -> (u32, Routine<MemberId>) {
    routine::current_for(history.iter().map(|v| (v.version, &v.routine)), variant)
}

pub async fn current(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
    variant: Variant,
) -> Result<(u32, Routine<MemberId>), AppError> {
    Ok(current_of(&history(state, member, circle).await?, variant))
}

/// Where a proposal stands, against the current version for its kind of session.
pub fn outcome(
    history: &[RoutineVersion],
    proposal: &Proposal<MemberId>,
    members: &BTreeSet<MemberId>,
) -> ProposalState {
    let (version, current) = current_of(history, proposal.routine.settings.variant);
    proposal_state(proposal, version, &current, members)
}

pub fn members(circle: &CircleRecord) -> BTreeSet<MemberId> {
    circle.members.iter().map(|m| m.member.id).collect()
}

/// Keeps `me`'s new proposal and settles it at once when it needs nobody else's yes;
/// otherwise each member who has not said yes finds it in their notification centre.
pub async fn propose(
    state: &AppState,
    me: MemberId,
    circle: &CircleRecord,
    proposal: &Proposal<MemberId>,
) -> Result<(ProposalId, ProposalState, Option<u32>), AppError> {
    let pid = state
        .store
        .create_proposal(me, circle.id, proposal, state.clock.now())
        .await?;
    let (outcome, version) = settle(state, me, circle, pid, proposal).await?;
    if outcome == ProposalState::Open {
        let asked = members(circle)
            .into_iter()
            .filter(|m| !proposal.accepted_by.contains(m));
        let notification = tend_store::Notification::Proposal {
            circle: circle.id,
            from: me,
        };
        for member in asked {
            crate::notifications::notify_now(state, member, &notification).await?;
        }
    }
    Ok((pid, outcome, version))
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
    let history = history(state, member, circle).await?;
    let (outcome, added) = settle_in(state, member, circle, &history, id, proposal).await?;
    Ok((outcome, added.map(|v| v.version)))
}

/// `settle` against a history already read; returns the version it added, if any.
async fn settle_in(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
    history: &[RoutineVersion],
    id: ProposalId,
    proposal: &Proposal<MemberId>,
) -> Result<(ProposalState, Option<RoutineVersion>), AppError> {
    let outcome = outcome(history, proposal, &members(circle));
    if outcome != ProposalState::Accepted {
        return Ok((outcome, None));
    }
    // One history for every kind of session: the next number follows the newest of any.
    let next = RoutineVersion {
        version: history.last().map_or(0, |v| v.version) + 1,
        author: proposal.author,
        created_at: state.clock.now().unix_seconds(),
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
    schedule_review(state, member, circle).await?;
    Ok((ProposalState::Accepted, Some(next)))
}

/// The circle's routines as they stand: every version, and the proposals still listed.
pub struct Settled {
    pub history: Vec<RoutineVersion>,
    pub proposals: Vec<(ProposalId, Proposal<MemberId>)>,
}

/// Settles every proposal that has become acceptable since it was last looked at (for
/// example because a member who had not said yes left), reading history and proposals once.
pub async fn settle_all(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
) -> Result<Settled, AppError> {
    let mut settled = Settled {
        history: history(state, member, circle).await?,
        proposals: Vec::new(),
    };
    for (id, proposal) in state.store.proposals(member, circle.id).await? {
        match settle_in(state, member, circle, &settled.history, id, &proposal).await? {
            (_, Some(added)) => settled.history.push(added),
            (_, None) => settled.proposals.push((id, proposal)),
        }
    }
    Ok(settled)
}

pub fn state_name(state: ProposalState) -> &'static str {
    match state {
        ProposalState::Open => "open",
        ProposalState::Accepted => "accepted",
        ProposalState::Declined => "declined",
        ProposalState::Outdated => "outdated",
    }
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
    let (version, _) = current(state, me, circle, routine.settings.variant).await?;
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
        let (pid, _, _) = propose(state, me, circle, &proposal).await?;
        review.proposal = Some(pid);
    }
    state
        .store
        .update_review(me, circle.id, id, &review)
        .await?;
    if review.proposal.is_some() {
        // Done: the next review counts from this one's start.
        schedule_review(state, me, circle).await?;
    }
    Ok(review)
}

/// The review, open or done, of a version, if one was started.
pub fn review_of(
    reviews: &[(tend_store::ReviewId, ReviewRecord)],
    version: u32,
) -> Option<&(tend_store::ReviewId, ReviewRecord)> {
    reviews.iter().rev().find(|(_, r)| r.version == version)
}

/// For each kind of session with an agreed routine and no open review: its current version,
/// and since when its next review counts (the version's agreement or its latest review).
/// An open review is left out: nothing falls due until it has its outcome.
fn review_schedule(
    history: &[RoutineVersion],
    reviews: &[(tend_store::ReviewId, ReviewRecord)],
) -> Vec<(RoutineVersion, Timestamp)> {
    Variant::ALL
        .into_iter()
        .filter_map(|variant| {
            let (number, _) = current_of(history, variant);
            let version = history.iter().find(|v| v.version == number)?;
            let latest = review_of(reviews, number).map(|(_, review)| review);
            if latest.is_some_and(|review| review.proposal.is_none()) {
                return None;
            }
            let since = latest.map_or(version.created_at, |review| review.started_at);
            Some((version.clone(), Timestamp::from_unix_seconds(since)))
        })
        .collect()
}

/// Puts the circle's next review check in the jobs table, at the earliest time any of its
/// routines falls due (nothing to schedule without an agreed routine).
pub async fn schedule_review(
    state: &AppState,
    member: MemberId,
    circle: &CircleRecord,
) -> Result<(), AppError> {
    let history = history(state, member, circle).await?;
    let reviews = state.store.reviews(member, circle.id).await?;
    let next = review_schedule(&history, &reviews)
        .into_iter()
        .filter_map(|(version, since)| routine::review_due_at(since, &version.routine.settings))
        .min();
    if let Some(at) = next {
        state
            .store
            .schedule_job(JobKind::RoutineReview, circle.id.as_uuid(), at)
            .await?;
    }
    Ok(())
}

/// Starts a review of `version` for `member`'s circle, or returns the open one; true when
/// it started now. Everyone in the circle but `by` (who started it by hand, if anyone) finds
/// it in their notification centre.
pub async fn start_review(
    state: &AppState,
    member: MemberId,
    by: Option<MemberId>,
    circle: &CircleRecord,
    version: u32,
    now: Timestamp,
) -> Result<(tend_store::ReviewId, ReviewRecord, bool), AppError> {
    let reviews = state.store.reviews(member, circle.id).await?;
    if let Some((id, open)) = review_of(&reviews, version).filter(|(_, r)| r.proposal.is_none()) {
        return Ok((*id, open.clone(), false));
    }
    let review = ReviewRecord {
        version,
        started_at: now.unix_seconds(),
        answers: Default::default(),
        proposal: None,
    };
    let id = state
        .store
        .create_review(member, circle.id, &review, now)
        .await?;
    let notification = tend_store::Notification::Review { circle: circle.id };
    for other in members(circle).into_iter().filter(|m| Some(*m) != by) {
        crate::notifications::notify_now(state, other, &notification).await?;
    }
    schedule_review(state, member, circle).await?;
    Ok((id, review, true))
}

/// The review job: starts every review of the circle that has fallen due at `now`. The next
/// check is scheduled by `start_review` (or stays with the routine's next agreement).
pub async fn start_due_reviews(
    state: &AppState,
    circle: tend_store::CircleId,
    now: Timestamp,
) -> Result<usize, AppError> {
    // The job acts for the circle: any member's view of it is the same.
    let Some(member) = state
        .store
        .circle_member_ids(circle)
        .await?
        .first()
        .copied()
    else {
        return Ok(0);
    };
    let circle = state.store.circle(member, circle).await?;
    let history = history(state, member, &circle).await?;
    let reviews = state.store.reviews(member, circle.id).await?;
    let sessions = state
        .store
        .sessions_with_aftercare(member, circle.id)
        .await?;
    let mut started = 0;
    for (version, since) in review_schedule(&history, &reviews) {
        let variant = version.routine.settings.variant;
        let sessions_since = sessions
            .iter()
            .filter(|past| past.variant == variant && past.aftercare_at >= since)
            .count();
        let sessions_since = u32::try_from(sessions_since).unwrap_or(u32::MAX);
        if routine::review_due(since, sessions_since, &version.routine.settings, now) {
            start_review(state, member, None, &circle, version.version, now).await?;
            started += 1;
        }
    }
    schedule_review(state, member, &circle).await?;
    Ok(started)
}
