//! The reveal rules (DESIGN.md §4): what one member of a circle may see of the others'
//! answers. One pure function, [`common_ground`], from the circle, everybody's answers and
//! sharing choices, and the viewer, to the facts that viewer may see. Nothing about a partner
//! reaches a page or the API except through it.
//!
//! The rules, in short: nothing of anyone's until everyone has locked and everyone has
//! confirmed what they share for the circle's current members (a newcomer sees nothing shared
//! before they came until each member has said so); a need is seen by a partner only if that
//! partner offers it (and both take part in matching); "maybe" pairs are "worth talking
//! about", never matches; a shared favourite is seen only by those who love or like it, and
//! only when at least two do; differences, notes and custom items only where the owner shares
//! everything; answers that are nearly all the same on one side ("glad to", "love" or "maybe"
//! to almost everything) are named, in words, so "yes to everything" cannot probe unseen; a
//! change since the reveal is marked only where the viewer can see the section it is in.

use std::collections::{BTreeMap, BTreeSet};

use crate::boundaries::Boundary;
use crate::catalog::{Catalog, ItemKind};
use crate::profile::{Answer, Answers, GiveRating, ProfileAnswers, Rating, Variant};
use crate::time::Timestamp;

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

/// One boundary entry of a member, as the reveal rules need it. Boundaries are shared entry
/// by entry: a new entry is private until its owner ticks the circle on it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BoundaryEntry {
    /// The entry's id, as the store names it.
    pub id: String,
    pub boundary: Boundary,
    /// When its words last changed (the brief names what is new since the last session).
    pub updated_at: Timestamp,
    /// Whether its owner shares it with this circle.
    pub shared: bool,
}

/// What changed since the circle's reveal, section by section (for the variant in question).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    pub answers: bool,
    pub custom_items: bool,
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
    /// Whether they confirmed what they share for the circle's current members (false for a
    /// member who has not since someone joined).
    pub confirmed: bool,
    /// What they changed since the circle's reveal.
    pub changed: Changed,
    /// Their boundary entries, each saying whether it is shared with this circle.
    pub boundaries: Vec<BoundaryEntry>,
}

/// Digests of what a member releases to a circle, one per kind of session and released
/// section ("after-sex/answers", "after-sex/custom-items"): the answers as a partner can see
/// them (ratings, and notes only when everything is shared), their own items only when
/// shared as everything. Kept at a reveal, so a later change shows as "changed" — and only a
/// change a partner could see does: a private note, a private item or another kind of
/// session changes nothing here.
pub fn release_digests(
    profile: &ProfileAnswers,
    custom: &[OwnItem],
    sharing: Sharing,
) -> BTreeMap<String, [u8; 32]> {
    use sha2::Digest;
    let digest = |value: &serde_json::Value| -> [u8; 32] {
        sha2::Sha256::digest(value.to_string().as_bytes()).into()
    };
    let mut digests = BTreeMap::new();
    for variant in Variant::ALL {
        let answers = profile.effective(variant);
        if sharing.answers != Share::Nothing {
            let with_notes = sharing.answers == Share::Everything;
            let released: Vec<serde_json::Value> = answers
                .iter()
                .filter(|(item, _)| !item.starts_with("custom:"))
                .map(|(item, a)| {
                    serde_json::json!([
                        item,
                        a.receive.map(Rating::as_str),
                        a.give.map(GiveRating::as_str),
                        a.shared.map(Rating::as_str),
                        if with_notes {
                            a.note.as_ref().map(|n| n.as_str())
                        } else {
                            None
                        },
                    ])
                })
                .collect();
            digests.insert(
                format!("{}/answers", variant.as_str()),
                digest(&serde_json::Value::Array(released)),
            );
        }
        if sharing.custom_items == Share::Everything {
            let released: Vec<serde_json::Value> = custom
                .iter()
                .map(|own| {
                    let a = answers.get(&own.key).cloned().unwrap_or_default();
                    serde_json::json!([
                        own.label,
                        own.kind.as_str(),
                        a.receive.map(Rating::as_str),
                        a.give.map(GiveRating::as_str),
                        a.shared.map(Rating::as_str),
                        a.note.as_ref().map(|n| n.as_str()),
                    ])
                })
                .collect();
            digests.insert(
                format!("{}/custom-items", variant.as_str()),
                digest(&serde_json::Value::Array(released)),
            );
        }
    }
    digests
}

/// What changed for one kind of session, between the digests kept at the reveal and the
/// digests now: a section counts only where both exist and differ (a section released since
/// the reveal has nothing to compare with).
pub fn changed_since(
    at_reveal: &BTreeMap<String, [u8; 32]>,
    now: &BTreeMap<String, [u8; 32]>,
    variant: Variant,
) -> Changed {
    let differs = |section: &str| {
        let key = format!("{}/{section}", variant.as_str());
        matches!((at_reveal.get(&key), now.get(&key)), (Some(a), Some(b)) if a != b)
    };
    Changed {
        answers: differs("answers"),
        custom_items: differs("custom-items"),
    }
}

/// Which side of the answers a blanket notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// What they would give a partner.
    Give,
    /// What they would receive, or do together.
    Receive,
}

/// The answer a partner gave to almost everything on one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Blanket {
    /// "Glad to", to almost everything to give.
    GladTo,
    /// "Love", to almost everything to receive or do together.
    Love,
    /// "Maybe", to almost everything on that side.
    Maybe,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Give => "give",
            Self::Receive => "receive",
        }
    }
}

impl Blanket {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GladTo => "glad-to",
            Self::Love => "love",
            Self::Maybe => "maybe",
        }
    }
}

