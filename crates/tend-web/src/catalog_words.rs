//! The catalog in words, for pages and the API alike: the guided profile's steps and their
//! titles, and each item with its label and description in the member's language.

use tend_app::CustomItem;
use tend_core::catalog::{Catalog, ItemKind};

use crate::i18n::I18n;

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
}
