//! The circle's routine: every agreed version of it for each kind of session, proposals that
//! become the next version once everyone has said yes, comparisons between versions, and
//! reviews, started by hand or by the schedule (a background job) when they fall due.

use std::collections::{BTreeMap, BTreeSet};

use tend_core::Timestamp;
use tend_core::profile::Variant;
use tend_core::reveal::Fact;
use tend_core::routine::{
    self, Change, Proposal, ProposalState, ReviewAnswer, Routine, RoutineDiff, Settings, Step,
    StepId, StepOutcome, StepVerdict, StepWhat, proposal_state,
};
use tend_store::{
    CircleId, CircleRecord, JobKind, MemberId, Notification, ProposalAnswer, ProposalId, ReviewId,
    ReviewRecord, RoutineVersion, Settled, StoreError, StoredCareSession,
};

use crate::app::App;
use crate::circles::{self, members};
use crate::error::{Error, Problem, Result, msg};
use crate::notifications;

/// Every agreed version of the circle's routines, oldest first.
async fn history(
    app: &App,
    member: MemberId,
    circle: &CircleRecord,
) -> Result<Vec<RoutineVersion>> {
    Ok(app.store.routine_versions(member, circle.id).await?)
}

/// The current version of the routine for one kind of session: (number, routine); version 0
/// and an empty routine before anything is agreed for it.
pub fn current_of(history: &[RoutineVersion], variant: Variant) -> (u32, Routine<MemberId>) {
    routine::current_for(history.iter().map(|v| (v.version, &v.routine)), variant)
}

pub(crate) async fn current(
    app: &App,
    member: MemberId,
    circle: &CircleRecord,
    variant: Variant,
) -> Result<(u32, Routine<MemberId>)> {
    Ok(current_of(&history(app, member, circle).await?, variant))
}

/// The routine as `me` may see it: all of it, but for a member who joined since the
/// circle's last reveal, who sees no step for or from a particular partner until every member
/// has locked and confirmed for them.
fn as_seen(circle: &CircleRecord, me: MemberId, routine: Routine<MemberId>) -> Routine<MemberId> {
    if circles::is_newcomer(circle, me) {
        routine.for_newcomer(&me)
    } else {
        routine
    }
}

/// A proposal as `me` may see it (see [`as_seen`]): the routine it would make and the one it
/// was made from alike, so that its changes name no step `me` may not see.
fn proposal_as_seen(circle: &CircleRecord, me: MemberId, mut view: ProposalView) -> ProposalView {
    view.proposal.routine = as_seen(circle, me, view.proposal.routine);
    view.base = as_seen(circle, me, view.base);
    view
}

/// The routine a proposal was made from: its base version for its kind of session (the
/// empty routine with default settings for version 0).
fn base_of(history: &[RoutineVersion], proposal: &Proposal<MemberId>) -> Routine<MemberId> {
    let up_to_base = history
        .iter()
        .filter(|v| v.version <= proposal.base_version)
        .map(|v| (v.version, &v.routine));
    routine::current_for(up_to_base, proposal.routine.settings.variant).1
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

/// A proposal's state in one word: open, accepted, declined or outdated.
pub fn state_name(state: ProposalState) -> &'static str {
    match state {
        ProposalState::Open => "open",
        ProposalState::Accepted => "accepted",
        ProposalState::Declined => "declined",
        ProposalState::Outdated => "outdated",
    }
}

/// The routine a session follows: the version it started with.
pub(crate) async fn of_session(
    app: &App,
    me: MemberId,
    stored: &StoredCareSession,
) -> Result<Routine<MemberId>> {
    let circle = app.store.circle(me, stored.circle).await?;
    let history = history(app, me, &circle).await?;
    let routine = history
        .into_iter()
        .find(|v| v.version == stored.record.routine_version)
        .map(|v| v.routine)
        .unwrap_or_else(|| Routine {
            steps: Vec::new(),
            settings: Settings {
                variant: stored.record.variant,
                ..Default::default()
            },
        });
    Ok(as_seen(&circle, me, routine))
}

/// A proposal, where it stands, and the version it became once accepted.
pub struct ProposalView {
    pub id: ProposalId,
    pub proposal: Proposal<MemberId>,
    /// The routine it was made from (its base version): while it is open, the current
    /// routine for its kind of session.
    pub base: Routine<MemberId>,
    pub state: ProposalState,
    pub version: Option<u32>,
}

impl ProposalView {
    /// What saying yes would change, against the routine it was made from: steps added,
    /// removed, changed or moved, and every setting changed, with before and after.
    pub fn changes(&self) -> Vec<Change<MemberId>> {
        routine::changes(&self.base, &self.proposal.routine)
    }
}

