//! DESIGN.md §4, tested two ways:
//!
//! 1. an oracle written deliberately simply, fact by fact, from the text of §4, must give
//!    every viewer exactly the view `common_ground` gives;
//! 2. information-flow properties that do not look at how the view is built: changing what
//!    the rules hide from a viewer must not change that viewer's view at all.

use std::collections::BTreeSet;

use proptest::prelude::*;
use tend_core::catalog::{Catalog, ItemKind};
use tend_core::profile::{Answer, Answers, GiveRating, Note, Rating};
use tend_core::reveal::{
    CommonGround, Fact, OwnItem, Participant, Share, Sharing, Tension, common_ground,
};

type Member = u8;

fn catalog() -> &'static Catalog {
    Catalog::builtin().unwrap()
}

/// The items the generated answers use: both kinds, and every item of every tension.
const ITEMS: &[&str] = &[
    "cuddling",
    "hugging",
    "massage",
    "affirmations",
    "water-or-a-drink",
    "kissing",
    "holding-hands",
    "our-songs",
    "talking-about-what-we-enjoyed",
    "quiet-without-talking",
    "no-touch-for-a-bit",
    "shower-or-bath-together",
    "shower-or-bath-alone",
    "time-alone",
    "sleep",
];

// ---------------------------------------------------------------------------------------
// The oracle: each rule of §4 as its own small loop.
// ---------------------------------------------------------------------------------------

fn is_love_or_like(rating: Option<Rating>) -> bool {
    rating == Some(Rating::Love) || rating == Some(Rating::Like)
}

fn is_offer(rating: Option<GiveRating>) -> bool {
    rating == Some(GiveRating::Glad) || rating == Some(GiveRating::IfYouLike)
}

/// "One side is maybe and neither side is not for me" (both sides answered).
fn maybe_pair(one: Option<&'static str>, other: Option<&'static str>) -> bool {
    let (Some(one), Some(other)) = (one, other) else {
        return false;
    };
    (one == "maybe" || other == "maybe") && one != "no" && other != "no"
}

