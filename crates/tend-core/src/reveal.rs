//! The reveal rules (DESIGN.md §4): what one member of a circle may see of the others'
//! answers. One pure function, [`common_ground`], from the circle, everybody's answers and
//! sharing choices, and the viewer, to the facts that viewer may see. Nothing about a partner
//! reaches a page or the API except through it.
//!
//! The rules, in short: nothing of anyone's until everyone has locked; a need is seen by a
//! partner only if that partner offers it (and both take part in matching); "maybe" pairs are
//! "worth talking about", never matches; a shared favourite is seen only by those who love or
//! like it, and only when at least two do; differences, notes and custom items only where the
//! owner shares everything; each partner's yes-rate is shown, so "yes to everything" is seen.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, ItemKind};
use crate::profile::{Answer, Answers, GiveRating, Rating};

/// What a member releases to one circle for one section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Share {
    Nothing,
    /// Only what the reveal rules allow (the default).
    #[default]
    Matches,
    /// Everything in the section, notes included.
    Everything,
}

impl Share {
    pub const ALL: [Share; 3] = [Self::Nothing, Self::Matches, Self::Everything];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nothing => "nothing",
            Self::Matches => "matches",
            Self::Everything => "everything",
        }
    }
}

/// A member's sharing choices for one circle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sharing {
    pub answers: Share,
    pub custom_items: Share,
}

/// One of a member's own items, as the reveal rules need it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OwnItem {
    /// `custom:<id>`.
    pub key: String,
    pub label: String,
    pub kind: ItemKind,
}

/// One member of the circle, with their answers for the variant in question.
#[derive(Clone, Debug)]
pub struct Participant<M> {
    pub member: M,
    /// Effective answers for the variant: catalog ids and the member's own `custom:` keys.
    pub answers: Answers,
    pub custom_items: Vec<OwnItem>,
    pub sharing: Sharing,
    pub locked: bool,
    /// Whether answers changed since the circle's last reveal.
    pub changed_since_reveal: bool,
}

/// Pairs of wishes that pull in different directions (DESIGN.md §4, "differences").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tension {
    TalkQuiet,
    ClosenessSpace,
    TogetherAlone,
}

impl Tension {
    pub const ALL: [Tension; 3] = [Self::TalkQuiet, Self::ClosenessSpace, Self::TogetherAlone];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TalkQuiet => "talk-quiet",
            Self::ClosenessSpace => "closeness-space",
            Self::TogetherAlone => "together-alone",
        }
    }

    /// The catalog items on each side of the tension.
    pub fn sides(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Self::TalkQuiet => (
                &[
                    "talking-about-what-we-enjoyed",
                    "talking-about-what-felt-hard",
                ],
                &["quiet-without-talking", "not-talking-about-it-yet"],
            ),
            Self::ClosenessSpace => (
                &[
                    "cuddling",
                    "skin-to-skin",
                    "lying-together-quietly",
                    "resting-hand",
                ],
                &["no-touch-for-a-bit", "nearby-not-hovering"],
            ),
            Self::TogetherAlone => (
                &["shower-or-bath-together", "napping-together", "sleep"],
                &["shower-or-bath-alone", "time-alone", "own-bed"],
            ),
        }
    }
}

/// One thing a viewer may see. A view is a set of these.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fact<M> {
    /// The viewer's own answer: always visible to them.
    Own { item: String, answer: Answer },
    /// `partner` offers (glad to / if you'd like) the viewer's need `item`.
    Offers { partner: M, item: String },
    /// `partner` needs `item` (`rating` love or like), which the viewer offers.
    Needs {
        partner: M,
        item: String,
        rating: Rating,
    },
    /// The viewer and `partner` have a "maybe" about `item`: worth talking about.
    TalkAbout { partner: M, item: String },
    /// The viewer and `with` (at least one other) love or like the shared item `item`.
    Favourite { item: String, with: BTreeSet<M> },
    /// The viewer and `partner` pull in different directions.
    Difference { partner: M, tension: Tension },
    /// The share of `partner`'s give answers that offer (glad to / if you'd like), in percent.
    YesRate { partner: M, percent: u32 },
    /// `partner` changed answers since the last reveal.
    Changed { partner: M },
    /// `partner` shares all answers: this one, note included.
    Answer {
        partner: M,
        item: String,
        answer: Answer,
    },
    /// `partner` shares their own items: this one, with their answer.
    CustomItem {
        partner: M,
        item: OwnItem,
        answer: Option<Answer>,
    },
}

/// What a viewer sees of a circle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommonGround<M> {
    /// False until every member has locked; then only the viewer's own answers are in `facts`.
    pub revealed: bool,
    /// Members who have not locked yet.
    pub waiting_for: usize,
    pub facts: BTreeSet<Fact<M>>,
}

fn wants(answer: &Answer) -> Option<Rating> {
    answer
        .receive
        .filter(|r| matches!(r, Rating::Love | Rating::Like))
}

fn offers(answer: &Answer) -> bool {
    matches!(answer.give, Some(GiveRating::Glad | GiveRating::IfYouLike))
}

fn likes_together(answer: &Answer) -> bool {
    matches!(answer.shared, Some(Rating::Love | Rating::Like))
}

/// Whether a receive/give (or shared/shared) pair is "worth talking about": both answered,
/// one side maybe, neither side no.
fn worth_talking(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a == "maybe" || b == "maybe") && a != "no" && b != "no",
        _ => false,
    }
}