/// The circle's routines as they stand: every version, the proposals still listed (open or
/// declined), and the reviews.
pub struct Overview {
    pub circle: CircleRecord,
    pub history: Vec<RoutineVersion>,
    pub proposals: Vec<ProposalView>,
    pub reviews: Vec<(ReviewId, ReviewRecord)>,
}

impl Overview {
    /// The current version for one kind of session.
    pub fn current(&self, variant: Variant) -> (u32, Routine<MemberId>) {
        current_of(&self.history, variant)
    }

    /// The review of `version` that is still waiting for answers, if one is.
    pub fn open_review(&self, version: u32) -> Option<ReviewId> {
        review_of(&self.reviews, version)
            .filter(|(_, r)| r.proposal.is_none())
            .map(|(id, _)| *id)
    }
}

/// Every version as `me` may see it (see [`as_seen`]).
fn seen_history(
    circle: &CircleRecord,
    me: MemberId,
    history: Vec<RoutineVersion>,
) -> Vec<RoutineVersion> {
    history
        .into_iter()
        .map(|mut v| {
            v.routine = as_seen(circle, me, v.routine);
            v
        })
        .collect()
}

/// The circle's routines, after settling every proposal that has become acceptable since it
/// was last looked at (for example because a member who had not said yes left).
pub async fn overview(app: &App, me: MemberId, id: CircleId) -> Result<Overview> {
    let circle = app.store.circle(me, id).await?;
    let Standing { history, proposals } = settle_all(app, me, &circle).await?;
    let members = members(&circle);
    let proposals = proposals
        .into_iter()
        .map(|(pid, proposal)| {
            let view = ProposalView {
                id: pid,
                state: outcome(&history, &proposal, &members),
                base: base_of(&history, &proposal),
                proposal,
                version: None,
            };
            proposal_as_seen(&circle, me, view)
        })
        .collect();
    let history = seen_history(&circle, me, history);
    let reviews = app.store.reviews(me, circle.id).await?;
    Ok(Overview {
        circle,
        history,
        proposals,
        reviews,
    })
}

/// The circle and its current routine for one kind of session.
pub async fn current_for(
    app: &App,
    me: MemberId,
    id: CircleId,
    variant: Variant,
) -> Result<(CircleRecord, u32, Routine<MemberId>)> {
    let circle = app.store.circle(me, id).await?;
    let (version, routine) = current(app, me, &circle, variant).await?;
    let routine = as_seen(&circle, me, routine);
    Ok((circle, version, routine))
}

/// Items a routine could start from: what the member may see of the circle's common ground
/// for that kind of session (matches both ways and shared favourites), catalog ids.
pub async fn suggestions(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    variant: Variant,
) -> Result<BTreeSet<String>> {
    let view = circles::view(app, me, circle, variant).await?;
    Ok(view
        .facts
        .iter()
        .filter_map(|f| match f {
            Fact::Offers { item, .. } | Fact::Needs { item, .. } | Fact::Favourite { item, .. } => {
                Some(item.clone())
            }
            _ => None,
        })
        .collect())
}

/// Every agreed version, oldest first.
pub async fn versions(app: &App, me: MemberId, id: CircleId) -> Result<Vec<RoutineVersion>> {
    let circle = app.store.circle(me, id).await?;
    let history = history(app, me, &circle).await?;
    Ok(seen_history(&circle, me, history))
}

/// Version `n` of the circle's routine (version 0 is the empty routine before any).
pub async fn version(
    app: &App,
    me: MemberId,
    id: CircleId,
    n: u32,
) -> Result<(CircleRecord, Routine<MemberId>)> {
    let circle = app.store.circle(me, id).await?;
    let routine = as_seen(&circle, me, version_in(app, me, &circle, n).await?);
    Ok((circle, routine))
}

/// Version `n` in full (what a review's outcome is made from).
async fn version_in(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    n: u32,
) -> Result<Routine<MemberId>> {
    if n == 0 {
        return Ok(Routine::default());
    }
    history(app, me, circle)
        .await?
        .into_iter()
        .find(|v| v.version == n)
        .map(|v| v.routine)
        .ok_or(Error::NotFound)
}

/// Two versions and what changed between them.
pub struct Comparison {
    pub circle: CircleRecord,
    pub from: Routine<MemberId>,
    pub to: Routine<MemberId>,
    pub change: RoutineDiff<MemberId>,
}

pub async fn compare(
    app: &App,
    me: MemberId,
    id: CircleId,
    from: u32,
    to: u32,
) -> Result<Comparison> {
    let circle = app.store.circle(me, id).await?;
    let from = as_seen(&circle, me, version_in(app, me, &circle, from).await?);
    let to = as_seen(&circle, me, version_in(app, me, &circle, to).await?);
    let change = routine::diff(&from, &to);
    Ok(Comparison {
        circle,
        from,
        to,
        change,
    })
}

