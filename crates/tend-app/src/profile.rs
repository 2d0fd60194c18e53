//! A member's own aftercare needs: their answers to the catalog for each kind of session,
//! and the items they add for themselves. Sealed at rest; nobody else reads them except
//! through the reveal rules (`circles`).

use std::collections::HashMap;

use tend_core::catalog::ItemKind;
use tend_core::profile::{Answer, CustomLabel, GiveRating, Note, ProfileAnswers, Rating, Variant};
use tend_store::{CustomItem, CustomItemId, MemberId};

use crate::app::App;
use crate::clock;
use crate::error::{Error, Problem, Result, msg};

/// A member's answers (every kind of session) and their own items.
pub struct Profile {
    pub answers: ProfileAnswers,
    pub custom_items: Vec<CustomItem>,
}

pub async fn profile(app: &App, me: MemberId) -> Result<Profile> {
    Ok(Profile {
        answers: app.store.profile(me).await?,
        custom_items: app.store.custom_items(me).await?,
    })
}

/// The member's own items, oldest first.
pub async fn custom_items(app: &App, me: MemberId) -> Result<Vec<CustomItem>> {
    Ok(app.store.custom_items(me).await?)
}

/// One part of an answer as sent: left as it was, or set (`None` or "" is skipped).
#[derive(Clone, Debug, Default)]
pub enum Part {
    #[default]
    Keep,
    Set(Option<String>),
}

impl Part {
    fn over<'a>(&'a self, current: Option<&'a str>) -> Option<&'a str> {
        match self {
            Self::Keep => current,
            Self::Set(value) => value.as_deref(),
        }
    }
}

/// A change to one item's answer: a catalog id or `custom:<id>`, and its parts.
#[derive(Clone, Debug, Default)]
pub struct AnswerChange {
    pub item: String,
    pub receive: Part,
    pub give: Part,
    pub shared: Part,
    pub note: Part,
}

/// Changes some answers of one kind of session. Every answer is checked first: one mistake
/// and nothing is saved. A mistake names the part (`item`, `receive`, `give`, `shared`,
/// `note`) and the entry of `changes` it is in.
pub async fn save_answers(
    app: &App,
    me: MemberId,
    variant: Variant,
    changes: &[AnswerChange],
) -> Result<ProfileAnswers> {
    let custom = app.store.custom_items(me).await?;
    let kinds: HashMap<String, ItemKind> = app
        .catalog
        .items()
        .iter()
        .map(|item| (item.id.clone(), item.kind))
        .chain(custom.iter().map(|item| (item.key(), item.kind)))
        .collect();
    let current = app.store.profile(me).await?.effective(variant);
    let mut problems = Vec::new();
    let mut answers = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        let Some(kind) = kinds.get(&change.item) else {
            problems.push(Problem::new("item", msg("profile-item-unknown")).in_entry(index));
            continue;
        };
        let old = current.get(&change.item).cloned().unwrap_or_default();
        let raw = RawAnswer {
            receive: change.receive.over(old.receive.map(|r| r.as_str())),
            give: change.give.over(old.give.map(|r| r.as_str())),
            shared: change.shared.over(old.shared.map(|r| r.as_str())),
            note: change.note.over(old.note.as_ref().map(|n| n.as_str())),
        };
        match parse_answer(*kind, &raw) {
            Ok(answer) => answers.push((change.item.clone(), answer)),
            Err(parts) => problems.extend(parts.into_iter().map(|p| p.in_entry(index))),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let record = move |profile: &mut ProfileAnswers| {
        for (item, answer) in &answers {
            profile.record(variant, item, answer.clone());
        }
    };
    Ok(app.store.update_profile(me, &record, clock::now()).await?)
}

/// One item's raw answer: `None` or "" is skipped.
#[derive(Clone, Debug, Default)]
struct RawAnswer<'a> {
    receive: Option<&'a str>,
    give: Option<&'a str>,
    shared: Option<&'a str>,
    note: Option<&'a str>,
}

