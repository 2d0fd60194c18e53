//! The circle's routine: ordered aftercare steps, safewords, a non-verbal signal, the check-in
//! cadence and the follow-up schedule. Every change is a proposal that becomes the next
//! version when every current member has accepted it; versions can be compared.

use std::collections::{BTreeMap, BTreeSet};

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

use crate::profile::Variant;

/// A step's identity, kept across versions so that a changed or moved step is recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepId(pub u32);

/// What a step is: a catalog item (or a member's own item), or words of the circle's own.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepWhat {
    Item(String),
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step<M: Ord> {
    pub id: StepId,
    pub what: StepWhat,
    /// How long, if the circle set a time.
    pub minutes: Option<u16>,
    /// Who the step is for.
    pub for_members: BTreeSet<M>,
    /// Who offers it.
    pub from_members: BTreeSet<M>,
}

/// Everything of a routine but its steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The word that stops everything (default "red").
    pub stop_word: String,
    /// The word for "slow down, check on me" (default "yellow").
    pub slow_word: String,
    pub nonverbal_signal: Option<String>,
    /// Minutes between check-in prompts during a session; `None` for none.
    pub check_in_minutes: Option<u16>,
    /// Hours after a session when follow-ups come.
    pub follow_up_hours: Vec<u16>,
    pub variant: Variant,
    /// A review is due after this many sessions, or this many weeks, whichever comes first.
    pub review_every_sessions: u16,
    pub review_every_weeks: u16,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            stop_word: "red".to_owned(),
            slow_word: "yellow".to_owned(),
            nonverbal_signal: None,
            check_in_minutes: None,
            follow_up_hours: vec![12, 24, 48, 72],
            variant: Variant::AfterSex,
            review_every_sessions: 5,
            review_every_weeks: 4,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routine<M: Ord> {
    pub steps: Vec<Step<M>>,
    pub settings: Settings,
}

impl<M: Ord> Default for Routine<M> {
    fn default() -> Self {
        Self {
            steps: Vec::new(),
            settings: Settings::default(),
        }
    }
}

impl<M: Ord + Clone> Routine<M> {
    pub fn step(&self, id: StepId) -> Option<&Step<M>> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// An id no step of this routine has, for a new step.
    pub fn next_step_id(&self) -> StepId {
        StepId(self.steps.iter().map(|s| s.id.0 + 1).max().unwrap_or(1))
    }

    /// Whether `viewer` may see a step while partners have not yet confirmed what they share
    /// with them (a newcomer before the circle's next reveal): only a step for everyone, or
    /// one naming nobody but the viewer.
    pub fn open_to_newcomer(step: &Step<M>, viewer: &M) -> bool {
        step.for_members
            .iter()
            .chain(&step.from_members)
            .all(|m| m == viewer)
    }

    /// The routine as a newcomer sees it before the circle's next reveal: its safewords,
    /// signals and settings (needed to take part safely), and no step for or from a
    /// particular partner.
    pub fn for_newcomer(&self, viewer: &M) -> Self {
        Self {
            steps: self
                .steps
                .iter()
                .filter(|s| Self::open_to_newcomer(s, viewer))
                .cloned()
                .collect(),
            settings: self.settings.clone(),
        }
    }
}

/// What changed from one version to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutineDiff<M: Ord> {
    pub added: Vec<Step<M>>,
    pub removed: Vec<Step<M>>,
    /// (before, after) for steps present in both whose content changed.
    pub changed: Vec<(Step<M>, Step<M>)>,
    /// Whether the steps present in both versions come in another order.
    pub reordered: bool,
    /// The order of the new version's steps.
    order: Vec<StepId>,
    /// The new settings, if they differ.
    pub settings: Option<(Settings, Settings)>,
}

impl<M: Ord + Clone> RoutineDiff<M> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && !self.reordered
            && self.settings.is_none()
    }
}