/// One step of a routine as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepInput {
    /// The step's id, kept across versions; `None` for a new step.
    pub id: Option<u32>,
    /// A catalog item id; or `text`.
    pub item: Option<String>,
    /// Words of the circle's own; or `item`.
    pub text: Option<String>,
    pub minutes: Option<u16>,
    /// Member ids the step is for, and who offer it.
    pub for_members: Vec<String>,
    pub from_members: Vec<String>,
}

/// A whole routine as sent: steps and settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutineInput {
    pub steps: Vec<StepInput>,
    pub stop_word: String,
    pub slow_word: String,
    pub nonverbal_signal: Option<String>,
    pub check_in_minutes: Option<u16>,
    pub follow_up_hours: Vec<u16>,
    pub variant: String,
    pub review_every_sessions: u16,
    pub review_every_weeks: u16,
}

impl RoutineInput {
    /// A routine as input, to start editing from it.
    pub fn from_routine(routine: &Routine<MemberId>) -> Self {
        let ids = |set: &BTreeSet<MemberId>| set.iter().map(ToString::to_string).collect();
        let s = &routine.settings;
        Self {
            steps: routine
                .steps
                .iter()
                .map(|step| StepInput {
                    id: Some(step.id.0),
                    item: match &step.what {
                        StepWhat::Item(item) => Some(item.clone()),
                        StepWhat::Text(_) => None,
                    },
                    text: match &step.what {
                        StepWhat::Text(text) => Some(text.clone()),
                        StepWhat::Item(_) => None,
                    },
                    minutes: step.minutes,
                    for_members: ids(&step.for_members),
                    from_members: ids(&step.from_members),
                })
                .collect(),
            stop_word: s.stop_word.clone(),
            slow_word: s.slow_word.clone(),
            nonverbal_signal: s.nonverbal_signal.clone(),
            check_in_minutes: s.check_in_minutes,
            follow_up_hours: s.follow_up_hours.clone(),
            variant: s.variant.as_str().to_owned(),
            review_every_sessions: s.review_every_sessions,
            review_every_weeks: s.review_every_weeks,
        }
    }

    /// The kind of session it is for (after sex when it names none that exists).
    pub fn variant(&self) -> Variant {
        Variant::parse(&self.variant).unwrap_or(Variant::AfterSex)
    }
}

/// Short text: trimmed, 1–`max` characters, one line.
fn short_text(raw: &str, max: usize) -> Option<String> {
    let text = raw.trim();
    let fits =
        !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control);
    fits.then(|| text.to_owned())
}