fn oracle(circle: &[Participant<Member>], viewer: Member) -> CommonGround<Member> {
    let catalog = catalog();
    let v = circle.iter().find(|p| p.member == viewer).unwrap();
    let mut facts = BTreeSet::new();
    // "V always sees all of V's own answers."
    for (item, answer) in &v.answers {
        facts.insert(Fact::Own {
            item: item.clone(),
            answer: answer.clone(),
        });
    }
    // "Nothing of anyone's is shown until every member of the circle has locked."
    let waiting = circle.iter().filter(|p| !p.locked).count();
    if waiting > 0 {
        return CommonGround {
            revealed: false,
            waiting_for: waiting,
            facts,
        };
    }
    let answer_of =
        |p: &Participant<Member>, item: &str| p.answers.get(item).cloned().unwrap_or_default();
    for p in circle.iter().filter(|p| p.member != viewer) {
        // "Answers changed after a reveal are marked."
        if p.changed_since_reveal {
            facts.insert(Fact::Changed { partner: p.member });
        }
        // "Sharing everything for a section lifts these rules for that section."
        if p.sharing.answers == Share::Everything {
            for (item, answer) in &p.answers {
                if !item.starts_with("custom:") {
                    facts.insert(Fact::Answer {
                        partner: p.member,
                        item: item.clone(),
                        answer: answer.clone(),
                    });
                }
            }
        }
        // "Notes and custom items are shown to partners only when their owner shares that
        // section with the circle as everything."
        if p.sharing.custom_items == Share::Everything {
            for own in &p.custom_items {
                facts.insert(Fact::CustomItem {
                    partner: p.member,
                    item: own.clone(),
                    answer: p.answers.get(&own.key).cloned(),
                });
            }
        }
        // Matching needs both to take part: someone who releases nothing learns nothing.
        let both_match = v.sharing.answers != Share::Nothing && p.sharing.answers != Share::Nothing;
        if !both_match {
            continue;
        }
        // "For V's need i V sees which partners offer i."
        for item in catalog.items() {
            if item.kind == ItemKind::Given
                && is_love_or_like(answer_of(v, &item.id).receive)
                && is_offer(answer_of(p, &item.id).give)
            {
                facts.insert(Fact::Offers {
                    partner: p.member,
                    item: item.id.clone(),
                });
            }
        }
        // "Partner P sees V's need i only if P offers i" — here with roles swapped.
        for item in catalog.items() {
            let need = answer_of(p, &item.id).receive;
            if item.kind == ItemKind::Given
                && is_love_or_like(need)
                && is_offer(answer_of(v, &item.id).give)
            {
                facts.insert(Fact::Needs {
                    partner: p.member,
                    item: item.id.clone(),
                    rating: need.unwrap(),
                });
            }
        }
        // "A pair where one side is maybe and neither side is not for me is shown to both."
        for item in catalog.items() {
            let (a, b) = (answer_of(v, &item.id), answer_of(p, &item.id));
            let talk = match item.kind {
                ItemKind::Given => {
                    maybe_pair(a.receive.map(|r| r.as_str()), b.give.map(|g| g.as_str()))
                        || maybe_pair(b.receive.map(|r| r.as_str()), a.give.map(|g| g.as_str()))
                }
                ItemKind::Shared => {
                    maybe_pair(a.shared.map(|r| r.as_str()), b.shared.map(|r| r.as_str()))
                }
            };
            if talk {
                facts.insert(Fact::TalkAbout {
                    partner: p.member,
                    item: item.id.clone(),
                });
            }
        }
        // "Each member sees each partner's yes-rate."
        let given: Vec<&str> = catalog
            .items()
            .iter()
            .filter(|i| i.kind == ItemKind::Given)
            .map(|i| i.id.as_str())
            .collect();
        let answered = given
            .iter()
            .filter(|i| answer_of(p, i).give.is_some())
            .count() as u32;
        let glad = given
            .iter()
            .filter(|i| is_offer(answer_of(p, i).give))
            .count() as u32;
        if answered > 0 {
            let percent = ((f64::from(glad) * 100.0 / f64::from(answered)) + 0.5).floor() as u32;
            facts.insert(Fact::YesRate {
                partner: p.member,
                percent,
            });
        }
        // "Differences are shown only where both sides released that section as everything."
        if v.sharing.answers == Share::Everything && p.sharing.answers == Share::Everything {
            for tension in Tension::ALL {
                let (left, right) = tension.sides();
                let wants = |who: &Participant<Member>, side: &[&str]| {
                    side.iter().any(|i| {
                        let a = answer_of(who, i);
                        is_love_or_like(a.receive) || is_love_or_like(a.shared)
                    })
                };
                if (wants(v, left) && wants(p, right)) || (wants(v, right) && wants(p, left)) {
                    facts.insert(Fact::Difference {
                        partner: p.member,
                        tension,
                    });
                }
            }
        }
    }
    // "Shared item i is shown to exactly the members who rated it love/like, and only when at
    // least two did."
    if v.sharing.answers != Share::Nothing {
        for item in catalog
            .items()
            .iter()
            .filter(|i| i.kind == ItemKind::Shared)
        {
            if !is_love_or_like(answer_of(v, &item.id).shared) {
                continue;
            }
            let with: BTreeSet<Member> = circle
                .iter()
                .filter(|p| p.member != viewer && p.sharing.answers != Share::Nothing)
                .filter(|p| is_love_or_like(answer_of(p, &item.id).shared))
                .map(|p| p.member)
                .collect();
            if !with.is_empty() {
                facts.insert(Fact::Favourite {
                    item: item.id.clone(),
                    with,
                });
            }
        }
    }
    CommonGround {
        revealed: true,
        waiting_for: 0,
        facts,
    }
}