fn own_rating(answer: &Answer) -> Option<Rating> {
    answer.receive.or(answer.shared)
}

/// Whether `participant` wants any item on `side`.
fn wants_any(participant: &Answers, side: &[&str]) -> bool {
    side.iter().any(|item| {
        participant
            .get(*item)
            .and_then(own_rating)
            .is_some_and(|r| matches!(r, Rating::Love | Rating::Like))
    })
}

/// The viewer's view of the circle under the reveal rules.
pub fn common_ground<M: Ord + Clone>(
    catalog: &Catalog,
    circle: &[Participant<M>],
    viewer: &M,
) -> CommonGround<M> {
    let mut facts = BTreeSet::new();
    let Some(me) = circle.iter().find(|p| &p.member == viewer) else {
        return CommonGround {
            revealed: false,
            waiting_for: 0,
            facts,
        };
    };
    for (item, answer) in &me.answers {
        facts.insert(Fact::Own {
            item: item.clone(),
            answer: answer.clone(),
        });
    }
    let waiting_for = circle.iter().filter(|p| !p.locked).count();
    if waiting_for > 0 {
        return CommonGround {
            revealed: false,
            waiting_for,
            facts,
        };
    }
    let empty = Answer::default();
    let i_match = me.sharing.answers >= Share::Matches;
    let partners = circle.iter().filter(|p| &p.member != viewer);
    for partner in partners.clone() {
        let they_match = partner.sharing.answers >= Share::Matches;
        let id = || partner.member.clone();
        if partner.changed_since_reveal {
            facts.insert(Fact::Changed { partner: id() });
        }
        if partner.sharing.answers == Share::Everything {
            for (item, answer) in &partner.answers {
                if catalog.item(item).is_some() {
                    facts.insert(Fact::Answer {
                        partner: id(),
                        item: item.clone(),
                        answer: answer.clone(),
                    });
                }
            }
        }
        if partner.sharing.custom_items == Share::Everything {
            for own in &partner.custom_items {
                facts.insert(Fact::CustomItem {
                    partner: id(),
                    item: own.clone(),
                    answer: partner.answers.get(&own.key).cloned(),
                });
            }
        }
        if !(i_match && they_match) {
            continue;
        }
        let mut gives = 0u32;
        let mut yes = 0u32;
        for item in catalog.items() {
            let mine = me.answers.get(&item.id).unwrap_or(&empty);
            let theirs = partner.answers.get(&item.id).unwrap_or(&empty);
            match item.kind {
                ItemKind::Given => {
                    if theirs.give.is_some() {
                        gives += 1;
                        yes += u32::from(offers(theirs));
                    }
                    if wants(mine).is_some() && offers(theirs) {
                        facts.insert(Fact::Offers {
                            partner: id(),
                            item: item.id.clone(),
                        });
                    }
                    if let Some(rating) = wants(theirs).filter(|_| offers(mine)) {
                        facts.insert(Fact::Needs {
                            partner: id(),
                            item: item.id.clone(),
                            rating,
                        });
                    }
                    let receive = |a: &Answer| a.receive.map(Rating::as_str);
                    let give = |a: &Answer| a.give.map(GiveRating::as_str);
                    if worth_talking(receive(mine), give(theirs))
                        || worth_talking(receive(theirs), give(mine))
                    {
                        facts.insert(Fact::TalkAbout {
                            partner: id(),
                            item: item.id.clone(),
                        });
                    }
                }
                ItemKind::Shared => {
                    let shared = |a: &Answer| a.shared.map(Rating::as_str);
                    if worth_talking(shared(mine), shared(theirs)) {
                        facts.insert(Fact::TalkAbout {
                            partner: id(),
                            item: item.id.clone(),
                        });
                    }
                }
            }
        }
        // Rounded to the nearest percent; no give answers, no rate.
        if let Some(percent) = (yes * 100 + gives / 2).checked_div(gives) {
            facts.insert(Fact::YesRate {
                partner: id(),
                percent,
            });
        }
        if me.sharing.answers == Share::Everything && partner.sharing.answers == Share::Everything {
            for tension in Tension::ALL {
                let (a, b) = tension.sides();
                let differs = (wants_any(&me.answers, a) && wants_any(&partner.answers, b))
                    || (wants_any(&me.answers, b) && wants_any(&partner.answers, a));
                if differs {
                    facts.insert(Fact::Difference {
                        partner: id(),
                        tension,
                    });
                }
            }
        }
    }
    // Shared favourites: among those who take part in matching, the ones who love or like it.
    if i_match {
        let mut fans: BTreeMap<&str, BTreeSet<M>> = BTreeMap::new();
        for item in catalog
            .items()
            .iter()
            .filter(|i| i.kind == ItemKind::Shared)
        {
            if !me.answers.get(&item.id).is_some_and(likes_together) {
                continue;
            }
            for partner in partners.clone() {
                let they_match = partner.sharing.answers >= Share::Matches;
                if they_match && partner.answers.get(&item.id).is_some_and(likes_together) {
                    fans.entry(item.id.as_str())
                        .or_default()
                        .insert(partner.member.clone());
                }
            }
        }
        for (item, with) in fans {
            facts.insert(Fact::Favourite {
                item: item.to_owned(),
                with,
            });
        }
    }
    CommonGround {
        revealed: true,
        waiting_for: 0,
        facts,
    }
}