/// Checks a proposed routine against the circle, the catalog and the current version. Every
/// mistake is named (`steps[2].minutes`, `safewords`…); nothing is half-taken.
fn parse_routine(
    app: &App,
    input: &RoutineInput,
    circle: &CircleRecord,
    current: &Routine<MemberId>,
    hidden: &[Step<MemberId>],
) -> Result<Routine<MemberId>> {
    let members = members(circle);
    let mut problems: Vec<Problem> = Vec::new();
    let mut next_id = current.next_step_id().0.max(
        input
            .steps
            .iter()
            .filter_map(|s| s.id)
            .max()
            .map_or(1, |m| m + 1),
    );
    let mut seen = BTreeSet::new();
    let mut steps = Vec::new();
    for (i, raw) in input.steps.iter().enumerate() {
        let field = |name: &str| format!("steps[{i}].{name}");
        let what = match (&raw.item, &raw.text) {
            (Some(item), None) if app.catalog.item(item).is_some() => {
                Some(StepWhat::Item(item.clone()))
            }
            (None, Some(text)) => match short_text(text, 200) {
                Some(text) => Some(StepWhat::Text(text)),
                None => {
                    problems.push(Problem::new(field("text"), msg("routine-step-text")));
                    None
                }
            },
            _ => {
                problems.push(Problem::new(field("item"), msg("routine-step-what")));
                None
            }
        };
        let id = match raw.id {
            Some(id)
                if current.step(StepId(id)).is_some()
                    && !hidden.iter().any(|s| s.id == StepId(id))
                    && seen.insert(id) =>
            {
                StepId(id)
            }
            Some(_) => {
                problems.push(Problem::new(field("id"), msg("routine-step-id")));
                StepId(0)
            }
            None => {
                let id = StepId(next_id);
                next_id += 1;
                id
            }
        };
        if raw.minutes.is_some_and(|m| !(1..=240).contains(&m)) {
            problems.push(Problem::new(field("minutes"), msg("routine-step-minutes")));
        }
        let mut who = |list: &[String], name: &str| -> BTreeSet<MemberId> {
            list.iter()
                .filter_map(|id| {
                    let member = MemberId::parse(id).filter(|m| members.contains(m));
                    if member.is_none() {
                        problems.push(Problem::new(field(name), msg("routine-step-member")));
                    }
                    member
                })
                .collect()
        };
        let for_members = who(&raw.for_members, "for");
        let from_members = who(&raw.from_members, "from");
        if let Some(what) = what {
            steps.push(Step {
                id,
                what,
                minutes: raw.minutes,
                for_members,
                from_members,
            });
        }
    }
    let stop = short_text(&input.stop_word, 40);
    let slow = short_text(&input.slow_word, 40);
    if stop.is_none() || slow.is_none() || stop == slow {
        problems.push(Problem::new("safewords", msg("routine-safewords")));
    }
    let nonverbal_signal = match &input.nonverbal_signal {
        None => None,
        Some(raw) => {
            let signal = short_text(raw, 200);
            if signal.is_none() {
                problems.push(Problem::new("nonverbal-signal", msg("routine-step-text")));
            }
            signal
        }
    };
    if input
        .check_in_minutes
        .is_some_and(|m| !(1..=120).contains(&m))
    {
        problems.push(Problem::new("check-in-minutes", msg("routine-check-in")));
    }
    let hours: BTreeSet<u16> = input.follow_up_hours.iter().copied().collect();
    if hours.len() > 8 || hours.iter().any(|h| !(1..=168).contains(h)) {
        problems.push(Problem::new("follow-up-hours", msg("routine-follow-ups")));
    }
    let variant = Variant::parse(&input.variant);
    if variant.is_none() {
        problems.push(Problem::new("variant", msg("profile-variant-invalid")));
    }
    if input.review_every_sessions > 50 {
        problems.push(Problem::new(
            "review-every-sessions",
            msg("routine-review-sessions"),
        ));
    }
    if input.review_every_weeks > 52 {
        problems.push(Problem::new(
            "review-every-weeks",
            msg("routine-review-weeks"),
        ));
    }
    match (problems.is_empty(), stop, slow, variant) {
        (true, Some(stop_word), Some(slow_word), Some(variant)) => Ok(Routine {
            steps,
            settings: Settings {
                stop_word,
                slow_word,
                nonverbal_signal,
                check_in_minutes: input.check_in_minutes,
                follow_up_hours: hours.into_iter().collect(),
                variant,
                review_every_sessions: input.review_every_sessions,
                review_every_weeks: input.review_every_weeks,
            },
        }),
        _ => Err(Error::Invalid(problems)),
    }
}

