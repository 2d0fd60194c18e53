//! DESIGN.md §4, tested two ways:
//!
//! 1. an oracle written deliberately simply, fact by fact, from the text of §4, must give
//!    every viewer exactly the view `common_ground` gives;
//! 2. information-flow properties that do not look at how the view is built: changing what
//!    the rules hide from a viewer must not change that viewer's view at all.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use tend_core::boundaries::{Boundary, BoundaryKind};
use tend_core::catalog::{Catalog, ItemKind};
use tend_core::profile::{Answer, Answers, GiveRating, Note, Rating};
use tend_core::reveal::{
    Blanket, BoundaryEntry, Changed, CommonGround, Fact, OwnItem, Participant, Share, Sharing,
    Side, Tension, common_ground,
};
use tend_core::time::Timestamp;

type Member = u8;

fn catalog() -> &'static Catalog {
    Catalog::builtin().unwrap()
}

/// Every catalog item: both kinds, every category (the follow-up one too), every tension.
fn items() -> Vec<&'static str> {
    catalog().items().iter().map(|i| i.id.as_str()).collect()
}

// ---------------------------------------------------------------------------------------
// The oracle: each rule of §4 as its own small loop.
// ---------------------------------------------------------------------------------------

fn is_love_or_like(rating: Option<Rating>) -> bool {
    rating == Some(Rating::Love) || rating == Some(Rating::Like)
}

fn is_offer(rating: Option<GiveRating>) -> bool {
    rating == Some(GiveRating::Glad) || rating == Some(GiveRating::IfYouLike)
}

/// An answer on either scale, as the words of §4 use it: yes-ish, maybe or "not for me".
#[derive(PartialEq, Eq, Clone, Copy)]
enum Said {
    Yes,
    Maybe,
    NotForMe,
}

fn said_receive(rating: Option<Rating>) -> Option<Said> {
    rating.map(|r| match r {
        Rating::Love | Rating::Like => Said::Yes,
        Rating::Maybe => Said::Maybe,
        Rating::No => Said::NotForMe,
    })
}

fn said_give(rating: Option<GiveRating>) -> Option<Said> {
    rating.map(|r| match r {
        GiveRating::Glad | GiveRating::IfYouLike => Said::Yes,
        GiveRating::Maybe => Said::Maybe,
        GiveRating::No => Said::NotForMe,
    })
}

/// "One side is maybe and neither side is not for me" (both sides answered).
fn maybe_pair(one: Option<Said>, other: Option<Said>) -> bool {
    let (Some(one), Some(other)) = (one, other) else {
        return false;
    };
    (one == Said::Maybe || other == Said::Maybe) && one != Said::NotForMe && other != Said::NotForMe
}

/// "Nearly all the same" on one side: at least 5 rated, and 80 % or more one of the named
/// answers. Counted here item by item, apart from the rules' own code.
fn oracle_blankets(p: &Participant<Member>) -> Vec<(Side, Blanket)> {
    let catalog = catalog();
    let mut found = Vec::new();
    let gives: Vec<GiveRating> = catalog
        .items()
        .iter()
        .filter_map(|i| p.answers.get(&i.id).and_then(|a| a.give))
        .collect();
    if gives.len() >= 5 {
        for (rating, name) in [
            (GiveRating::Glad, Blanket::GladTo),
            (GiveRating::Maybe, Blanket::Maybe),
        ] {
            let same = gives.iter().filter(|g| **g == rating).count();
            if same * 5 >= gives.len() * 4 {
                found.push((Side::Give, name));
            }
        }
    }
    let receives: Vec<Rating> = catalog
        .items()
        .iter()
        .filter_map(|i| p.answers.get(&i.id).and_then(|a| a.receive.or(a.shared)))
        .collect();
    if receives.len() >= 5 {
        for (rating, name) in [
            (Rating::Love, Blanket::Love),
            (Rating::Maybe, Blanket::Maybe),
        ] {
            let same = receives.iter().filter(|r| **r == rating).count();
            if same * 5 >= receives.len() * 4 {
                found.push((Side::Receive, name));
            }
        }
    }
    found
}

