//! The profile rules the pages and the API share: which items a step holds, how raw ratings
//! are read, and which item keys a member may answer.

use tend_core::catalog::{Catalog, ItemKind};
use tend_core::profile::{Answer, GiveRating, Note, Rating};
use tend_store::CustomItem;

use crate::accounts::rule_message;
use crate::i18n::{I18n, msg};

/// The last step of the guided profile: the member's own items.
pub const OWN_ITEMS_STEP: &str = "your-own";

/// An item as a page or the API shows it.
#[derive(Clone, Debug)]
pub struct ItemInfo {
    /// A catalog id, or `custom:<id>`.
    pub key: String,
    pub label: String,
    pub description: String,
    pub kind: ItemKind,
}

/// The built-in catalog, checked: start-up stops when it is broken or a word of it is
/// missing in a language, naming what is wrong.
pub fn checked_catalog() -> Result<&'static Catalog, String> {
    let catalog = Catalog::builtin().map_err(|e| e.to_string())?;
    let missing = missing_words(catalog, &I18n::default());
    if missing.is_empty() {
        Ok(catalog)
    } else {
        Err(format!(
            "the catalog has no words for: {}",
            missing.join(", ")
        ))
    }
}

/// The message ids the catalog needs that `i18n` lacks.
fn missing_words(catalog: &Catalog, i18n: &I18n) -> Vec<String> {
    let categories = catalog.categories().iter().flat_map(|category| {
        [
            format!("catalog-category-{}", category.id),
            format!("catalog-category-{}-intro", category.id),
        ]
    });
    let items = catalog.items().iter().flat_map(|item| {
        [
            format!("catalog-item-{}", item.id),
            format!("catalog-item-{}-description", item.id),
        ]
    });
    categories
        .chain(items)
        .filter(|id| !i18n.exists(id))
        .collect()
}

/// The guided profile's steps in order: each catalog category, then the member's own items.
pub fn steps(catalog: &Catalog) -> Vec<String> {
    catalog
        .categories()
        .iter()
        .map(|c| c.id.clone())
        .chain([OWN_ITEMS_STEP.to_owned()])
        .collect()
}

pub fn step_title(i18n: &I18n, step: &str) -> String {
    if step == OWN_ITEMS_STEP {
        i18n.t("profile-own-items")
    } else {
        i18n.t(&format!("catalog-category-{step}"))
    }
}

pub fn catalog_item_info(i18n: &I18n, item: &tend_core::catalog::Item) -> ItemInfo {
    ItemInfo {
        key: item.id.clone(),
        label: i18n.t(&format!("catalog-item-{}", item.id)),
        description: i18n.t(&format!("catalog-item-{}-description", item.id)),
        kind: item.kind,
    }
}

pub fn custom_item_info(item: &CustomItem) -> ItemInfo {
    ItemInfo {
        key: item.key(),
        label: item.label.as_str().to_owned(),
        description: String::new(),
        kind: item.kind,
    }
}

/// The items of one step, or `None` for a step that does not exist.
pub fn step_items(
    catalog: &Catalog,
    i18n: &I18n,
    custom: &[CustomItem],
    step: &str,
) -> Option<Vec<ItemInfo>> {
    if step == OWN_ITEMS_STEP {
        return Some(custom.iter().map(custom_item_info).collect());
    }
    catalog.category(step)?;
    Some(
        catalog
            .items_in(step)
            .map(|item| catalog_item_info(i18n, item))
            .collect(),
    )
}

/// Every item a member can answer: the catalog and their own.
pub fn all_items(catalog: &Catalog, i18n: &I18n, custom: &[CustomItem]) -> Vec<ItemInfo> {
    catalog
        .items()
        .iter()
        .map(|item| catalog_item_info(i18n, item))
        .chain(custom.iter().map(custom_item_info))
        .collect()
}

/// One item's raw answer, as typed or sent: `None` or "" is skipped.
#[derive(Clone, Debug, Default)]
pub struct RawAnswer<'a> {
    pub receive: Option<&'a str>,
    pub give: Option<&'a str>,
    pub shared: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// Reads a raw answer for an item of `kind`. Errors name the part (`receive`, `give`,
/// `shared`, `note`) and a message id.
pub fn parse_answer(
    kind: ItemKind,
    raw: &RawAnswer<'_>,
) -> Result<Answer, Vec<(&'static str, &'static str)>> {
    let mut problems = Vec::new();
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    let mut rating = |part: &'static str, value: Option<&str>| -> Option<Rating> {
        let value = given(value)?;
        let rating = Rating::parse(value);
        if rating.is_none() {
            problems.push((part, msg("profile-rating-invalid")));
        }
        rating
    };
    let receive = rating("receive", raw.receive);
    let shared = rating("shared", raw.shared);
    let give = given(raw.give).and_then(|value| {
        let rating = GiveRating::parse(value);
        if rating.is_none() {
            problems.push(("give", msg("profile-rating-invalid")));
        }
        rating
    });
    let note = match Note::parse(raw.note.unwrap_or("")) {
        Ok(note) => note,
        Err(error) => {
            problems.push(("note", rule_message(&error)));
            None
        }
    };
    let answer = Answer {
        receive,
        give,
        shared,
        note,
    };
    if let Err(error) = answer.check(kind) {
        let part = if kind == ItemKind::Shared {
            "shared"
        } else {
            "receive"
        };
        problems.push((part, rule_message(&error)));
    }
    if problems.is_empty() {
        Ok(answer)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_has_words_for_every_category_and_item() {
        let catalog = checked_catalog().unwrap();
        assert_eq!(
            steps(catalog).last().map(String::as_str),
            Some(OWN_ITEMS_STEP)
        );
    }

    #[test]
    fn a_catalog_entry_without_words_is_named() {
        let catalog = Catalog::parse(
            "[[category]]\nid = \"closeness\"\n[[item]]\nid = \"moonlit-waltz\"\ncategory = \"closeness\"\nkind = \"shared\"\n",
        )
        .unwrap();
        assert_eq!(
            missing_words(&catalog, &I18n::default()),
            [
                "catalog-item-moonlit-waltz",
                "catalog-item-moonlit-waltz-description"
            ]
        );
    }

    #[test]
    fn raw_answers_are_read_strictly() {
        let raw = RawAnswer {
            receive: Some("love"),
            give: Some("if-you-like"),
            note: Some(" softly "),
            ..RawAnswer::default()
        };
        let answer = parse_answer(ItemKind::Given, &raw).unwrap();
        assert_eq!(answer.receive, Some(Rating::Love));
        assert_eq!(answer.give, Some(GiveRating::IfYouLike));
        assert_eq!(answer.note.unwrap().as_str(), "softly");

        let wrong = RawAnswer {
            receive: Some("adore"),
            give: Some("love"),
            ..RawAnswer::default()
        };
        let problems = parse_answer(ItemKind::Given, &wrong).unwrap_err();
        assert_eq!(
            problems.iter().map(|p| p.0).collect::<Vec<_>>(),
            ["receive", "give"]
        );

        let on_shared = RawAnswer {
            receive: Some("love"),
            ..RawAnswer::default()
        };
        assert!(parse_answer(ItemKind::Shared, &on_shared).is_err());
        let long = "x".repeat(2001);
        let long_note = RawAnswer {
            note: Some(&long),
            ..RawAnswer::default()
        };
        assert_eq!(
            parse_answer(ItemKind::Shared, &long_note).unwrap_err()[0].0,
            "note"
        );
    }
}
