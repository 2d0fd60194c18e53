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

/// One thing a new version changes, as a member reads it before saying yes: every step
/// added, removed, changed or moved, and every setting with its value before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change<M: Ord> {
    StepAdded(Step<M>),
    StepRemoved(Step<M>),
    /// The same step (by id) with other content: what, minutes, for whom or from whom.
    StepChanged {
        before: Step<M>,
        after: Step<M>,
    },
    /// A step that comes at another place relative to the steps kept: `from` and `to` are
    /// its places (from 0) in the old and the new version's steps. A step that only shifts
    /// because others were added or removed before it has not moved.
    StepMoved {
        step: Step<M>,
        from: usize,
        to: usize,
    },
    StopWord {
        from: String,
        to: String,
    },
    SlowWord {
        from: String,
        to: String,
    },
    NonverbalSignal {
        from: Option<String>,
        to: Option<String>,
    },
    CheckInMinutes {
        from: Option<u16>,
        to: Option<u16>,
    },
    FollowUpHours {
        from: Vec<u16>,
        to: Vec<u16>,
    },
    Variant {
        from: Variant,
        to: Variant,
    },
    ReviewEverySessions {
        from: u16,
        to: u16,
    },
    ReviewEveryWeeks {
        from: u16,
        to: u16,
    },
}

/// The steps kept in both versions that moved: the fewest steps which, taken out and put
/// back, turn the old order into the new (those outside a longest run of kept steps whose
/// order did not change).
fn moved_steps<M: Ord + Clone>(old: &Routine<M>, new: &Routine<M>) -> BTreeSet<StepId> {
    // The old place of each kept step, in the new version's order.
    let kept: Vec<(StepId, usize)> = new
        .steps
        .iter()
        .filter_map(|s| {
            let from = old.steps.iter().position(|o| o.id == s.id)?;
            Some((s.id, from))
        })
        .collect();
    // Longest increasing run of old places (quadratic: a routine has a handful of steps).
    let mut length = vec![1usize; kept.len()];
    let mut before: Vec<Option<usize>> = vec![None; kept.len()];
    for i in 0..kept.len() {
        for j in 0..i {
            if kept[j].1 < kept[i].1 && length[j] + 1 > length[i] {
                length[i] = length[j] + 1;
                before[i] = Some(j);
            }
        }
    }
    let mut in_order = BTreeSet::new();
    let longest = (0..kept.len()).max_by_key(|i| (length[*i], std::cmp::Reverse(*i)));
    let mut at = longest;
    while let Some(i) = at {
        in_order.insert(kept[i].0);
        at = before[i];
    }
    kept.iter()
        .map(|(id, _)| *id)
        .filter(|id| !in_order.contains(id))
        .collect()
}

/// Every setting that differs from `before` to `after`, in the order the routine page
/// lists them.
pub fn setting_changes<M: Ord>(before: &Settings, after: &Settings) -> Vec<Change<M>> {
    let mut changes = Vec::new();
    if before.stop_word != after.stop_word {
        changes.push(Change::StopWord {
            from: before.stop_word.clone(),
            to: after.stop_word.clone(),
        });
    }
    if before.slow_word != after.slow_word {
        changes.push(Change::SlowWord {
            from: before.slow_word.clone(),
            to: after.slow_word.clone(),
        });
    }
    if before.nonverbal_signal != after.nonverbal_signal {
        changes.push(Change::NonverbalSignal {
            from: before.nonverbal_signal.clone(),
            to: after.nonverbal_signal.clone(),
        });
    }
    if before.check_in_minutes != after.check_in_minutes {
        changes.push(Change::CheckInMinutes {
            from: before.check_in_minutes,
            to: after.check_in_minutes,
        });
    }
    if before.follow_up_hours != after.follow_up_hours {
        changes.push(Change::FollowUpHours {
            from: before.follow_up_hours.clone(),
            to: after.follow_up_hours.clone(),
        });
    }
    if before.variant != after.variant {
        changes.push(Change::Variant {
            from: before.variant,
            to: after.variant,
        });
    }
    if before.review_every_sessions != after.review_every_sessions {
        changes.push(Change::ReviewEverySessions {
            from: before.review_every_sessions,
            to: after.review_every_sessions,
        });
    }
    if before.review_every_weeks != after.review_every_weeks {
        changes.push(Change::ReviewEveryWeeks {
            from: before.review_every_weeks,
            to: after.review_every_weeks,
        });
    }
    changes
}