/// Proposes a whole new routine for the kind of session it names. It becomes the next
/// version when every member has accepted (at once, if it only adds care for its author,
/// given by them).
pub async fn propose(
    app: &App,
    me: MemberId,
    id: CircleId,
    input: &RoutineInput,
) -> Result<ProposalView> {
    let circle = app.store.circle(me, id).await?;
    let (version, current) = current(app, me, &circle, input.variant()).await?;
    // A newcomer changes only the steps they can see; the others stay as they are.
    let hidden: Vec<Step<MemberId>> = if circles::is_newcomer(&circle, me) {
        current
            .steps
            .iter()
            .filter(|s| !Routine::open_to_newcomer(s, &me))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let mut routine = parse_routine(app, input, &circle, &current, &hidden)?;
    routine.steps.extend(hidden);
    let proposal = Proposal {
        author: me,
        base_version: version,
        routine,
        accepted_by: [me].into(),
        declined: Vec::new(),
    };
    let (pid, state, version) = make_proposal(app, me, &circle, &proposal).await?;
    let view = ProposalView {
        id: pid,
        proposal,
        base: current,
        state,
        version,
    };
    Ok(proposal_as_seen(&circle, me, view))
}

/// Keeps `me`'s new proposal and settles it at once when it needs nobody else's yes.
async fn make_proposal(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    proposal: &Proposal<MemberId>,
) -> Result<(ProposalId, ProposalState, Option<u32>)> {
    let pid = app
        .store
        .create_proposal(me, circle.id, proposal, app.clock.now())
        .await?;
    let (state, version) = proposal_made(app, me, circle, pid, proposal).await?;
    Ok((pid, state, version))
}

/// A proposal was just kept: it is settled at once when it needs nobody else's yes;
/// otherwise each member who has not said yes finds it in their notification centre.
async fn proposal_made(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    pid: ProposalId,
    proposal: &Proposal<MemberId>,
) -> Result<(ProposalState, Option<u32>)> {
    let (outcome, version) = settle(app, me, circle, pid, proposal).await?;
    if outcome == ProposalState::Open {
        let asked = members(circle)
            .into_iter()
            .filter(|m| !proposal.accepted_by.contains(m));
        let notification = Notification::Proposal {
            circle: circle.id,
            from: me,
        };
        for member in asked {
            notifications::notify_now(app, member, &notification).await?;
        }
    }
    Ok((outcome, version))
}

/// A proposal still listed in the circle, with every member's latest answer.
async fn listed_proposal(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    pid: ProposalId,
) -> Result<Option<Proposal<MemberId>>> {
    Ok(app
        .store
        .proposals(me, circle.id)
        .await?
        .into_iter()
        .find(|(id, _)| *id == pid)
        .map(|(_, proposal)| proposal))
}

/// What a proposal that is no longer listed became: the version made from it, as a proposal
/// everyone in the circle said yes to. `NotFound` when it became none.
async fn settled_view(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    pid: ProposalId,
) -> Result<ProposalView> {
    let version = app
        .store
        .settled_version(me, circle.id, pid)
        .await?
        .ok_or(Error::NotFound)?;
    let history = history(app, me, circle).await?;
    let made = history
        .iter()
        .find(|v| v.version == version)
        .ok_or(Error::NotFound)?;
    let variant = made.routine.settings.variant;
    let before = history.iter().filter(|v| v.version < version);
    let (base_version, base) =
        routine::current_for(before.map(|v| (v.version, &v.routine)), variant);
    let view = ProposalView {
        id: pid,
        base,
        proposal: Proposal {
            author: made.author,
            base_version,
            routine: made.routine.clone(),
            accepted_by: members(circle),
            declined: Vec::new(),
        },
        state: ProposalState::Accepted,
        version: Some(version),
    };
    Ok(proposal_as_seen(circle, me, view))
}

/// Says yes to a proposal; the last yes makes it the next version.
pub async fn accept(
    app: &App,
    me: MemberId,
    id: CircleId,
    pid: ProposalId,
) -> Result<ProposalView> {
    answer(app, me, id, pid, ProposalAnswer::Yes).await
}

/// The longest note with a "no", in characters.
pub const DECLINE_NOTE_MAX: usize = 500;

/// Says no to a proposal, with a note if the member likes (no reason is needed). One no
/// closes it.
pub async fn decline(
    app: &App,
    me: MemberId,
    id: CircleId,
    pid: ProposalId,
    note: &str,
) -> Result<ProposalView> {
    let note = note.trim();
    if note.chars().count() > DECLINE_NOTE_MAX {
        // Not this member's circle or proposal is still 404, whatever the note.
        let circle = app.store.circle(me, id).await?;
        listed_proposal(app, me, &circle, pid)
            .await?
            .ok_or(Error::NotFound)?;
        return Err(Error::invalid("note", msg("rule-text-too-long")));
    }
    answer(app, me, id, pid, ProposalAnswer::No(note.to_owned())).await
}

/// Keeps `me`'s answer (a row of their own: partners answering at the same moment never
/// overwrite each other), then settles the proposal if that made it accepted.
async fn answer(
    app: &App,
    me: MemberId,
    id: CircleId,
    pid: ProposalId,
    answer: ProposalAnswer,
) -> Result<ProposalView> {
    let circle = app.store.circle(me, id).await?;
    if listed_proposal(app, me, &circle, pid).await?.is_none() {
        // Settled a moment ago by the answers that came just before this one.
        return settled_view(app, me, &circle, pid).await;
    }
    match app
        .store
        .answer_proposal(me, circle.id, pid, &answer, app.clock.now())
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound) => return settled_view(app, me, &circle, pid).await,
        Err(error) => return Err(error.into()),
    }
    // Read again: the other members' answers of this same moment count too.
    let Some(proposal) = listed_proposal(app, me, &circle, pid).await? else {
        return settled_view(app, me, &circle, pid).await;
    };
    let history = history(app, me, &circle).await?;
    let (state, version) = settle_in(app, me, &circle, &history, pid, &proposal).await?;
    let view = ProposalView {
        id: pid,
        base: base_of(&history, &proposal),
        proposal,
        state,
        version,
    };
    Ok(proposal_as_seen(&circle, me, view))
}

/// Turns `proposal` into the next version if everyone has said yes (or it only adds care for
/// its author); returns its state, and the new version number when it became one.
async fn settle(
    app: &App,
    member: MemberId,
    circle: &CircleRecord,
    id: ProposalId,
    proposal: &Proposal<MemberId>,
) -> Result<(ProposalState, Option<u32>)> {
    let history = history(app, member, circle).await?;
    settle_in(app, member, circle, &history, id, proposal).await
}

