//! The aftercare catalog: data, not code. `catalog.toml` (embedded in the binary) lists the
//! categories and items with stable ids; their words live in the translation files.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Deserialize;

/// Whether one person does an item for another (rated for receiving and for giving), or
/// partners do it together (one rating).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Given,
    Shared,
}

impl ItemKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "given" => Some(Self::Given),
            "shared" => Some(Self::Shared),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Given => "given",
            Self::Shared => "shared",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub category: String,
    pub kind: ItemKind,
}

/// The whole catalog, in display order.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(rename = "category")]
    categories: Vec<Category>,
    #[serde(rename = "item")]
    items: Vec<Item>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog.toml cannot be read: {0}")]
    Syntax(String),
    #[error("catalog id {0:?} is not lowercase kebab-case of at most 40 characters")]
    BadId(String),
    #[error("catalog id {0:?} is used twice")]
    Duplicate(String),
    #[error("item {item:?} names an unknown category {category:?}")]
    UnknownCategory { item: String, category: String },
    #[error("category {0:?} has no items")]
    EmptyCategory(String),
}

static BUILTIN: LazyLock<Result<Catalog, CatalogError>> =
    LazyLock::new(|| Catalog::parse(include_str!("../catalog.toml")));

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Catalog {
    /// The catalog shipped in the binary; an error names the bad entry.
    pub fn builtin() -> Result<&'static Catalog, &'static CatalogError> {
        BUILTIN.as_ref()
    }

    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        let catalog: Catalog =
            toml::from_str(text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
        let mut seen = HashSet::new();
        let ids = catalog
            .categories
            .iter()
            .map(|c| &c.id)
            .chain(catalog.items.iter().map(|i| &i.id));
        for id in ids {
            if !is_id(id) {
                return Err(CatalogError::BadId(id.clone()));
            }
            if !seen.insert(id.as_str()) {
                return Err(CatalogError::Duplicate(id.clone()));
            }
        }
        for item in &catalog.items {
            if catalog.category(&item.category).is_none() {
                return Err(CatalogError::UnknownCategory {
                    item: item.id.clone(),
                    category: item.category.clone(),
                });
            }
        }
        if let Some(empty) = catalog
            .categories
            .iter()
            .find(|c| catalog.items_in(&c.id).next().is_none())
        {
            return Err(CatalogError::EmptyCategory(empty.id.clone()));
        }
        Ok(catalog)
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn items_in<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.category == category)
    }

    /// The category after / before `id` in display order.
    pub fn next_category(&self, id: &str) -> Option<&Category> {
        let at = self.categories.iter().position(|c| c.id == id)?;
        self.categories.get(at + 1)
    }

    pub fn previous_category(&self, id: &str) -> Option<&Category> {
        let at = self.categories.iter().position(|c| c.id == id)?;
        at.checked_sub(1).and_then(|i| self.categories.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_is_valid_and_covers_design_section_3() {
        let catalog = Catalog::builtin().unwrap();
        let categories: Vec<&str> = catalog.categories().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            categories,
            [
                "closeness",
                "words",
                "comfort-and-care",
                "calm",
                "space",
                "follow-up"
            ]
        );
        assert!(catalog.items().len() >= 45, "{}", catalog.items().len());
        for category in catalog.categories() {
            assert!(
                catalog.items_in(&category.id).count() >= 4,
                "{}",
                category.id
            );
        }
        assert!(catalog.items().iter().any(|i| i.kind == ItemKind::Shared));
        assert!(catalog.items().iter().any(|i| i.kind == ItemKind::Given));
    }

    #[test]
    fn a_broken_catalog_is_refused_naming_the_bad_entry() {
        let cases = [
            (
                "[[category]]\nid = \"a\"\n[[item]]\nid = \"x\"\ncategory = \"b\"\nkind = \"given\"\n",
                CatalogError::UnknownCategory {
                    item: "x".into(),
                    category: "b".into(),
                },
            ),
            (
                "[[category]]\nid = \"a\"\n[[item]]\nid = \"a\"\ncategory = \"a\"\nkind = \"given\"\n",
                CatalogError::Duplicate("a".into()),
            ),
            (
                "[[category]]\nid = \"A b\"\n[[item]]\nid = \"x\"\ncategory = \"A b\"\nkind = \"given\"\n",
                CatalogError::BadId("A b".into()),
            ),
            (
                "[[category]]\nid = \"a\"\n[[category]]\nid = \"b\"\n[[item]]\nid = \"x\"\ncategory = \"a\"\nkind = \"shared\"\n",
                CatalogError::EmptyCategory("b".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Catalog::parse(text).unwrap_err(), expected);
        }
        assert!(matches!(
            Catalog::parse("[[item]]\nid = \"x\"\ncategory = \"a\"\nkind = \"sometimes\"\n"),
            Err(CatalogError::Syntax(_))
        ));
    }

    #[test]
    fn categories_step_forward_and_back_in_order() {
        let catalog = Catalog::builtin().unwrap();
        assert_eq!(catalog.next_category("closeness").unwrap().id, "words");
        assert_eq!(catalog.previous_category("words").unwrap().id, "closeness");
        assert!(catalog.previous_category("closeness").is_none());
        assert!(catalog.next_category("follow-up").is_none());
    }
}