/// Reads a raw answer for an item of `kind`. Mistakes name the part.
fn parse_answer(kind: ItemKind, raw: &RawAnswer<'_>) -> Result<Answer, Vec<Problem>> {
    let mut problems = Vec::new();
    fn given(value: Option<&str>) -> Option<&str> {
        value.map(str::trim).filter(|v| !v.is_empty())
    }
    let mut rating = |part: &'static str, value: Option<&str>| -> Option<Rating> {
        let value = given(value)?;
        let rating = Rating::parse(value);
        if rating.is_none() {
            problems.push(Problem::new(part, msg("profile-rating-invalid")));
        }
        rating
    };
    let receive = rating("receive", raw.receive);
    let shared = rating("shared", raw.shared);
    let give = given(raw.give).and_then(|value| {
        let rating = GiveRating::parse(value);
        if rating.is_none() {
            problems.push(Problem::new("give", msg("profile-rating-invalid")));
        }
        rating
    });
    let note = match Note::parse(raw.note.unwrap_or("")) {
        Ok(note) => note,
        Err(error) => {
            problems.push(Problem::rule("note", &error));
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
        problems.push(Problem::rule(part, &error));
    }
    if problems.is_empty() {
        Ok(answer)
    } else {
        Err(problems)
    }
}

/// The label and kind of a custom item as sent, checked against the member's other items.
fn parse_custom_item(
    label: &str,
    kind: &str,
    others: &[&CustomItem],
) -> Result<(CustomLabel, ItemKind)> {
    let mut problems = Vec::new();
    let label = CustomLabel::parse(label, others.iter().map(|item| &item.label))
        .map_err(|e| problems.push(Problem::rule("label", &e)))
        .ok();
    let kind = ItemKind::parse(kind);
    if kind.is_none() {
        problems.push(Problem::new("kind", msg("profile-kind-invalid")));
    }
    match (label, kind) {
        (Some(label), Some(kind)) => Ok((label, kind)),
        _ => Err(Error::Invalid(problems)),
    }
}

/// Adds an item of the member's own: a label (1–80 characters, unlike their others) and a
/// kind (`given` or `shared`).
pub async fn add_custom_item(
    app: &App,
    me: MemberId,
    label: &str,
    kind: &str,
) -> Result<CustomItem> {
    let items = app.store.custom_items(me).await?;
    let others: Vec<&CustomItem> = items.iter().collect();
    let (label, kind) = parse_custom_item(label, kind, &others)?;
    Ok(app
        .store
        .create_custom_item(me, &label, kind, clock::now())
        .await?)
}

/// One of the member's own items; another member's, or none, is `NotFound`.
pub async fn custom_item(app: &App, me: MemberId, id: CustomItemId) -> Result<CustomItem> {
    app.store
        .custom_items(me)
        .await?
        .into_iter()
        .find(|item| item.id == id)
        .ok_or(Error::NotFound)
}

/// Renames an item or changes its kind. A new kind clears its answers, which were given for
/// the other kind.
pub async fn change_custom_item(
    app: &App,
    me: MemberId,
    id: CustomItemId,
    label: &str,
    kind: &str,
) -> Result<CustomItem> {
    let items = app.store.custom_items(me).await?;
    let item = items
        .iter()
        .find(|item| item.id == id)
        .cloned()
        .ok_or(Error::NotFound)?;
    let others: Vec<&CustomItem> = items.iter().filter(|i| i.id != id).collect();
    let (label, kind) = parse_custom_item(label, kind, &others)?;
    let changed = CustomItem {
        label,
        kind,
        ..item.clone()
    };
    app.store.update_custom_item(me, &changed).await?;
    if kind != item.kind {
        forget_answers(app, me, &item).await?;
    }
    Ok(changed)
}

/// Deletes an item of the member's own, and their answers to it.
pub async fn delete_custom_item(app: &App, me: MemberId, id: CustomItemId) -> Result<()> {
    let item = custom_item(app, me, id).await?;
    app.store.delete_custom_item(me, item.id).await?;
    forget_answers(app, me, &item).await
}

async fn forget_answers(app: &App, me: MemberId, item: &CustomItem) -> Result<()> {
    let key = item.key();
    app.store
        .update_profile(
            me,
            &move |p: &mut ProfileAnswers| p.forget(&key),
            clock::now(),
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            problems
                .iter()
                .map(|p| p.field.as_str())
                .collect::<Vec<_>>(),
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
            parse_answer(ItemKind::Shared, &long_note).unwrap_err()[0].field,
            "note"
        );
    }
}