/// DESIGN.md §4's pairs of wishes that pull apart, written out here apart from the rules.
fn oracle_sides(tension: Tension) -> (&'static [&'static str], &'static [&'static str]) {
    match tension {
        Tension::TalkQuiet => (
            &[
                "talking-about-what-we-enjoyed",
                "talking-about-what-felt-hard",
            ],
            &["quiet-without-talking", "not-talking-about-it-yet"],
        ),
        Tension::ClosenessSpace => (
            &[
                "cuddling",
                "skin-to-skin",
                "lying-together-quietly",
                "resting-hand",
            ],
            &["no-touch-for-a-bit", "nearby-not-hovering"],
        ),
        Tension::TogetherAlone => (
            &["shower-or-bath-together", "napping-together", "sleep"],
            &["shower-or-bath-alone", "time-alone", "own-bed"],
        ),
    }
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
    // "Nothing of anyone's is shown until every member of the circle has locked", and "when
    // someone joins, nothing shared before is revealed to the newcomer until every existing
    // member has confirmed their sharing for the new membership".
    let waiting = circle.iter().filter(|p| !p.locked).count();
    // Counted among those who have locked: a lock confirms, so one who has not locked is
    // waited for as that.
    let unconfirmed = circle.iter().filter(|p| p.locked && !p.confirmed).count();
    if waiting > 0 || unconfirmed > 0 {
        return CommonGround {
            revealed: false,
            waiting_for: waiting,
            unconfirmed,
            facts,
        };
    }
    let answer_of =
        |p: &Participant<Member>, item: &str| p.answers.get(item).cloned().unwrap_or_default();
    for p in circle.iter().filter(|p| p.member != viewer) {
        // "Boundaries are shared entry by entry."
        for entry in &p.boundaries {
            if entry.shared {
                facts.insert(Fact::Boundary {
                    partner: p.member,
                    entry: entry.clone(),
                });
            }
        }
        // "Answers changed after a reveal are marked (only where the partner can see that
        // section)." The viewer sees a partner's answers when the partner shares everything,
        // or when both take part in matching; their own items only when shared as everything.
        let sees_answers = p.sharing.answers == Share::Everything
            || (v.sharing.answers != Share::Nothing && p.sharing.answers != Share::Nothing);
        let sees_custom = p.sharing.custom_items == Share::Everything;
        if (p.changed.answers && sees_answers) || (p.changed.custom_items && sees_custom) {
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
                    maybe_pair(said_receive(a.receive), said_give(b.give))
                        || maybe_pair(said_receive(b.receive), said_give(a.give))
                }
                ItemKind::Shared => maybe_pair(said_receive(a.shared), said_receive(b.shared)),
            };
            if talk {
                facts.insert(Fact::TalkAbout {
                    partner: p.member,
                    item: item.id.clone(),
                });
            }
        }
        // "Blanket answers on either side are named to partners in plain words."
        for (side, answer) in oracle_blankets(p) {
            facts.insert(Fact::Blanket {
                partner: p.member,
                side,
                answer,
            });
        }
        // "Differences are shown only where both sides released that section as everything."
        if v.sharing.answers == Share::Everything && p.sharing.answers == Share::Everything {
            for tension in Tension::ALL {
                let (left, right) = oracle_sides(tension);
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
        unconfirmed: 0,
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

/// A member's answers. A third of members lean: most of their ratings (each 9 times in 10)
/// are one answer, so nearly-all-the-same answers on either side come up often, on both
/// sides of the 80 % line.
fn answers() -> impl Strategy<Value = Answers> {
    /// An item's answer, if any, and a die of ten for whether a lean overrides it.
    type Rolled = (Option<(String, Answer)>, u8);
    let per_item: Vec<BoxedStrategy<Rolled>> = items()
        .into_iter()
        .map(|id| {
            let kind = catalog().item(id).unwrap().kind;
            let id = id.to_owned();
            (
                prop::option::of(answer_for(kind).prop_map(move |a| (id.clone(), a))),
                0u8..10,
            )
                .boxed()
        })
        .collect();
    let lean = prop::option::weighted(
        0.33,
        (
            prop::sample::select(Rating::ALL.to_vec()),
            prop::sample::select(GiveRating::ALL.to_vec()),
        ),
    );
    (per_item, lean).prop_map(|(items, lean)| {
        items
            .into_iter()
            .filter_map(|(item, dice)| {
                let (id, mut answer) = item?;
                if let Some((rating, give)) = lean.filter(|_| dice < 9) {
                    answer.receive = answer.receive.map(|_| rating);
                    answer.shared = answer.shared.map(|_| rating);
                    answer.give = answer.give.map(|_| give);
                }
                Some((id, answer))
            })
            .filter(|(_, a)| !a.is_empty())
            .collect()
    })
}

fn share() -> impl Strategy<Value = Share> {
    prop::sample::select(Share::ALL.to_vec())
}

/// One of a member's own items: answered or not, of either kind.
fn own_item() -> impl Strategy<Value = (bool, ItemKind, Answer)> {
    prop_oneof![Just(ItemKind::Given), Just(ItemKind::Shared)]
        .prop_flat_map(|kind| (any::<bool>(), Just(kind), answer_for(kind)))
}

fn boundary_entry(member: Member, i: usize) -> impl Strategy<Value = BoundaryEntry> {
    (
        prop::sample::select(vec![
            BoundaryKind::HardLimit,
            BoundaryKind::Trigger,
            BoundaryKind::HealthNote,
            BoundaryKind::DropHelp,
        ]),
        "[a-z]{1,8}",
        any::<bool>(),
    )
        .prop_map(move |(kind, text, shared)| BoundaryEntry {
            id: format!("boundary-{member}-{i}"),
            boundary: Boundary::parse(kind, &text, "").unwrap(),
            updated_at: Timestamp::from_unix_seconds(i64::from(member) * 10 + i as i64),
            shared,
        })
}

fn participant(member: Member) -> impl Strategy<Value = Participant<Member>> {
    let own_items = prop::collection::vec(own_item(), 0..3);
    let boundaries = (0usize..3).prop_flat_map(move |n| {
        (0..n)
            .map(|i| boundary_entry(member, i))
            .collect::<Vec<_>>()
    });
    (
        answers(),
        own_items,
        (share(), share()),
        (prop::bool::weighted(0.9), prop::bool::weighted(0.9)),
        (any::<bool>(), any::<bool>()),
        boundaries,
    )
        .prop_map(
            move |(
                mut answers,
                own_items,
                (answers_share, custom_share),
                (locked, confirmed),
                (changed_answers, changed_custom),
                boundaries,
            )| {
                let custom_items = own_items
                    .iter()
                    .enumerate()
                    .map(|(i, (_, kind, _))| OwnItem {
                        key: format!("custom:{member}-{i}"),
                        label: format!("own {member}-{i}"),
                        kind: *kind,
                    })
                    .collect::<Vec<_>>();
                for (own, (rated, _, answer)) in custom_items.iter().zip(&own_items) {
                    if *rated && !answer.is_empty() {
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
                    confirmed,
                    changed: Changed {
                        answers: changed_answers,
                        custom_items: changed_custom,
                    },
                    boundaries,
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
            | Fact::Blanket { partner: p, .. }
            | Fact::Changed { partner: p }
            | Fact::Answer { partner: p, .. }
            | Fact::CustomItem { partner: p, .. }
            | Fact::Boundary { partner: p, .. } => *p == partner,
            Fact::Own { .. } | Fact::Favourite { .. } => false,
        })
        .map(|fact| format!("{fact:?}"))
        .collect()
}

/// A view without its blanket notices.
fn without_blankets(view: &CommonGround<Member>) -> BTreeSet<Fact<Member>> {
    view.facts
        .iter()
        .filter(|f| !matches!(f, Fact::Blanket { .. }))
        .cloned()
        .collect()
}

/// Cases per property: 300, or `PROPTEST_CASES` (mutation testing runs fewer, many times).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn every_viewer_sees_exactly_what_the_oracle_allows(circle in circle()) {
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            prop_assert_eq!(view, oracle(&circle, viewer), "viewer {}", viewer);
        }
    }

    /// Before everyone has locked and confirmed for the current members, a viewer's view does
    /// not depend on anybody else at all: not their answers, not their boundaries.
    #[test]
    fn before_everyone_locks_and_confirms_nothing_of_anyone_else_shows(circle in circle(), other in answers()) {
        prop_assume!(circle.iter().any(|p| !p.locked || !p.confirmed));
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            prop_assert!(!view.revealed);
            let only_own = view.facts.iter().all(|f| matches!(f, Fact::Own { .. }));
            prop_assert!(only_own, "a partner's answer showed before everyone locked");
            let mut changed = circle.clone();
            for p in changed.iter_mut().filter(|p| p.member != viewer) {
                p.answers = other.clone();
                for entry in &mut p.boundaries {
                    entry.shared = !entry.shared;
                }
                p.changed.answers = !p.changed.answers;
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
    /// giving) never reaches the viewer, unless the partner shares everything. (Only how
    /// their answers lean overall may: the blanket notice, by design, names a partner who
    /// loves almost everything.)
    #[test]
    fn a_need_reaches_only_partners_who_offer_it(circle in circle(), rating in rating()) {
        for viewer in circle.iter().map(|p| p.member) {
            let me = circle.iter().find(|p| p.member == viewer).unwrap();
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                if partner.sharing.answers == Share::Everything {
                    continue;
                }
                for item in items().into_iter().filter(|i| catalog().item(i).unwrap().kind == ItemKind::Given) {
                    if me.answers.get(item).is_some_and(|a| a.give.is_some()) {
                        continue;
                    }
                    let mut changed = circle.clone();
                    changed[at].answers.entry(item.to_owned()).or_default().receive = rating;
                    let after = common_ground(catalog(), &changed, &viewer);
                    prop_assert_eq!(without_blankets(&after), without_blankets(&view), "need for {} leaked", item);
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

    /// A boundary entry its owner has not shared with the circle never reaches a partner:
    /// rewriting it changes no view, byte for byte.
    #[test]
    fn an_unshared_boundary_entry_cannot_change_a_view(circle in circle(), text in "[a-z]{1,8}") {
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                for (i, entry) in partner.boundaries.iter().enumerate().filter(|(_, e)| !e.shared) {
                    let mut changed = circle.clone();
                    changed[at].boundaries[i].boundary =
                        Boundary::parse(entry.boundary.kind, &text, "").unwrap();
                    prop_assert_eq!(&common_ground(catalog(), &changed, &viewer), &view);
                }
            }
        }
    }

    /// A change in a section the viewer cannot see is not marked: flipping it changes no
    /// view.
    #[test]
    fn a_change_the_viewer_cannot_see_is_not_marked(circle in circle()) {
        for viewer in circle.iter().map(|p| p.member) {
            let me = circle.iter().find(|p| p.member == viewer).unwrap();
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                let sees_answers = partner.sharing.answers == Share::Everything
                    || (me.sharing.answers != Share::Nothing && partner.sharing.answers != Share::Nothing);
                if !sees_answers {
                    let mut changed = circle.clone();
                    changed[at].changed.answers = !partner.changed.answers;
                    prop_assert_eq!(&common_ground(catalog(), &changed, &viewer), &view);
                }
                if partner.sharing.custom_items != Share::Everything {
                    let mut changed = circle.clone();
                    changed[at].changed.custom_items = !partner.changed.custom_items;
                    prop_assert_eq!(&common_ground(catalog(), &changed, &viewer), &view);
                }
            }
        }
    }

    /// A partner's "like" or "not for me" for something to do together, which the viewer
    /// does not love or like, never reaches the viewer (unless the partner shares
    /// everything): a favourite is seen only by fans, and the blanket notice counts neither.
    #[test]
    fn a_favourite_reaches_only_the_fans(circle in circle(), to_like in any::<bool>()) {
        let shared: Vec<&str> = items()
            .into_iter()
            .filter(|i| catalog().item(i).unwrap().kind == ItemKind::Shared)
            .collect();
        for viewer in circle.iter().map(|p| p.member) {
            let me = circle.iter().find(|p| p.member == viewer).unwrap();
            let view = common_ground(catalog(), &circle, &viewer);
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                if partner.sharing.answers == Share::Everything {
                    continue;
                }
                for item in &shared {
                    let mine = me.answers.get(*item).and_then(|a| a.shared);
                    let theirs = partner.answers.get(*item).and_then(|a| a.shared);
                    // A fan may learn of a shared favourite, and a viewer who said "maybe"
                    // learns it is worth talking about: both by design. Only a like or a no,
                    // turned into the other: a love counts towards a blanket notice.
                    let open = matches!(mine, Some(Rating::Love | Rating::Like | Rating::Maybe));
                    if open || !matches!(theirs, Some(Rating::Like | Rating::No)) {
                        continue;
                    }
                    let mut changed = circle.clone();
                    let new = if to_like { Rating::Like } else { Rating::No };
                    changed[at].answers.get_mut(*item).unwrap().shared = Some(new);
                    prop_assert_eq!(&common_ground(catalog(), &changed, &viewer), &view, "{}", item);
                }
            }
        }
    }

    /// A blanket notice names the side and the answer, nothing of which items: moving a
    /// partner's answers among the catalog items they answered, keeping how many of each,
    /// leaves the notice as it was (their own items never count).
    #[test]
    fn a_blanket_notice_says_only_how_answers_lean(circle in circle()) {
        for viewer in circle.iter().map(|p| p.member) {
            let view = common_ground(catalog(), &circle, &viewer);
            let notices = |view: &CommonGround<Member>| -> BTreeSet<String> {
                view.facts
                    .iter()
                    .filter(|f| matches!(f, Fact::Blanket { .. }))
                    .map(|f| format!("{f:?}"))
                    .collect()
            };
            for (at, partner) in circle.iter().enumerate().filter(|(_, p)| p.member != viewer) {
                let mut gives: Vec<(String, Option<GiveRating>)> = partner
                    .answers
                    .iter()
                    .filter(|(i, a)| a.give.is_some() && catalog().item(i).is_some())
                    .map(|(i, a)| (i.clone(), a.give))
                    .collect();
                let rotated: Vec<Option<GiveRating>> = gives
                    .iter()
                    .skip(1)
                    .chain(gives.iter().take(1))
                    .map(|(_, g)| *g)
                    .collect();
                for ((_, give), new) in gives.iter_mut().zip(rotated) {
                    *give = new;
                }
                let mut changed = circle.clone();
                for (item, give) in gives {
                    changed[at].answers.get_mut(&item).unwrap().give = give;
                }
                prop_assert_eq!(notices(&common_ground(catalog(), &changed, &viewer)), notices(&view));
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
fn yes_to_everything_learns_the_needs_and_is_named_in_words() {
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
        confirmed: true,
        changed: Changed::default(),
        boundaries: Vec::new(),
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
    assert!(honest_view.facts.contains(&Fact::Blanket {
        partner: 1,
        side: Side::Give,
        answer: Blanket::GladTo,
    }));
    // Two answers to give are no pattern: the honest partner is not named.
    assert!(
        !prober_view
            .facts
            .iter()
            .any(|f| matches!(f, Fact::Blanket { .. }))
    );
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
        confirmed: true,
        changed: Changed::default(),
        boundaries: Vec::new(),
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

#[test]
fn sides_answers_and_tensions_have_their_words() {
    assert_eq!(
        [Side::Give.as_str(), Side::Receive.as_str()],
        ["give", "receive"]
    );
    assert_eq!(
        [Blanket::GladTo, Blanket::Love, Blanket::Maybe].map(Blanket::as_str),
        ["glad-to", "love", "maybe"]
    );
    assert_eq!(
        Tension::ALL.map(Tension::as_str),
        ["talk-quiet", "closeness-space", "together-alone"]
    );
    for tension in Tension::ALL {
        assert_eq!(tension.sides(), oracle_sides(tension));
    }
}

/// Nearly all "love" or all "maybe" to receive is named; four of four is not yet a pattern.
#[test]
fn receiving_nearly_everything_alike_is_named_from_five_answers() {
    let loving = |items: &[&str], rating: Rating| -> Answers {
        items
            .iter()
            .map(|i| ((*i).to_owned(), given(Some(rating), None)))
            .collect()
    };
    let five: Vec<&str> = catalog()
        .items()
        .iter()
        .filter(|i| i.kind == ItemKind::Given)
        .take(5)
        .map(|i| i.id.as_str())
        .collect();
    for rating in [Rating::Love, Rating::Maybe] {
        for (items, named) in [(&five[..4], false), (&five[..], true)] {
            let circle = vec![
                participant_with(1, loving(items, rating)),
                participant_with(2, Answers::new()),
            ];
            let view = common_ground(catalog(), &circle, &2);
            let expected = Fact::Blanket {
                partner: 1,
                side: Side::Receive,
                answer: if rating == Rating::Love {
                    Blanket::Love
                } else {
                    Blanket::Maybe
                },
            };
            assert_eq!(
                view.facts.contains(&expected),
                named,
                "{rating:?} × {}",
                items.len()
            );
        }
    }
}

fn participant_with(member: Member, answers: Answers) -> Participant<Member> {
    Participant {
        member,
        answers,
        custom_items: Vec::new(),
        sharing: Sharing::default(),
        locked: true,
        confirmed: true,
        changed: Changed::default(),
        boundaries: Vec::new(),
    }
}

/// What is released changes its digest; what is kept private does not; a change counts only
/// in the kind of session and section it is in.
#[test]
fn release_digests_follow_what_partners_can_see() {
    use tend_core::profile::{ProfileAnswers, Variant};
    use tend_core::reveal::{changed_since, release_digests};
    let matches = Sharing::default();
    let everything = Sharing {
        answers: Share::Everything,
        custom_items: Share::Everything,
    };
    let nothing = Sharing {
        answers: Share::Nothing,
        custom_items: Share::Nothing,
    };
    let own = vec![OwnItem {
        key: "custom:1".into(),
        label: "Reading aloud".into(),
        kind: ItemKind::Given,
    }];
    let mut profile = ProfileAnswers::default();
    profile.set(
        Variant::AfterSex,
        "cuddling",
        given(Some(Rating::Like), None),
    );
    let before = release_digests(&profile, &own, matches);
    assert!(before.contains_key("after-sex/answers"));
    assert!(
        !before.contains_key("after-sex/custom-items"),
        "own items not shared"
    );
    assert!(release_digests(&profile, &own, nothing).is_empty());
    assert!(release_digests(&profile, &own, everything).contains_key("after-sex/custom-items"));

    let mut noted = given(Some(Rating::Like), None);
    noted.note = Note::parse("only on the sofa").unwrap();
    let mut with_note = profile.clone();
    with_note.set(Variant::AfterSex, "cuddling", noted);
    assert_eq!(
        release_digests(&with_note, &own, matches),
        before,
        "a note is private"
    );
    assert_ne!(
        release_digests(&with_note, &own, everything),
        release_digests(&profile, &own, everything),
        "unless everything is shared"
    );
    let mut other_kind = profile.clone();
    other_kind.set(
        Variant::AfterHardScene,
        "cuddling",
        given(Some(Rating::No), None),
    );
    let after = release_digests(&other_kind, &own, matches);
    assert!(!changed_since(&before, &after, Variant::AfterSex).answers);
    let mut loved = profile.clone();
    loved.set(
        Variant::AfterSex,
        "cuddling",
        given(Some(Rating::Love), None),
    );
    let after = release_digests(&loved, &own, matches);
    assert_eq!(
        changed_since(&before, &after, Variant::AfterSex),
        Changed {
            answers: true,
            custom_items: false
        }
    );
    assert_eq!(
        changed_since(&BTreeMap::new(), &after, Variant::AfterSex),
        Changed::default(),
        "nothing to compare with"
    );
}