/// A side is named as blanket when at least this share of its rated items have one answer…
pub const BLANKET_PERCENT: usize = 80;
/// …and at least this many of its items are rated (one answer of one is not a pattern).
pub const BLANKET_MIN_RATED: usize = 5;

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
    /// `partner` gave the same answer to almost everything on one side.
    Blanket {
        partner: M,
        side: Side,
        answer: Blanket,
    },
    /// `partner` changed, since the reveal, a section the viewer can see.
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
    /// `partner` shares this boundary entry with the circle.
    Boundary { partner: M, entry: BoundaryEntry },
}

/// What a viewer sees of a circle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommonGround<M> {
    /// False until every member has locked and confirmed; until then only the viewer's own
    /// answers are in `facts`.
    pub revealed: bool,
    /// Members who have not locked yet.
    pub waiting_for: usize,
    /// Members who have locked but not confirmed what they share since someone joined.
    pub unconfirmed: usize,
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

/// Where an answer leans, whichever scale it is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Leaning {
    Yes,
    Maybe,
    No,
}

fn rating_leaning(rating: Rating) -> Leaning {
    match rating {
        Rating::Love | Rating::Like => Leaning::Yes,
        Rating::Maybe => Leaning::Maybe,
        Rating::No => Leaning::No,
    }
}

fn give_leaning(rating: GiveRating) -> Leaning {
    match rating {
        GiveRating::Glad | GiveRating::IfYouLike => Leaning::Yes,
        GiveRating::Maybe => Leaning::Maybe,
        GiveRating::No => Leaning::No,
    }
}

/// Whether a receive/give (or shared/shared) pair is "worth talking about": both answered,
/// one side maybe, neither side no.
fn worth_talking(a: Option<Leaning>, b: Option<Leaning>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            (a == Leaning::Maybe || b == Leaning::Maybe) && a != Leaning::No && b != Leaning::No
        }
        _ => false,
    }
}

/// The answer that almost every rated item on a side has, if one of the named ones does.
fn blanket(answers: impl Iterator<Item = Blanket>, rated: usize) -> Option<Blanket> {
    if rated < BLANKET_MIN_RATED {
        return None;
    }
    let mut counts: BTreeMap<Blanket, usize> = BTreeMap::new();
    for answer in answers {
        *counts.entry(answer).or_default() += 1;
    }
    counts
        .into_iter()
        .find(|(_, count)| count * 100 >= rated * BLANKET_PERCENT)
        .map(|(answer, _)| answer)
}

/// The sides on which `answers` are blanket: nearly all "glad to" (or "maybe") to give, or
/// nearly all "love" (or "maybe") to receive and to do together.
fn blankets(catalog: &Catalog, answers: &Answers) -> Vec<(Side, Blanket)> {
    let catalog_answers = || {
        catalog
            .items()
            .iter()
            .filter_map(|item| answers.get(&item.id))
    };
    let gives: Vec<GiveRating> = catalog_answers().filter_map(|a| a.give).collect();
    let receives: Vec<Rating> = catalog_answers()
        .filter_map(|a| a.receive.or(a.shared))
        .collect();
    let give = blanket(
        gives.iter().filter_map(|g| match g {
            GiveRating::Glad => Some(Blanket::GladTo),
            GiveRating::Maybe => Some(Blanket::Maybe),
            _ => None,
        }),
        gives.len(),
    );
    let receive = blanket(
        receives.iter().filter_map(|r| match r {
            Rating::Love => Some(Blanket::Love),
            Rating::Maybe => Some(Blanket::Maybe),
            _ => None,
        }),
        receives.len(),
    );
    give.map(|b| (Side::Give, b))
        .into_iter()
        .chain(receive.map(|b| (Side::Receive, b)))
        .collect()
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
            unconfirmed: 0,
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
    // Among those who have locked: one who has not is waited for as that (a lock confirms).
    let unconfirmed = circle.iter().filter(|p| p.locked && !p.confirmed).count();
    if waiting_for > 0 || unconfirmed > 0 {
        return CommonGround {
            revealed: false,
            waiting_for,
            unconfirmed,
            facts,
        };
    }
    let empty = Answer::default();
    let i_match = me.sharing.answers >= Share::Matches;
    let partners = circle.iter().filter(|p| &p.member != viewer);
    for partner in partners.clone() {
        let they_match = partner.sharing.answers >= Share::Matches;
        let id = || partner.member.clone();
        for entry in partner.boundaries.iter().filter(|e| e.shared) {
            facts.insert(Fact::Boundary {
                partner: id(),
                entry: entry.clone(),
            });
        }
        // A change is marked only where the viewer sees the section it is in.
        let answers_seen = partner.sharing.answers == Share::Everything || (i_match && they_match);
        let custom_seen = partner.sharing.custom_items == Share::Everything;
        if (partner.changed.answers && answers_seen)
            || (partner.changed.custom_items && custom_seen)
        {
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
        for (side, answer) in blankets(catalog, &partner.answers) {
            facts.insert(Fact::Blanket {
                partner: id(),
                side,
                answer,
            });
        }
        for item in catalog.items() {
            let mine = me.answers.get(&item.id).unwrap_or(&empty);
            let theirs = partner.answers.get(&item.id).unwrap_or(&empty);
            match item.kind {
                ItemKind::Given => {
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
                    let receive = |a: &Answer| a.receive.map(rating_leaning);
                    let give = |a: &Answer| a.give.map(give_leaning);
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
                    let shared = |a: &Answer| a.shared.map(rating_leaning);
                    if worth_talking(shared(mine), shared(theirs)) {
                        facts.insert(Fact::TalkAbout {
                            partner: id(),
                            item: item.id.clone(),
                        });
                    }
                }
            }
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
        unconfirmed: 0,
        facts,
    }
}
