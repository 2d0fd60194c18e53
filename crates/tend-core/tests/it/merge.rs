//! The merge rules behind writes partners make at the same moment (docs/RELIABILITY.md):
//! the store keeps each member's answer and each sharing choice as a fact of its own, so the order in which facts of different members (or sections) land must not matter.
//! Each property applies the same set of actions in two orders and compares the results.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use tend_core::circle::{CircleSharing, Section};
use tend_core::reveal::Share;
use tend_core::routine::{
    Proposal, ProposalAnswer, ReviewAnswer, Routine, Step, StepId, StepVerdict, StepWhat,
    proposal_state, review_outcome,
};

type Member = u8;

/// A permutation of `0..len`, from proptest's shuffle.
fn orders(len: usize) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    let indices: Vec<usize> = (0..len).collect();
    (
        Just(indices.clone()).prop_shuffle(),
        Just(indices).prop_shuffle(),
    )
}

fn answer() -> impl Strategy<Value = ProposalAnswer> {
    prop_oneof![
        Just(ProposalAnswer::Yes),
        "[a-z ]{0,8}".prop_map(ProposalAnswer::No),
    ]
}

/// One answer each from some of eight members.
fn answers() -> impl Strategy<Value = Vec<(Member, ProposalAnswer)>> {
    proptest::collection::btree_map(0u8..8, answer(), 0..=8)
        .prop_map(|answers| answers.into_iter().collect())
}

fn routine(steps: u32) -> Routine<Member> {
    Routine {
        steps: (1..=steps)
            .map(|id| Step {
                id: StepId(id),
                what: StepWhat::Text(format!("step {id}")),
                minutes: None,
                for_members: BTreeSet::new(),
                from_members: BTreeSet::new(),
            })
            .collect(),
        settings: Default::default(),
    }
}

fn proposal() -> Proposal<Member> {
    Proposal {
        author: 0,
        base_version: 1,
        routine: routine(2),
        accepted_by: [0].into(),
        declined: Vec::new(),
    }
}

proptest! {
    #[test]
    fn proposal_answers_of_different_members_make_the_same_proposal_in_any_order(
        (actions, (first, second)) in answers()
            .prop_flat_map(|a| { let n = a.len(); (Just(a), orders(n)) })
    ) {
        let apply = |order: &[usize]| {
            let mut proposal = proposal();
            for i in order {
                let (member, answer) = actions[*i].clone();
                proposal.answer(member, answer);
            }
            proposal
        };
        let (one, other) = (apply(&first), apply(&second));
        prop_assert_eq!(&one.accepted_by, &other.accepted_by);
        let declined = |p: &Proposal<Member>| p.declined.iter().cloned().collect::<BTreeSet<_>>();
        prop_assert_eq!(declined(&one), declined(&other));
        let members: BTreeSet<Member> = (0..8).collect();
        let current = routine(1);
        prop_assert_eq!(
            proposal_state(&one, 1, &current, &members),
            proposal_state(&other, 1, &current, &members)
        );
    }

    #[test]
    fn a_members_later_answer_replaces_their_earlier_one(
        member in 0u8..8, earlier in answer(), later in answer()
    ) {
        let mut twice = proposal();
        twice.answer(member, earlier);
        twice.answer(member, later.clone());
        let mut once = proposal();
        once.answer(member, later);
        prop_assert_eq!(twice.accepted_by, once.accepted_by);
        prop_assert_eq!(twice.declined, once.declined);
    }

    #[test]
    fn sharing_choices_of_different_sections_make_the_same_sharing_in_any_order(
        (choices, (first, second)) in proptest::collection::btree_map(
            0usize..15,
            prop_oneof![Just(Share::Nothing), Just(Share::Matches), Just(Share::Everything)],
            0..=15,
        )
        .prop_flat_map(|c| {
            let c: Vec<(usize, Share)> = c.into_iter().collect();
            let n = c.len();
            (Just(c), orders(n))
        })
    ) {
        let sections: Vec<Section> = Section::all().collect();
        let apply = |order: &[usize]| {
            let mut sharing = CircleSharing::default();
            for i in order {
                let (section, share) = choices[*i];
                sharing.set(sections[section], share);
            }
            sharing
        };
        prop_assert_eq!(apply(&first), apply(&second));
    }

    #[test]
    fn review_answers_of_different_members_give_the_same_outcome_in_any_order(
        (answers, (first, second)) in proptest::collection::btree_map(
            0u8..8,
            (
                proptest::collection::btree_map(
                    1u32..=3,
                    prop_oneof![
                        Just(StepVerdict::Keep),
                        Just(StepVerdict::Change),
                        Just(StepVerdict::Drop),
                    ],
                    0..=3,
                ),
                any::<bool>(),
            ),
            0..=8,
        )
        .prop_flat_map(|a| {
            let a: Vec<_> = a.into_iter().collect();
            let n = a.len();
            (Just(a), orders(n))
        })
    ) {
        let routine = routine(3);
        let apply = |order: &[usize]| {
            let mut kept = BTreeMap::new();
            for i in order {
                let (member, (verdicts, named)) = &answers[*i];
                let answer = ReviewAnswer {
                    verdicts: verdicts.iter().map(|(s, v)| (StepId(*s), *v)).collect(),
                    suggestions: Vec::new(),
                    named: *named,
                };
                kept.insert(*member, answer);
            }
            review_outcome(&routine, &kept)
        };
        prop_assert_eq!(apply(&first), apply(&second));
    }

}