/// `settle` against a history already read. The store makes the version once, however many
/// answers arrive together: whoever comes second learns which version it became.
async fn settle_in(
    app: &App,
    member: MemberId,
    circle: &CircleRecord,
    history: &[RoutineVersion],
    id: ProposalId,
    proposal: &Proposal<MemberId>,
) -> Result<(ProposalState, Option<u32>)> {
    let outcome = outcome(history, proposal, &members(circle));
    if outcome != ProposalState::Accepted {
        return Ok((outcome, None));
    }
    // One history for every kind of session: the next number follows the newest of any.
    let next = RoutineVersion {
        version: history.last().map_or(0, |v| v.version) + 1,
        author: proposal.author,
        created_at: app.clock.now().unix_seconds(),
        routine: proposal.routine.clone(),
    };
    match app
        .store
        .settle_proposal(member, circle.id, id, &next)
        .await?
    {
        Settled::Became(version) => {
            schedule_review(app, member, circle).await?;
            Ok((ProposalState::Accepted, Some(version)))
        }
        Settled::AlreadyBecame(version) => Ok((ProposalState::Accepted, Some(version))),
        // Another change became the next version first: this one must be made again.
        Settled::Outdated => Ok((ProposalState::Outdated, None)),
    }
}

/// The circle's routines as they stand: every version, and the proposals still listed.
struct Standing {
    history: Vec<RoutineVersion>,
    proposals: Vec<(ProposalId, Proposal<MemberId>)>,
}

/// Settles every proposal that has become acceptable since it was last looked at, reading
/// history and proposals once (and the history again only if one settled).
async fn settle_all(app: &App, member: MemberId, circle: &CircleRecord) -> Result<Standing> {
    let mut standing = Standing {
        history: history(app, member, circle).await?,
        proposals: Vec::new(),
    };
    let mut settled = false;
    for (id, proposal) in app.store.proposals(member, circle.id).await? {
        match settle_in(app, member, circle, &standing.history, id, &proposal).await? {
            (_, Some(_)) => settled = true,
            (_, None) => standing.proposals.push((id, proposal)),
        }
    }
    if settled {
        standing.history = history(app, member, circle).await?;
    }
    Ok(standing)
}

/// A review as members see it: who has answered (how many, not who), the member's own
/// answer, and, once every member has answered or the review has closed, how each step
/// fared under the rules (wishes unnamed unless their author chose to be named). Before
/// that, results could be traced to whoever answered first.
pub struct ReviewView {
    pub id: ReviewId,
    pub record: ReviewRecord,
    pub routine: Routine<MemberId>,
    /// Empty until every member has answered or the review has closed.
    pub outcomes: Vec<StepOutcome<MemberId>>,
    pub answered: usize,
    pub waiting_for: usize,
    pub mine: Option<ReviewAnswer>,
}

impl ReviewView {
    /// Whether its results show: every member has answered, or it has closed.
    pub fn results_shown(&self) -> bool {
        self.waiting_for == 0 || self.record.proposal.is_some()
    }
}

fn review_view(
    id: ReviewId,
    record: ReviewRecord,
    routine: Routine<MemberId>,
    circle: &CircleRecord,
    me: MemberId,
) -> ReviewView {
    let members = members(circle);
    let answers: BTreeMap<MemberId, ReviewAnswer> = record
        .answers
        .iter()
        .filter(|(m, _)| members.contains(m))
        .map(|(m, a)| (*m, a.clone()))
        .collect();
    let waiting_for = members.len().saturating_sub(answers.len());
    let shown = waiting_for == 0 || record.proposal.is_some();
    let routine = as_seen(circle, me, routine);
    let outcomes = if shown {
        let (outcomes, _) = routine::review_outcome(&routine, &answers);
        outcomes
    } else {
        Vec::new()
    };
    ReviewView {
        id,
        answered: answers.len(),
        waiting_for,
        mine: record.answers.get(&me).cloned(),
        outcomes,
        routine,
        record,
    }
}

/// The review, open or done, of a version, if one was started.
fn review_of(
    reviews: &[(ReviewId, ReviewRecord)],
    version: u32,
) -> Option<&(ReviewId, ReviewRecord)> {
    reviews.iter().rev().find(|(_, r)| r.version == version)
}

/// Starts a review of the current routine for a kind of session (or returns the one already
/// open); true when it started now. Everyone else in the circle finds it in their
/// notification centre.
pub async fn start_review_now(
    app: &App,
    me: MemberId,
    id: CircleId,
    variant: Variant,
) -> Result<(ReviewView, bool)> {
    let circle = app.store.circle(me, id).await?;
    let (version, routine) = current(app, me, &circle, variant).await?;
    if version == 0 {
        return Err(Error::NotNow(msg("review-nothing-agreed")));
    }
    let (rid, review, started) =
        start_review(app, me, Some(me), &circle, version, app.clock.now()).await?;
    Ok((review_view(rid, review, routine, &circle, me), started))
}