/// What changed from `old` to `new`, step by step (steps are matched by id).
pub fn diff<M: Ord + Clone>(old: &Routine<M>, new: &Routine<M>) -> RoutineDiff<M> {
    let old_ids: BTreeSet<StepId> = old.steps.iter().map(|s| s.id).collect();
    let new_ids: BTreeSet<StepId> = new.steps.iter().map(|s| s.id).collect();
    let added = new
        .steps
        .iter()
        .filter(|s| !old_ids.contains(&s.id))
        .cloned()
        .collect();
    let removed = old
        .steps
        .iter()
        .filter(|s| !new_ids.contains(&s.id))
        .cloned()
        .collect();
    let changed = new
        .steps
        .iter()
        .filter_map(|after| {
            let before = old.step(after.id)?;
            (before != after).then(|| (before.clone(), after.clone()))
        })
        .collect();
    let common_old: Vec<StepId> = old
        .steps
        .iter()
        .map(|s| s.id)
        .filter(|id| new_ids.contains(id))
        .collect();
    let common_new: Vec<StepId> = new
        .steps
        .iter()
        .map(|s| s.id)
        .filter(|id| old_ids.contains(id))
        .collect();
    RoutineDiff {
        added,
        removed,
        changed,
        reordered: common_old != common_new,
        order: new.steps.iter().map(|s| s.id).collect(),
        settings: (old.settings != new.settings)
            .then(|| (old.settings.clone(), new.settings.clone())),
    }
}

/// `old` with `diff` applied: for a diff made from `old`, the routine it was made to.
pub fn apply<M: Ord + Clone>(old: &Routine<M>, diff: &RoutineDiff<M>) -> Routine<M> {
    let by_id: BTreeMap<StepId, &Step<M>> = old
        .steps
        .iter()
        .chain(diff.added.iter())
        .chain(diff.changed.iter().map(|(_, after)| after))
        .map(|s| (s.id, s))
        .collect();
    Routine {
        steps: diff
            .order
            .iter()
            .filter_map(|id| by_id.get(id).map(|s| (*s).clone()))
            .collect(),
        settings: diff
            .settings
            .as_ref()
            .map_or_else(|| old.settings.clone(), |(_, after)| after.clone()),
    }
}

/// A change someone proposed to the routine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal<M: Ord> {
    pub author: M,
    /// The version it was made from.
    pub base_version: u32,
    pub routine: Routine<M>,
    pub accepted_by: BTreeSet<M>,
    /// Who declined, with their note: one decline closes the proposal.
    pub declined: Vec<(M, String)>,
}

/// A member's answer to a proposed change: yes, or no with a note (which may be empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalAnswer {
    Yes,
    No(String),
}

