//! A member's own aftercare needs: ratings of catalog and custom items, for receiving, for
//! giving, or together, with a note; per variant (after sex, after an intense or a hard
//! scene). A variant starts as a copy of "after sex" and differs only where changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, ItemKind};
use crate::rule::Rule;

/// When the aftercare happens. `AfterSex` is the base every other variant starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    AfterSex,
    AfterIntenseScene,
    AfterHardScene,
}

impl Variant {
    pub const ALL: [Variant; 3] = [
        Self::AfterSex,
        Self::AfterIntenseScene,
        Self::AfterHardScene,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AfterSex => "after-sex",
            Self::AfterIntenseScene => "after-intense-scene",
            Self::AfterHardScene => "after-hard-scene",
        }
    }
}

/// How much a member would like to receive something, or to do it together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    Love,
    Like,
    Maybe,
    No,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Self::Love, Self::Like, Self::Maybe, Self::No];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Love => "love",
            Self::Like => "like",
            Self::Maybe => "maybe",
            Self::No => "no",
        }
    }

    /// Weight in the aftercare-language summary: how strongly this draws the member.
    fn weight(self) -> u32 {
        match self {
            Self::Love => 3,
            Self::Like => 2,
            Self::Maybe => 1,
            Self::No => 0,
        }
    }
}

/// How gladly a member would give something to a partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GiveRating {
    Glad,
    IfYouLike,
    Maybe,
    No,
}

impl GiveRating {
    pub const ALL: [GiveRating; 4] = [Self::Glad, Self::IfYouLike, Self::Maybe, Self::No];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Glad => "glad",
            Self::IfYouLike => "if-you-like",
            Self::Maybe => "maybe",
            Self::No => "no",
        }
    }
}

/// A member's free text on one item or boundary: at most 2,000 characters, line breaks kept.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Note(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("this is longer than allowed")]
    TooLong,
    #[error("this contains characters that cannot be shown")]
    Control,
    #[error("this is empty")]
    Empty,
}

impl Rule for TextError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLong => "text-too-long",
            Self::Control => "text-control-characters",
            Self::Empty => "text-empty",
        }
    }
}

/// Trims `raw` and checks it: no control characters but line breaks and tabs.
pub(crate) fn parse_text(raw: &str, max_chars: usize) -> Result<Option<String>, TextError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextError::Control);
    }
    if text.chars().count() > max_chars {
        return Err(TextError::TooLong);
    }
    Ok(Some(text.replace("\r\n", "\n")))
}

impl Note {
    pub const MAX_CHARS: usize = 2000;

    /// An empty note is no note.
    pub fn parse(raw: &str) -> Result<Option<Self>, TextError> {
        Ok(parse_text(raw, Self::MAX_CHARS)?.map(Self))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One item's answer. Which ratings apply depends on the item's kind: `receive` and `give`
/// for given items, `shared` for shared ones. Every part may be left out: skipped is not "no".
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Answer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receive: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub give: Option<GiveRating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("a shared item has one rating, not receive or give")]
    GivenRatingOnShared,
    #[error("an item given by one person is rated for receiving and giving, not shared")]
    SharedRatingOnGiven,
}

impl Rule for AnswerError {
    fn code(&self) -> &'static str {
        match self {
            Self::GivenRatingOnShared => "answer-given-rating-on-shared",
            Self::SharedRatingOnGiven => "answer-shared-rating-on-given",
        }
    }
}

impl Answer {
    /// Whether nothing is said: the item is skipped.
    pub fn is_empty(&self) -> bool {
        self.receive.is_none()
            && self.give.is_none()
            && self.shared.is_none()
            && self.note.is_none()
    }

    /// Checks that only the ratings of `kind` are present.
    pub fn check(&self, kind: ItemKind) -> Result<(), AnswerError> {
        match kind {
            ItemKind::Given if self.shared.is_some() => Err(AnswerError::SharedRatingOnGiven),
            ItemKind::Shared if self.receive.is_some() || self.give.is_some() => {
                Err(AnswerError::GivenRatingOnShared)
            }
            _ => Ok(()),
        }
    }

    /// The rating that says how much the member would like this for themselves.
    fn own_rating(&self) -> Option<Rating> {
        self.receive.or(self.shared)
    }
}

/// A member's answers for one variant, by item key (a catalog id, or `custom:<uuid>`).
pub type Answers = BTreeMap<String, Answer>;