/// The circle's reviews, oldest first: open ones wait for answers, done ones name their
/// proposal.
pub async fn reviews(app: &App, me: MemberId, id: CircleId) -> Result<Vec<ReviewView>> {
    let circle = app.store.circle(me, id).await?;
    let history = history(app, me, &circle).await?;
    let reviews = app.store.reviews(me, circle.id).await?;
    Ok(reviews
        .into_iter()
        .filter_map(|(rid, review)| {
            let routine = history
                .iter()
                .find(|v| v.version == review.version)?
                .routine
                .clone();
            Some(review_view(rid, review, routine, &circle, me))
        })
        .collect())
}

async fn own_review(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    rid: ReviewId,
) -> Result<ReviewRecord> {
    app.store
        .reviews(me, circle.id)
        .await?
        .into_iter()
        .find(|(id, _)| *id == rid)
        .map(|(_, review)| review)
        .ok_or(Error::NotFound)
}

/// One review and its outcome so far, under the rules.
pub async fn review(
    app: &App,
    me: MemberId,
    id: CircleId,
    rid: ReviewId,
) -> Result<(CircleRecord, ReviewView)> {
    let circle = app.store.circle(me, id).await?;
    let record = own_review(app, me, &circle, rid).await?;
    let routine = version_in(app, me, &circle, record.version).await?;
    let view = review_view(rid, record, routine, &circle, me);
    Ok((circle, view))
}

/// A member's answers in a review.
#[derive(Clone, Debug, Default)]
pub struct ReviewInput {
    /// Step id → keep, change or drop.
    pub verdicts: BTreeMap<u32, StepVerdict>,
    /// New steps to suggest (each up to 200 characters, at most 10).
    pub suggestions: Vec<String>,
    /// Whether partners may see the member's name beside a wish to change or drop.
    pub named: bool,
}

/// The most steps one member may suggest in a review.
pub const SUGGESTIONS_MAX: usize = 10;
/// The longest suggestion, in characters.
pub const SUGGESTION_MAX_CHARS: usize = 200;