// ---------------------------------------------------------------------------------------
// Random circles.
// ---------------------------------------------------------------------------------------

fn rating() -> impl Strategy<Value = Option<Rating>> {
    prop::option::of(prop::sample::select(Rating::ALL.to_vec()))
}

fn give_rating() -> impl Strategy<Value = Option<GiveRating>> {
    prop::option::of(prop::sample::select(GiveRating::ALL.to_vec()))
}

fn note() -> impl Strategy<Value = Option<Note>> {
    prop::option::of("[a-z]{1,8}").prop_map(|text| text.and_then(|t| Note::parse(&t).unwrap()))
}

fn answer_for(kind: ItemKind) -> BoxedStrategy<Answer> {
    match kind {
        ItemKind::Given => (rating(), give_rating(), note())
            .prop_map(|(receive, give, note)| Answer {
                receive,
                give,
                shared: None,
                note,
            })
            .boxed(),
        ItemKind::Shared => (rating(), note())
            .prop_map(|(shared, note)| Answer {
                receive: None,
                give: None,
                shared,
                note,
            })
            .boxed(),
    }
}

fn answers() -> impl Strategy<Value = Answers> {
    let per_item: Vec<BoxedStrategy<Option<(String, Answer)>>> = ITEMS
        .iter()
        .map(|id| {
            let kind = catalog().item(id).unwrap().kind;
            let id = (*id).to_owned();
            prop::option::of(answer_for(kind).prop_map(move |a| (id.clone(), a))).boxed()
        })
        .collect();
    per_item.prop_map(|items| {
        items
            .into_iter()
            .flatten()
            .filter(|(_, a)| !a.is_empty())
            .collect()
    })
}

fn share() -> impl Strategy<Value = Share> {
    prop::sample::select(Share::ALL.to_vec())
}

fn participant(member: Member) -> impl Strategy<Value = Participant<Member>> {
    let own_items = prop::collection::vec(
        (any::<bool>(), answer_for(ItemKind::Shared), any::<bool>()),
        0..3,
    );
    (
        answers(),
        own_items,
        share(),
        share(),
        prop::bool::weighted(0.9),
        any::<bool>(),
    )
        .prop_map(
            move |(mut answers, own_items, answers_share, custom_share, locked, changed)| {
                let custom_items = own_items
                    .iter()
                    .enumerate()
                    .map(|(i, (_, _, shared))| OwnItem {
                        key: format!("custom:{member}-{i}"),
                        label: format!("own {member}-{i}"),
                        kind: if *shared {
                            ItemKind::Shared
                        } else {
                            ItemKind::Given
                        },
                    })
                    .collect::<Vec<_>>();
                for (own, (rated, answer, _)) in custom_items.iter().zip(&own_items) {
                    if *rated && own.kind == ItemKind::Shared && !answer.is_empty() {
                        answers.insert(own.key.clone(), answer.clone());
                    }
                }
                Participant {
                    member,
                    answers,
                    custom_items,
                    sharing: Sharing {
                        answers: answers_share,
                        custom_items: custom_share,
                    },
                    locked,
                    changed_since_reveal: changed,
                }
            },
        )
}

fn circle() -> impl Strategy<Value = Vec<Participant<Member>>> {
    (2u8..=8).prop_flat_map(|size| (0..size).map(participant).collect::<Vec<_>>())
}