/// The answers in effect for `variant`: the variant's own where it has one, else "after sex".
pub fn effective_answers(base: &Answers, variant_answers: &Answers) -> Answers {
    let mut merged = base.clone();
    for (item, answer) in variant_answers {
        merged.insert(item.clone(), answer.clone());
    }
    merged.retain(|_, answer| !answer.is_empty());
    merged
}

/// How strongly one category draws a member, from 0 (nothing in it appeals) to 100.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryScore {
    pub category: String,
    pub score: u32,
    /// Items of the category the member rated for themselves.
    pub rated: u32,
}

/// "Your aftercare language": each category's score from the member's own ratings (love 3,
/// like 2, maybe 1, not for me 0), as a share of the most the rated items could give. Skipped
/// items do not count either way. Highest first; ties keep catalog order.
pub fn aftercare_language(catalog: &Catalog, answers: &Answers) -> Vec<CategoryScore> {
    let mut scores: Vec<CategoryScore> = catalog
        .categories()
        .iter()
        .map(|category| {
            let ratings: Vec<Rating> = catalog
                .items_in(&category.id)
                .filter_map(|item| answers.get(&item.id).and_then(Answer::own_rating))
                .collect();
            let rated = u32::try_from(ratings.len()).unwrap_or(u32::MAX);
            let points: u32 = ratings.iter().map(|r| r.weight()).sum();
            let score = if rated == 0 {
                0
            } else {
                points * 100 / (rated * 3)
            };
            CategoryScore {
                category: category.id.clone(),
                score,
                rated,
            }
        })
        .collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.score));
    scores
}