/// Gives (or changes) `me`'s answers. When every member has answered, the outcome becomes a
/// proposal for the next version (which still needs everyone's yes).
pub async fn answer_review(
    app: &App,
    me: MemberId,
    id: CircleId,
    rid: ReviewId,
    input: &ReviewInput,
) -> Result<ReviewView> {
    let circle = app.store.circle(me, id).await?;
    let review = own_review(app, me, &circle, rid).await?;
    if review.proposal.is_some() {
        return Err(Error::NotNow(msg("review-closed")));
    }
    let routine = version_in(app, me, &circle, review.version).await?;
    // Verdicts only on steps the member can see: the others keep theirs.
    let visible = as_seen(&circle, me, routine.clone());
    let mut problems = Vec::new();
    for step in input.verdicts.keys() {
        if visible.step(StepId(*step)).is_none() {
            problems.push(Problem::new(
                format!("verdicts.{step}"),
                msg("routine-step-id"),
            ));
        }
    }
    let suggestions: Vec<String> = input
        .suggestions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let text = short_text(s, SUGGESTION_MAX_CHARS);
            if text.is_none() {
                problems.push(Problem::new(
                    format!("suggestions[{i}]"),
                    msg("routine-step-text"),
                ));
            }
            text
        })
        .collect();
    if suggestions.len() > SUGGESTIONS_MAX {
        problems.push(Problem::new(
            "suggestions",
            msg("review-too-many-suggestions"),
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let answer = ReviewAnswer {
        verdicts: input
            .verdicts
            .iter()
            .map(|(s, v)| (StepId(*s), *v))
            .collect(),
        suggestions,
        named: input.named,
    };
    let review = record_review_answer(app, me, &circle, rid, &routine, &answer).await?;
    Ok(review_view(rid, review, routine, &circle, me))
}

/// Records `me`'s answers in a review (a row of their own: partners answering at the same
/// moment never overwrite each other); when every current member has answered, the outcome
/// becomes a proposal (which still needs everyone's yes), once.
async fn record_review_answer(
    app: &App,
    me: MemberId,
    circle: &CircleRecord,
    id: ReviewId,
    routine: &Routine<MemberId>,
    answer: &ReviewAnswer,
) -> Result<ReviewRecord> {
    let now = app.clock.now();
    app.store
        .answer_review(me, circle.id, id, answer, now)
        .await?;
    // Read again: the other members' answers of this same moment count too.
    let review = own_review(app, me, circle, id).await?;
    let members = members(circle);
    let (version, _) = current(app, me, circle, routine.settings.variant).await?;
    let everyone = members.iter().all(|m| review.answers.contains_key(m));
    if review.proposal.is_some() || !everyone || version != review.version {
        return Ok(review);
    }
    let answers = review
        .answers
        .iter()
        .filter(|(m, _)| members.contains(m))
        .map(|(m, a)| (*m, a.clone()))
        .collect();
    let (_, proposed) = routine::review_outcome(routine, &answers);
    let proposal = Proposal {
        author: me,
        base_version: version,
        routine: proposed,
        accepted_by: BTreeSet::new(),
        declined: Vec::new(),
    };
    // The last answers of the same moment both get here: the store closes it once.
    if let Some(pid) = app
        .store
        .close_review(me, circle.id, id, &proposal, now)
        .await?
    {
        proposal_made(app, me, circle, pid, &proposal).await?;
        // Done: the next review counts from this one's start.
        schedule_review(app, me, circle).await?;
    }
    own_review(app, me, circle, id).await
}

/// For each kind of session with an agreed routine and no open review: its current version,
/// and since when its next review counts (the version's agreement or its latest review).
/// An open review is left out: nothing falls due until it has its outcome.
fn review_schedule(
    history: &[RoutineVersion],
    reviews: &[(ReviewId, ReviewRecord)],
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
async fn schedule_review(app: &App, member: MemberId, circle: &CircleRecord) -> Result<()> {
    let history = history(app, member, circle).await?;
    let reviews = app.store.reviews(member, circle.id).await?;
    let next = review_schedule(&history, &reviews)
        .into_iter()
        .filter_map(|(version, since)| routine::review_due_at(since, &version.routine.settings))
        .min();
    if let Some(at) = next {
        app.store
            .schedule_job(JobKind::RoutineReview, circle.id.as_uuid(), at)
            .await?;
    }
    Ok(())
}

/// Starts a review of `version` for `member`'s circle, or returns the open one; true when
/// it started now. Everyone in the circle but `by` (who started it by hand, if anyone) finds
/// it in their notification centre.
async fn start_review(
    app: &App,
    member: MemberId,
    by: Option<MemberId>,
    circle: &CircleRecord,
    version: u32,
    now: Timestamp,
) -> Result<(ReviewId, ReviewRecord, bool)> {
    let reviews = app.store.reviews(member, circle.id).await?;
    if let Some((id, open)) = review_of(&reviews, version).filter(|(_, r)| r.proposal.is_none()) {
        return Ok((*id, open.clone(), false));
    }
    let review = ReviewRecord {
        version,
        started_at: now.unix_seconds(),
        answers: Default::default(),
        proposal: None,
    };
    let id = match app
        .store
        .create_review(member, circle.id, &review, now)
        .await
    {
        Ok(id) => id,
        // Started at this same moment by someone else (or by the schedule): that one it is.
        Err(StoreError::Conflict) => {
            let reviews = app.store.reviews(member, circle.id).await?;
            let (id, open) = review_of(&reviews, version)
                .filter(|(_, r)| r.proposal.is_none())
                .ok_or(Error::Internal(
                    "a review was started and then was not there",
                ))?;
            return Ok((*id, open.clone(), false));
        }
        Err(error) => return Err(error.into()),
    };
    let notification = Notification::Review { circle: circle.id };
    for other in members(circle).into_iter().filter(|m| Some(*m) != by) {
        notifications::notify_now(app, other, &notification).await?;
    }
    schedule_review(app, member, circle).await?;
    Ok((id, review, true))
}

/// The review job: starts every review of the circle that has fallen due at `now`. The next
/// check is scheduled by `start_review` (or stays with the routine's next agreement).
pub(crate) async fn start_due_reviews(
    app: &App,
    circle: CircleId,
    now: Timestamp,
) -> Result<usize> {
    // The job acts for the circle: any member's view of it is the same.
    let Some(member) = app.store.circle_member_ids(circle).await?.first().copied() else {
        return Ok(0);
    };
    let circle = app.store.circle(member, circle).await?;
    let history = history(app, member, &circle).await?;
    let reviews = app.store.reviews(member, circle.id).await?;
    let sessions = app.store.sessions_with_aftercare(member, circle.id).await?;
    let mut started = 0;
    for (version, since) in review_schedule(&history, &reviews) {
        let variant = version.routine.settings.variant;
        let sessions_since = sessions
            .iter()
            .filter(|past| past.variant == variant && past.aftercare_at >= since)
            .count();
        let sessions_since = u32::try_from(sessions_since).unwrap_or(u32::MAX);
        if routine::review_due(since, sessions_since, &version.routine.settings, now) {
            start_review(app, member, None, &circle, version.version, now).await?;
            started += 1;
        }
    }
    schedule_review(app, member, &circle).await?;
    Ok(started)
}