/// Facts of a view that name `partner` alone (not favourites, which list several).
fn about(view: &CommonGround<Member>, partner: Member) -> BTreeSet<String> {
    view.facts
        .iter()
        .filter(|fact| match fact {
            Fact::Offers { partner: p, .. }
            | Fact::Needs { partner: p, .. }
            | Fact::TalkAbout { partner: p, .. }
            | Fact::Difference { partner: p, .. }
            | Fact::YesRate { partner: p, .. }
            | Fact::Changed { partner: p }
            | Fact::Answer { partner: p, .. }
            | Fact::CustomItem { partner: p, .. } => *p == partner,
            Fact::Own { .. } | Fact::Favourite { .. } => false,
        })
        .map(|fact| format!("{fact:?}"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_viewer_sees_exactly_what_the_oracle_allows(circle in circle()) {
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            prop_assert_eq!(view, oracle(&circle, viewer), "viewer {}", viewer);
        }
    }

    /// Before everyone has locked, a viewer's view does not depend on anybody else at all.
    #[test]
    fn before_everyone_locks_nothing_of_anyone_else_shows(circle in circle(), other in answers()) {
        prop_assume!(circle.iter().any(|p| !p.locked));
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            prop_assert!(!view.revealed);
            let only_own = view.facts.iter().all(|f| matches!(f, Fact::Own { .. }));
            prop_assert!(only_own, "a partner's answer showed before everyone locked");
            let mut changed = circle.clone();
            for p in changed.iter_mut().filter(|p| p.member != viewer) {
                p.answers = other.clone();
            }
            prop_assert_eq!(common_ground(catalog(), &changed, &viewer), view);
        }
    }

    /// A partner's notes, and their answers as a whole when they share nothing, never reach a
    /// viewer unless that partner shares everything.
    #[test]
    fn what_a_partner_does_not_release_cannot_change_a_view(circle in circle(), replacement in answers()) {
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                if partner.sharing.answers != Share::Everything && partner.sharing.custom_items != Share::Everything {
                    let mut renoted = circle.clone();
                    for answer in renoted[at].answers.values_mut() {
                        answer.note = Note::parse("a different note").unwrap();
                    }
                    prop_assert_eq!(&common_ground(catalog(), &renoted, &viewer), &view, "notes leaked");
                }
                if partner.sharing.answers == Share::Nothing && partner.sharing.custom_items != Share::Everything {
                    let mut replaced = circle.clone();
                    replaced[at].answers = replacement.clone();
                    prop_assert_eq!(&common_ground(catalog(), &replaced, &viewer), &view, "answers of a partner sharing nothing leaked");
                }
            }
        }
    }

    /// A viewer who releases nothing learns nothing from matching: only what partners share
    /// as "everything" can reach them.
    #[test]
    fn a_viewer_who_shares_nothing_learns_nothing_from_matching(circle in circle(), replacement in answers()) {
        for viewer in circle.iter().filter(|p| p.sharing.answers == Share::Nothing).map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                if partner.sharing.answers == Share::Everything || partner.sharing.custom_items == Share::Everything {
                    continue;
                }
                let mut changed = circle.clone();
                changed[at].answers = replacement.clone();
                prop_assert_eq!(&common_ground(catalog(), &changed, &viewer), &view);
            }
        }
    }

    /// A partner's need for an item the viewer does not offer (and has not answered for
    /// giving) never reaches the viewer, unless the partner shares everything.
    #[test]
    fn a_need_reaches_only_partners_who_offer_it(circle in circle(), rating in rating()) {
        for viewer in circle.iter().map(|p| p.member) {
            let me = circle.iter().find(|p| p.member == viewer).unwrap();
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                if partner.sharing.answers == Share::Everything {
                    continue;
                }
                for item in ITEMS.iter().filter(|i| catalog().item(i).unwrap().kind == ItemKind::Given) {
                    if me.answers.get(*item).is_some_and(|a| a.give.is_some()) {
                        continue;
                    }
                    let mut changed = circle.clone();
                    changed[at].answers.entry((*item).to_owned()).or_default().receive = rating;
                    prop_assert_eq!(&common_ground(catalog(), &changed, &viewer), &view, "need for {} leaked", item);
                }
            }
        }
    }

    /// In a circle of three or more, what passes between two members is theirs: a viewer's
    /// facts about one partner do not depend on a third member's answers.
    #[test]
    fn matches_between_two_are_not_seen_by_a_third(circle in circle(), replacement in answers()) {
        prop_assume!(circle.len() >= 3);
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, third) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                let mut changed = circle.clone();
                changed[at].answers = replacement.clone();
                let after = common_ground(catalog(), &changed, &viewer);
                for partner in circle.iter().map(|p| p.member).filter(|m| *m != viewer && *m != third.member) {
                    prop_assert_eq!(about(&after, partner), about(&view, partner));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The known attack, spelled out.
// ---------------------------------------------------------------------------------------

fn given(receive: Option<Rating>, give: Option<GiveRating>) -> Answer {
    Answer {
        receive,
        give,
        ..Answer::default()
    }
}

#[test]
fn yes_to_everything_learns_the_needs_and_is_seen_at_100_percent() {
    let catalog = catalog();
    let prober: Answers = catalog
        .items()
        .iter()
        .filter(|i| i.kind == ItemKind::Given)
        .map(|i| (i.id.clone(), given(None, Some(GiveRating::Glad))))
        .collect();
    let mut honest = Answers::new();
    honest.insert(
        "cuddling".into(),
        given(Some(Rating::Love), Some(GiveRating::Maybe)),
    );
    honest.insert("massage".into(), given(Some(Rating::No), None));
    honest.insert(
        "affirmations".into(),
        given(Some(Rating::Like), Some(GiveRating::Glad)),
    );
    let member = |member, answers| Participant {
        member,
        answers,
        custom_items: Vec::new(),
        sharing: Sharing::default(),
        locked: true,
        changed_since_reveal: false,
    };
    let circle = vec![member(1u8, prober), member(2u8, honest)];

    let prober_view = common_ground(catalog, &circle, &1);
    let needs: Vec<&str> = prober_view
        .facts
        .iter()
        .filter_map(|f| match f {
            Fact::Needs { item, .. } => Some(item.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        needs,
        ["affirmations", "cuddling"],
        "exactly the loved and liked needs"
    );

    let honest_view = common_ground(catalog, &circle, &2);
    assert!(honest_view.facts.contains(&Fact::YesRate {
        partner: 1,
        percent: 100
    }));
    assert!(prober_view.facts.contains(&Fact::YesRate {
        partner: 2,
        percent: 50
    }));
    assert!(
        !prober_view
            .facts
            .iter()
            .any(|f| matches!(f, Fact::Answer { .. }))
    );
}

#[test]
fn a_maybe_is_worth_talking_about_and_never_a_match() {
    let mut a = Answers::new();
    a.insert("cuddling".into(), given(Some(Rating::Maybe), None));
    a.insert(
        "kissing".into(),
        Answer {
            shared: Some(Rating::Love),
            ..Answer::default()
        },
    );
    let mut b = Answers::new();
    b.insert("cuddling".into(), given(None, Some(GiveRating::Glad)));
    b.insert(
        "kissing".into(),
        Answer {
            shared: Some(Rating::Maybe),
            ..Answer::default()
        },
    );
    let member = |member, answers| Participant {
        member,
        answers,
        custom_items: Vec::new(),
        sharing: Sharing::default(),
        locked: true,
        changed_since_reveal: false,
    };
    let circle = vec![member(1u8, a), member(2u8, b)];
    for viewer in [1, 2] {
        let view = common_ground(catalog(), &circle, &viewer);
        let other = 3 - viewer;
        assert!(view.facts.contains(&Fact::TalkAbout {
            partner: other,
            item: "cuddling".into()
        }));
        assert!(view.facts.contains(&Fact::TalkAbout {
            partner: other,
            item: "kissing".into()
        }));
        assert!(!view.facts.iter().any(|f| matches!(
            f,
            Fact::Offers { .. } | Fact::Needs { .. } | Fact::Favourite { .. }
        )));
    }
}