/// How far through the guided profile a member is: categories with at least one answer.
pub fn categories_answered(catalog: &Catalog, answers: &Answers) -> usize {
    catalog
        .categories()
        .iter()
        .filter(|c| catalog.items_in(&c.id).any(|i| answers.contains_key(&i.id)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answer(receive: Option<Rating>, shared: Option<Rating>) -> Answer {
        Answer {
            receive,
            shared,
            ..Answer::default()
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for variant in Variant::ALL {
            assert_eq!(Variant::parse(variant.as_str()), Some(variant));
        }
        for rating in Rating::ALL {
            assert_eq!(Rating::parse(rating.as_str()), Some(rating));
        }
        for rating in GiveRating::ALL {
            assert_eq!(GiveRating::parse(rating.as_str()), Some(rating));
        }
        assert_eq!(Rating::parse("adore"), None);
        assert_eq!(GiveRating::parse("love"), None);
        assert_eq!(Variant::parse("after-tea"), None);
    }

    #[test]
    fn an_answer_carries_only_the_ratings_of_its_kind() {
        let shared = answer(None, Some(Rating::Love));
        assert_eq!(shared.check(ItemKind::Shared), Ok(()));
        assert_eq!(
            shared.check(ItemKind::Given),
            Err(AnswerError::SharedRatingOnGiven)
        );
        let given = Answer {
            give: Some(GiveRating::Glad),
            ..Answer::default()
        };
        assert_eq!(given.check(ItemKind::Given), Ok(()));
        assert_eq!(
            given.check(ItemKind::Shared),
            Err(AnswerError::GivenRatingOnShared)
        );
    }

    #[test]
    fn notes_are_trimmed_limited_and_keep_line_breaks() {
        assert_eq!(Note::parse("  ").unwrap(), None);
        assert_eq!(Note::parse(" a\r\nb ").unwrap().unwrap().as_str(), "a\nb");
        assert_eq!(Note::parse(&"x".repeat(2001)), Err(TextError::TooLong));
        assert!(Note::parse(&"x".repeat(2000)).is_ok());
        assert_eq!(Note::parse("a\u{0}b"), Err(TextError::Control));
    }

    #[test]
    fn a_variant_differs_from_after_sex_only_where_changed() {
        let mut base = Answers::new();
        base.insert("cuddling".into(), answer(Some(Rating::Love), None));
        base.insert("kissing".into(), answer(Some(Rating::Like), None));
        let mut hard = Answers::new();
        hard.insert("kissing".into(), answer(Some(Rating::No), None));
        hard.insert("cuddling".into(), Answer::default());
        let merged = effective_answers(&base, &hard);
        assert_eq!(merged["kissing"].receive, Some(Rating::No));
        assert!(!merged.contains_key("cuddling"), "cleared in the variant");
        assert_eq!(effective_answers(&base, &Answers::new()), base);
    }

    #[test]
    fn the_aftercare_language_ranks_categories_by_what_the_member_loves() {
        let catalog = Catalog::builtin().unwrap();
        let closeness: Vec<&str> = catalog
            .items_in("closeness")
            .map(|i| i.id.as_str())
            .collect();
        let words: Vec<&str> = catalog.items_in("words").map(|i| i.id.as_str()).collect();
        let mut answers = Answers::new();
        for id in &closeness[..2] {
            let kind = catalog.item(id).unwrap().kind;
            let rating = Some(Rating::Love);
            answers.insert(
                (*id).into(),
                match kind {
                    ItemKind::Given => answer(rating, None),
                    ItemKind::Shared => answer(None, rating),
                },
            );
        }
        for id in &words[..2] {
            let kind = catalog.item(id).unwrap().kind;
            let rating = Some(Rating::Maybe);
            answers.insert(
                (*id).into(),
                match kind {
                    ItemKind::Given => answer(rating, None),
                    ItemKind::Shared => answer(None, rating),
                },
            );
        }
        let language = aftercare_language(catalog, &answers);
        assert_eq!(language[0].category, "closeness");
        assert_eq!(language[0].score, 100);
        assert_eq!(language[1].category, "words");
        assert_eq!(language[1].score, 33);
        assert!(language[2..].iter().all(|s| s.score == 0 && s.rated == 0));
        assert_eq!(categories_answered(catalog, &answers), 2);
    }

    fn any_rating() -> impl Strategy<Value = Option<Rating>> {
        prop::option::of(prop::sample::select(Rating::ALL.to_vec()))
    }

    proptest! {
        #[test]
        fn scores_stay_between_0_and_100_and_are_sorted(ratings in prop::collection::vec(any_rating(), 0..60)) {
            let catalog = Catalog::builtin().unwrap();
            let answers: Answers = catalog
                .items()
                .iter()
                .zip(ratings)
                .filter_map(|(item, rating)| {
                    let rating = rating?;
                    Some((item.id.clone(), match item.kind {
                        ItemKind::Given => answer(Some(rating), None),
                        ItemKind::Shared => answer(None, Some(rating)),
                    }))
                })
                .collect();
            let language = aftercare_language(catalog, &answers);
            prop_assert_eq!(language.len(), catalog.categories().len());
            prop_assert!(language.iter().all(|s| s.score <= 100));
            prop_assert!(language.windows(2).all(|w| w[0].score >= w[1].score));
            let rated: u32 = language.iter().map(|s| s.rated).sum();
            prop_assert_eq!(rated as usize, answers.len());
        }
    }
}

/// The name of a member's own item, e.g. "Reading aloud to each other": 1–80 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomLabel(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CustomItemError {
    #[error("a custom item needs a name")]
    Empty,
    #[error("a custom item's name has at most 80 characters")]
    TooLong,
    #[error("this name contains characters that cannot be shown")]
    Control,
    #[error("there is already a custom item with this name")]
    Duplicate,
    #[error("a member has at most 200 custom items")]
    TooMany,
}

impl Rule for CustomItemError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "custom-label-empty",
            Self::TooLong => "custom-label-too-long",
            Self::Control => "text-control-characters",
            Self::Duplicate => "custom-label-duplicate",
            Self::TooMany => "custom-items-too-many",
        }
    }
}

impl CustomLabel {
    pub const MAX_CHARS: usize = 80;
    /// Custom items one member may have.
    pub const MAX_ITEMS: usize = 200;