/// Everything `new` changes from `old`, in reading order: the new version's steps in their
/// order (each added, or changed and/or moved), then the steps removed (in their old order),
/// then the settings. Empty exactly when the two are the same routine.
pub fn changes<M: Ord + Clone>(old: &Routine<M>, new: &Routine<M>) -> Vec<Change<M>> {
    let moved = moved_steps(old, new);
    let mut changes = Vec::new();
    for (to, after) in new.steps.iter().enumerate() {
        let Some((from, before)) = old.steps.iter().enumerate().find(|(_, s)| s.id == after.id)
        else {
            changes.push(Change::StepAdded(after.clone()));
            continue;
        };
        if before != after {
            changes.push(Change::StepChanged {
                before: before.clone(),
                after: after.clone(),
            });
        }
        if moved.contains(&after.id) {
            changes.push(Change::StepMoved {
                step: after.clone(),
                from,
                to,
            });
        }
    }
    changes.extend(
        old.steps
            .iter()
            .filter(|s| new.step(s.id).is_none())
            .cloned()
            .map(Change::StepRemoved),
    );
    changes.extend(setting_changes(&old.settings, &new.settings));
    changes
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

    fn ids(steps: &[Step<u8>]) -> Vec<u32> {
        steps.iter().map(|s| s.id.0).collect()
    }

    /// Each change in a short form, to compare whole lists at once.
    fn named(changes: &[Change<u8>]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::StepAdded(s) => format!("added {}", s.id.0),
                Change::StepRemoved(s) => format!("removed {}", s.id.0),
                Change::StepChanged { before, after } => {
                    format!(
                        "changed {} ({:?} to {:?})",
                        after.id.0, before.minutes, after.minutes
                    )
                }
                Change::StepMoved { step, from, to } => {
                    format!("moved {} from {from} to {to}", step.id.0)
                }
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn changes_name_every_setting_with_its_value_before_and_after() {
        let before = routine(vec![step(1, "cuddling", &[1], &[2])]);
        let mut after = before.clone();
        after.settings.stop_word = "pineapple".to_owned();
        after.settings.nonverbal_signal = Some("two taps on the arm".to_owned());
        after.settings.check_in_minutes = Some(20);
        after.settings.follow_up_hours = vec![6, 24];
        assert_eq!(
            changes(&before, &after),
            [
                Change::StopWord {
                    from: "red".to_owned(),
                    to: "pineapple".to_owned()
                },
                Change::NonverbalSignal {
                    from: None,
                    to: Some("two taps on the arm".to_owned())
                },
                Change::CheckInMinutes {
                    from: None,
                    to: Some(20)
                },
                Change::FollowUpHours {
                    from: vec![12, 24, 48, 72],
                    to: vec![6, 24]
                },
            ]
        );
        let mut back = after.clone();
        back.settings.nonverbal_signal = None;
        back.settings.slow_word = "orange".to_owned();
        back.settings.variant = Variant::AfterHardScene;
        back.settings.review_every_sessions = 0;
        back.settings.review_every_weeks = 8;
        assert_eq!(
            changes(&after, &back),
            [
                Change::SlowWord {
                    from: "yellow".to_owned(),
                    to: "orange".to_owned()
                },
                Change::NonverbalSignal {
                    from: Some("two taps on the arm".to_owned()),
                    to: None
                },
                Change::Variant {
                    from: Variant::AfterSex,
                    to: Variant::AfterHardScene
                },
                Change::ReviewEverySessions { from: 5, to: 0 },
                Change::ReviewEveryWeeks { from: 4, to: 8 },
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }

    #[test]
    fn changes_list_steps_in_the_new_order_then_those_removed() {
        let v1 = routine(vec![
            step(1, "water-or-a-drink", &[1], &[2]),
            step(2, "cuddling", &[1, 2], &[1, 2]),
            step(3, "quiet-time", &[], &[]),
        ]);
        let mut v2 = routine(vec![
            step(4, "sleep", &[], &[]),
            step(2, "cuddling", &[1, 2], &[1, 2]),
            step(1, "water-or-a-drink", &[1], &[2]),
        ]);
        v2.steps[2].minutes = Some(5);
        assert_eq!(
            named(&changes(&v1, &v2)),
            [
                "added 4",
                "changed 1 (Some(10) to Some(5))",
                "moved 1 from 0 to 2",
                "removed 3"
            ]
        );
    }

    #[test]
    fn a_step_moved_to_the_end_is_the_only_one_marked_moved() {
        let v1 = routine(vec![
            step(1, "water-or-a-drink", &[], &[]),
            step(2, "cuddling", &[], &[]),
            step(3, "quiet-time", &[], &[]),
            step(4, "sleep", &[], &[]),
        ]);
        let mut v2 = v1.clone();
        let first = v2.steps.remove(0);
        v2.steps.push(first);
        assert_eq!(named(&changes(&v1, &v2)), ["moved 1 from 0 to 3"]);
        // And back to the top: only that step moved again.
        let mut v3 = v1.clone();
        let last = v3.steps.pop().unwrap();
        v3.steps.insert(0, last);
        assert_eq!(named(&changes(&v1, &v3)), ["moved 4 from 3 to 0"]);
    }

    #[test]
    fn steps_that_only_shift_because_of_an_added_or_removed_step_have_not_moved() {
        let v1 = routine(vec![
            step(1, "water-or-a-drink", &[], &[]),
            step(2, "cuddling", &[], &[]),
            step(3, "quiet-time", &[], &[]),
        ]);
        let added_first = routine(vec![
            step(4, "sleep", &[], &[]),
            step(1, "water-or-a-drink", &[], &[]),
            step(2, "cuddling", &[], &[]),
            step(3, "quiet-time", &[], &[]),
        ]);
        assert_eq!(named(&changes(&v1, &added_first)), ["added 4"]);
        let removed_first = routine(vec![
            step(2, "cuddling", &[], &[]),
            step(3, "quiet-time", &[], &[]),
        ]);
        assert_eq!(named(&changes(&v1, &removed_first)), ["removed 1"]);
        // Two steps swapping places: one of them is marked, never both.
        let swapped = routine(vec![
            step(2, "cuddling", &[], &[]),
            step(1, "water-or-a-drink", &[], &[]),
            step(3, "quiet-time", &[], &[]),
        ]);
        let moved = named(&changes(&v1, &swapped));
        assert_eq!(moved.len(), 1, "{moved:?}");
        assert!(moved[0].starts_with("moved "), "{moved:?}");
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

    /// The length of a longest common subsequence: an oracle for how many kept steps can stay
    /// where they are, computed independently of `moved_steps`.
    fn common_run(a: &[u32], b: &[u32]) -> usize {
        let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                table[i + 1][j + 1] = if a[i] == b[j] {
                    table[i][j] + 1
                } else {
                    table[i][j + 1].max(table[i + 1][j])
                };
            }
        }
        table[a.len()][b.len()]
    }

    proptest! {
        #[test]
        fn changes_account_for_every_step_and_move_no_more_than_needed(v1 in any_routine(), v2 in any_routine()) {
            let found = changes(&v1, &v2);
            prop_assert_eq!(found.is_empty(), v1 == v2);
            let of = |pick: fn(&Change<u8>) -> Option<u32>| found.iter().filter_map(pick).collect::<Vec<_>>();
            let added = of(|c| match c { Change::StepAdded(s) => Some(s.id.0), _ => None });
            let removed = of(|c| match c { Change::StepRemoved(s) => Some(s.id.0), _ => None });
            let moved = of(|c| match c { Change::StepMoved { step, .. } => Some(step.id.0), _ => None });
            let change = diff(&v1, &v2);
            prop_assert_eq!(added, ids(&change.added));
            prop_assert_eq!(removed, ids(&change.removed));
            prop_assert_eq!(moved.is_empty(), !change.reordered);
            // Kept steps, in each version's order; without the moved ones, the same order.
            let old_ids = ids(&v1.steps);
            let new_ids = ids(&v2.steps);
            let kept_old: Vec<u32> = old_ids.iter().copied().filter(|i| new_ids.contains(i)).collect();
            let kept_new: Vec<u32> = new_ids.iter().copied().filter(|i| old_ids.contains(i)).collect();
            let stay = |list: &[u32]| list.iter().copied().filter(|i| !moved.contains(i)).collect::<Vec<_>>();
            prop_assert_eq!(stay(&kept_old), stay(&kept_new));
            prop_assert_eq!(moved.len(), kept_new.len() - common_run(&kept_old, &kept_new));
            for c in &found {
                if let Change::StepMoved { step, from, to } = c {
                    prop_assert_eq!(v1.steps[*from].id, step.id);
                    prop_assert_eq!(&v2.steps[*to], step);
                }
            }
        }

        #[test]
        fn applying_the_diff_of_two_versions_to_the_first_gives_the_second(v1 in any_routine(), v2 in any_routine()) {
            let change = diff(&v1, &v2);
            prop_assert_eq!(apply(&v1, &change), v2.clone());
            prop_assert_eq!(change.is_empty(), v1 == v2);
        }
    }
}