impl<M: Ord + Clone> Proposal<M> {
    /// Sets `member`'s answer, replacing any earlier one of theirs. Answers of different
    /// members never touch each other, so the same answers in any order make the same
    /// proposal (kept as a row each by the store, for members answering at the same moment).
    pub fn answer(&mut self, member: M, answer: ProposalAnswer) {
        self.accepted_by.remove(&member);
        self.declined.retain(|(m, _)| *m != member);
        match answer {
            ProposalAnswer::Yes => {
                self.accepted_by.insert(member);
            }
            ProposalAnswer::No(note) => self.declined.push((member, note)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProposalState {
    Open,
    /// Every current member accepted (or nobody else's consent was needed).
    Accepted,
    Declined,
    /// The routine moved on since the proposal was made; it must be made again.
    Outdated,
}

/// Whether `proposal` only adds care for its author, given and received by them alone: such
/// a change is never blocked (adding self-care needs nobody's permission).
pub fn only_self_care<M: Ord + Clone>(current: &Routine<M>, proposal: &Proposal<M>) -> bool {
    let change = diff(current, &proposal.routine);
    let mine = |s: &Step<M>| {
        s.for_members.len() == 1
            && s.for_members.contains(&proposal.author)
            && s.from_members.iter().all(|m| *m == proposal.author)
    };
    change.removed.is_empty()
        && change.changed.is_empty()
        && change.settings.is_none()
        && change.added.iter().all(mine)
}

/// Where a proposal stands, against the circle's current members and routine version.
/// Members who left neither block nor count.
pub fn proposal_state<M: Ord + Clone>(
    proposal: &Proposal<M>,
    current_version: u32,
    current: &Routine<M>,
    members: &BTreeSet<M>,
) -> ProposalState {
    if proposal.base_version != current_version {
        return ProposalState::Outdated;
    }
    if proposal.declined.iter().any(|(m, _)| members.contains(m)) {
        return ProposalState::Declined;
    }
    let everyone = members
        .iter()
        .all(|m| *m == proposal.author || proposal.accepted_by.contains(m));
    if everyone || only_self_care(current, proposal) {
        ProposalState::Accepted
    } else {
        ProposalState::Open
    }
}

/// A member's rating of one step in a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepVerdict {
    Keep,
    Change,
    Drop,
}

/// One member's answers in a review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewAnswer {
    pub verdicts: BTreeMap<StepId, StepVerdict>,
    pub suggestions: Vec<String>,
    /// Whether partners may see this member's name beside their "change" or "drop".
    pub named: bool,
}

/// How a step fared in a review, as members see it: "keep" counted, other wishes shown as
/// "someone would like to change this" unless the member chose to be named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutcome<M: Ord> {
    pub step: StepId,
    pub keep: usize,
    /// Change or drop wishes whose authors stay unnamed.
    pub unnamed_wishes: usize,
    pub named_wishes: Vec<(M, StepVerdict)>,
    /// Whether the proposal drops the step: everyone who rated it said drop.
    pub dropped: bool,
}

/// The review's outcome per step, and the routine it proposes: steps everyone who rated them
/// wants dropped go; suggestions become new steps at the end.
pub fn review_outcome<M: Ord + Clone>(
    routine: &Routine<M>,
    answers: &BTreeMap<M, ReviewAnswer>,
) -> (Vec<StepOutcome<M>>, Routine<M>) {
    let mut outcomes = Vec::new();
    let mut proposed = routine.clone();
    for step in &routine.steps {
        let verdicts: Vec<(&M, StepVerdict, bool)> = answers
            .iter()
            .filter_map(|(m, a)| a.verdicts.get(&step.id).map(|v| (m, *v, a.named)))
            .collect();
        let dropped =
            !verdicts.is_empty() && verdicts.iter().all(|(_, v, _)| *v == StepVerdict::Drop);
        let wishes = verdicts.iter().filter(|(_, v, _)| *v != StepVerdict::Keep);
        outcomes.push(StepOutcome {
            step: step.id,
            keep: verdicts
                .iter()
                .filter(|(_, v, _)| *v == StepVerdict::Keep)
                .count(),
            unnamed_wishes: wishes.clone().filter(|(_, _, named)| !named).count(),
            named_wishes: wishes
                .filter(|(_, _, named)| *named)
                .map(|(m, v, _)| ((*m).clone(), *v))
                .collect(),
            dropped,
        });
        if dropped {
            proposed.steps.retain(|s| s.id != step.id);
        }
    }
    // New ids count on from the reviewed version's: a dropped step's id is never reused,
    // so a comparison shows it removed, not changed into something else.
    let suggestions = answers.values().flat_map(|a| a.suggestions.iter());
    for (next, suggestion) in (routine.next_step_id().0..).zip(suggestions) {
        let id = StepId(next);
        proposed.steps.push(Step {
            id,
            what: StepWhat::Text(suggestion.clone()),
            minutes: None,
            for_members: BTreeSet::new(),
            from_members: BTreeSet::new(),
        });
    }
    (outcomes, proposed)
}

/// The routine for one kind of session. A circle keeps one history of versions and each
/// version belongs to one kind (its `settings.variant`): the current routine for a kind is
/// the newest version made for it, or version 0 (nothing agreed) with default settings.
pub fn current_for<'a, M: Ord + Clone + 'a>(
    versions: impl IntoIterator<Item = (u32, &'a Routine<M>)>,
    variant: Variant,
) -> (u32, Routine<M>) {
    versions
        .into_iter()
        .filter(|(_, r)| r.settings.variant == variant)
        .max_by_key(|(n, _)| *n)
        .map_or_else(
            || {
                let settings = Settings {
                    variant,
                    ..Settings::default()
                };
                (
                    0,
                    Routine {
                        steps: Vec::new(),
                        settings,
                    },
                )
            },
            |(n, r)| (n, r.clone()),
        )
}

/// When a review of a routine falls due by time: `review_every_weeks` after `since` (the
/// later of when the version was agreed and when it was last reviewed). `None` when the
/// circle asked for no reviews by time.
pub fn review_due_at(since: Timestamp, settings: &Settings) -> Option<Timestamp> {
    (settings.review_every_weeks > 0).then(|| {
        since.after(Duration::from_secs(
            u64::from(settings.review_every_weeks) * 7 * 24 * 60 * 60,
        ))
    })
}

/// Whether a review is due at `now`: enough weeks since `since`, or enough sessions since
/// then, whichever comes first.
pub fn review_due(
    since: Timestamp,
    sessions_since: u32,
    settings: &Settings,
    now: Timestamp,
) -> bool {
    let by_sessions = settings.review_every_sessions > 0
        && sessions_since >= u32::from(settings.review_every_sessions);
    by_sessions || review_due_at(since, settings).is_some_and(|due| now >= due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(id: u32, item: &str, for_members: &[u8], from_members: &[u8]) -> Step<u8> {
        Step {
            id: StepId(id),
            what: StepWhat::Item(item.to_owned()),
            minutes: Some(10),
            for_members: for_members.iter().copied().collect(),
            from_members: from_members.iter().copied().collect(),
        }
    }

    fn routine(steps: Vec<Step<u8>>) -> Routine<u8> {
        Routine {
            steps,
            settings: Settings::default(),
        }
    }

    #[test]
    fn a_newcomer_sees_the_safewords_and_no_step_naming_a_partner() {
        let mut full = routine(vec![
            step(1, "cuddling", &[1], &[2]),
            step(2, "water", &[], &[]),
            step(3, "snacks", &[3], &[]),
            step(4, "blanket", &[3], &[3]),
            step(5, "quiet-time", &[], &[1]),
        ]);
        full.settings.stop_word = "pineapple".to_owned();
        let seen = full.for_newcomer(&3);
        let ids: Vec<u32> = seen.steps.iter().map(|s| s.id.0).collect();
        assert_eq!(ids, [2, 3, 4]);
        assert_eq!(seen.settings, full.settings);
    }

    #[test]
    fn each_kind_of_session_has_its_own_current_version() {
        let mut hard = routine(vec![step(1, "quiet-time", &[1], &[2])]);
        hard.settings.variant = Variant::AfterHardScene;
        let v1 = routine(vec![step(1, "cuddling", &[1], &[2])]);
        let v3 = routine(vec![
            step(1, "cuddling", &[1], &[2]),
            step(2, "snacks", &[2], &[1]),
        ]);
        let history = [(1, &v1), (2, &hard), (3, &v3)];
        assert_eq!(current_for(history, Variant::AfterSex), (3, v3.clone()));
        assert_eq!(
            current_for(history, Variant::AfterHardScene),
            (2, hard.clone())
        );
        let (n, none) = current_for(history, Variant::AfterIntenseScene);
        assert_eq!(n, 0);
        assert!(none.steps.is_empty());
        assert_eq!(none.settings.variant, Variant::AfterIntenseScene);
    }

    #[test]
    fn a_review_falls_due_by_weeks_or_by_sessions() {
        let settings = Settings::default();
        let day = 24 * 60 * 60;
        let since = Timestamp::from_unix_seconds(1_000_000);
        let later = |days: i64| Timestamp::from_unix_seconds(1_000_000 + days * day);
        assert_eq!(review_due_at(since, &settings), Some(later(28)));
        assert!(!review_due(since, 0, &settings, later(27)));
        assert!(review_due(since, 0, &settings, later(28)));
        assert!(!review_due(since, 4, &settings, later(1)));
        assert!(review_due(since, 5, &settings, later(1)));
        let never = Settings {
            review_every_sessions: 0,
            review_every_weeks: 0,
            ..Settings::default()
        };
        assert_eq!(review_due_at(since, &never), None);
        assert!(!review_due(since, 100, &never, later(1000)));
    }

    #[test]
    fn a_diff_names_what_was_added_removed_changed_and_moved() {
        let v1 = routine(vec![
            step(1, "water-or-a-drink", &[1], &[2]),
            step(2, "cuddling", &[1, 2], &[1, 2]),
            step(3, "quiet-time", &[], &[]),
        ]);
        let mut v2 = routine(vec![
            step(2, "cuddling", &[1, 2], &[1, 2]),
            step(1, "water-or-a-drink", &[1], &[2]),
            step(4, "sleep", &[], &[]),
        ]);
        v2.steps[1].minutes = Some(5);
        v2.settings.stop_word = "pineapple".to_owned();
        let change = diff(&v1, &v2);
        assert_eq!(
            change.added.iter().map(|s| s.id).collect::<Vec<_>>(),
            [StepId(4)]
        );
        assert_eq!(
            change.removed.iter().map(|s| s.id).collect::<Vec<_>>(),
            [StepId(3)]
        );
        assert_eq!(change.changed.len(), 1);
        assert!(change.reordered);
        assert_eq!(change.settings.as_ref().unwrap().1.stop_word, "pineapple");
        assert_eq!(apply(&v1, &change), v2);
        assert!(diff(&v2, &v2).is_empty());
    }

    #[test]
    fn acceptance_needs_every_current_member_and_a_leaver_does_not_block() {
        let current = routine(vec![step(1, "cuddling", &[1], &[2])]);
        let mut proposal = Proposal {
            author: 1u8,
            base_version: 3,
            routine: routine(vec![
                step(1, "cuddling", &[1], &[2]),
                step(2, "massage", &[1], &[3]),
            ]),
            accepted_by: BTreeSet::new(),
            declined: Vec::new(),
        };
        let members: BTreeSet<u8> = [1, 2, 3].into();
        assert_eq!(
            proposal_state(&proposal, 3, &current, &members),
            ProposalState::Open
        );
        proposal.accepted_by.insert(2);
        assert_eq!(
            proposal_state(&proposal, 3, &current, &members),
            ProposalState::Open
        );
        let after_leaving: BTreeSet<u8> = [1, 2].into();
        assert_eq!(
            proposal_state(&proposal, 3, &current, &after_leaving),
            ProposalState::Accepted
        );
        assert_eq!(
            proposal_state(&proposal, 4, &current, &after_leaving),
            ProposalState::Outdated
        );
        proposal.declined.push((3, "not today".to_owned()));
        assert_eq!(
            proposal_state(&proposal, 3, &current, &members),
            ProposalState::Declined
        );
        assert_eq!(
            proposal_state(&proposal, 3, &current, &after_leaving),
            ProposalState::Accepted,
            "a leaver's decline no longer counts"
        );
    }

    #[test]
    fn adding_care_for_oneself_is_never_blocked() {
        let current = routine(vec![step(1, "cuddling", &[1, 2], &[1, 2])]);
        let mut proposal = Proposal {
            author: 2u8,
            base_version: 1,
            routine: routine(vec![
                step(1, "cuddling", &[1, 2], &[1, 2]),
                step(2, "time-alone", &[2], &[]),
            ]),
            accepted_by: BTreeSet::new(),
            declined: Vec::new(),
        };
        let members: BTreeSet<u8> = [1, 2].into();
        assert_eq!(
            proposal_state(&proposal, 1, &current, &members),
            ProposalState::Accepted
        );
        // Asking a partner to give something is not self-care: it needs their yes.
        proposal.routine.steps[1].from_members.insert(1);
        assert_eq!(
            proposal_state(&proposal, 1, &current, &members),
            ProposalState::Open
        );
    }

    #[test]
    fn a_review_drops_what_everyone_wants_dropped_and_keeps_wishes_unnamed_unless_chosen() {
        let current = routine(vec![
            step(1, "cuddling", &[1, 2], &[1, 2]),
            step(2, "massage", &[1], &[2]),
        ]);
        let mut answers = BTreeMap::new();
        answers.insert(
            1u8,
            ReviewAnswer {
                verdicts: [
                    (StepId(1), StepVerdict::Keep),
                    (StepId(2), StepVerdict::Drop),
                ]
                .into(),
                suggestions: vec!["A walk the next day".to_owned()],
                named: false,
            },
        );
        answers.insert(
            2u8,
            ReviewAnswer {
                verdicts: [
                    (StepId(1), StepVerdict::Change),
                    (StepId(2), StepVerdict::Drop),
                ]
                .into(),
                suggestions: Vec::new(),
                named: true,
            },
        );
        let (outcomes, proposed) = review_outcome(&current, &answers);
        assert_eq!(outcomes[0].keep, 1);
        assert_eq!(outcomes[0].unnamed_wishes, 0);
        assert_eq!(outcomes[0].named_wishes, [(2, StepVerdict::Change)]);
        assert_eq!(outcomes[1].unnamed_wishes, 1);
        assert!(outcomes[1].dropped && !outcomes[0].dropped);
        assert_eq!(proposed.steps.len(), 2);
        assert_eq!(
            proposed.steps[1].what,
            StepWhat::Text("A walk the next day".to_owned())
        );
        assert_eq!(proposed.steps[1].id, StepId(3));
    }

    fn any_step(id: u32) -> impl Strategy<Value = Step<u8>> {
        (
            prop::sample::select(vec!["cuddling", "water-or-a-drink", "quiet-time", "sleep"]),
            prop::option::of(1u16..60),
            prop::collection::btree_set(0u8..4, 0..3),
            prop::collection::btree_set(0u8..4, 0..3),
        )
            .prop_map(move |(item, minutes, for_members, from_members)| Step {
                id: StepId(id),
                what: StepWhat::Item(item.to_owned()),
                minutes,
                for_members,
                from_members,
            })
    }

    fn any_routine() -> impl Strategy<Value = Routine<u8>> {
        (
            prop::collection::btree_set(1u32..12, 0..8),
            any::<bool>(),
            prop::option::of(1u16..30),
        )
            .prop_flat_map(|(ids, other_word, check_in)| {
                let steps: Vec<_> = ids.into_iter().map(any_step).collect();
                (steps, Just(other_word), Just(check_in))
            })
            .prop_flat_map(|(steps, other_word, check_in)| {
                Just(steps).prop_shuffle().prop_map(move |steps| {
                    let mut settings = Settings::default();
                    if other_word {
                        settings.stop_word = "pineapple".to_owned();
                    }
                    settings.check_in_minutes = check_in;
                    Routine { steps, settings }
                })
            })
    }

    proptest! {
        #[test]
        fn applying_the_diff_of_two_versions_to_the_first_gives_the_second(v1 in any_routine(), v2 in any_routine()) {
            let change = diff(&v1, &v2);
            prop_assert_eq!(apply(&v1, &change), v2.clone());
            prop_assert_eq!(change.is_empty(), v1 == v2);
        }
    }
}