    /// A label, checked against the member's other labels (`existing`, without the one being
    /// renamed): no two alike regardless of case.
    pub fn parse<'a>(
        raw: &str,
        existing: impl IntoIterator<Item = &'a CustomLabel>,
    ) -> Result<Self, CustomItemError> {
        let text = match parse_text(raw, Self::MAX_CHARS) {
            Ok(Some(text)) if !text.contains('\n') => text,
            Ok(Some(_)) | Err(TextError::Control) => return Err(CustomItemError::Control),
            Ok(None) | Err(TextError::Empty) => return Err(CustomItemError::Empty),
            Err(TextError::TooLong) => return Err(CustomItemError::TooLong),
        };
        let lowered = text.to_lowercase();
        let mut count = 0;
        for other in existing {
            count += 1;
            if other.0.to_lowercase() == lowered {
                return Err(CustomItemError::Duplicate);
            }
        }
        if count >= Self::MAX_ITEMS {
            return Err(CustomItemError::TooMany);
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod custom_label_tests {
    use super::*;

    fn label(text: &str) -> CustomLabel {
        CustomLabel::parse(text, []).unwrap()
    }

    #[test]
    fn custom_labels_are_unique_regardless_of_case_and_limited() {
        let existing = [label("Reading aloud")];
        assert_eq!(
            CustomLabel::parse(" reading ALOUD ", &existing),
            Err(CustomItemError::Duplicate)
        );
        assert_eq!(CustomLabel::parse("   ", []), Err(CustomItemError::Empty));
        assert_eq!(
            CustomLabel::parse(&"x".repeat(81), []),
            Err(CustomItemError::TooLong)
        );
        assert_eq!(
            CustomLabel::parse("a\nb", []),
            Err(CustomItemError::Control)
        );
        let many: Vec<CustomLabel> = (0..200).map(|i| label(&format!("item {i}"))).collect();
        assert_eq!(
            CustomLabel::parse("one more", &many),
            Err(CustomItemError::TooMany)
        );
        assert_eq!(
            CustomLabel::parse("Tea", &existing).unwrap().as_str(),
            "Tea"
        );
    }
}

/// All of a member's answers: "after sex" and the variants' differences from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileAnswers {
    #[serde(default)]
    variants: BTreeMap<Variant, Answers>,
}

impl ProfileAnswers {
    /// What the member wrote for `variant` itself (for a variant: only its differences).
    pub fn own(&self, variant: Variant) -> Answers {
        self.variants.get(&variant).cloned().unwrap_or_default()
    }

    /// The answers in effect for `variant`.
    pub fn effective(&self, variant: Variant) -> Answers {
        let base = self.own(Variant::AfterSex);
        if variant == Variant::AfterSex {
            return effective_answers(&base, &Answers::new());
        }
        effective_answers(&base, &self.own(variant))
    }

    /// Records `answer` for `item` in `variant`. In "after sex" an empty answer removes the
    /// item; in another variant it is kept, meaning "skipped here, whatever after sex says".
    pub fn set(&mut self, variant: Variant, item: &str, answer: Answer) {
        let answers = self.variants.entry(variant).or_default();
        if variant == Variant::AfterSex && answer.is_empty() {
            answers.remove(item);
        } else {
            answers.insert(item.to_owned(), answer);
        }
    }

    /// Records what the member now says for `item` in `variant`, keeping a variant's
    /// differences from "after sex" minimal: an answer equal to after sex's is no difference.
    pub fn record(&mut self, variant: Variant, item: &str, answer: Answer) {
        if variant != Variant::AfterSex {
            let base = self
                .variants
                .get(&Variant::AfterSex)
                .and_then(|answers| answers.get(item))
                .cloned()
                .unwrap_or_default();
            if base == answer {
                if let Some(answers) = self.variants.get_mut(&variant) {
                    answers.remove(item);
                }
                return;
            }
        }
        self.set(variant, item, answer);
    }

    /// Forgets `item` in every variant (a custom item was deleted).
    pub fn forget(&mut self, item: &str) {
        for answers in self.variants.values_mut() {
            answers.remove(item);
        }
    }
}

#[cfg(test)]
mod profile_answers_tests {
    use super::*;

    fn loved() -> Answer {
        Answer {
            receive: Some(Rating::Love),
            ..Answer::default()
        }
    }

    #[test]
    fn a_variant_starts_as_after_sex_and_keeps_its_own_changes() {
        let mut profile = ProfileAnswers::default();
        profile.set(Variant::AfterSex, "cuddling", loved());
        assert_eq!(
            profile.effective(Variant::AfterHardScene)["cuddling"],
            loved()
        );
        profile.set(Variant::AfterHardScene, "cuddling", Answer::default());
        assert!(
            !profile
                .effective(Variant::AfterHardScene)
                .contains_key("cuddling")
        );
        assert_eq!(profile.effective(Variant::AfterSex)["cuddling"], loved());
        profile.record(Variant::AfterHardScene, "cuddling", loved());
        assert!(
            profile.own(Variant::AfterHardScene).is_empty(),
            "same as after sex: no difference"
        );
        profile.record(Variant::AfterIntenseScene, "kissing", loved());
        assert_eq!(profile.own(Variant::AfterIntenseScene).len(), 1);
        profile.forget("kissing");
        profile.forget("cuddling");
        assert!(profile.effective(Variant::AfterSex).is_empty());
        assert!(profile.own(Variant::AfterHardScene).is_empty());
    }
}
