//! Words several pages share: members by name, a routine's steps and settings, the kinds
//! of session, a shared boundary.

use std::collections::{BTreeSet, HashMap};

use tend_app::{CircleRecord, MemberId};
use tend_core::boundaries::BoundaryKind;
use tend_core::profile::Variant;
use tend_core::routine::{Routine, StepWhat};

use crate::i18n::I18n;

pub fn names(circle: &CircleRecord) -> HashMap<MemberId, String> {
    circle
        .members
        .iter()
        .map(|m| (m.member.id, m.member.name().to_owned()))
        .collect()
}

/// A session a partner would like to plan, as the notice on the home and circle pages says.
pub fn planned_words(i18n: &I18n, planned: &tend_app::sessions::Waiting) -> String {
    let circle = planned.circle_name.as_str();
    let id = match (planned.aftercare, &planned.by, planned.yours) {
        (false, Some(_), _) => "planned-by",
        (false, None, true) => "planned-yours",
        (false, None, false) => "planned-someone",
        (true, Some(_), _) => "aftercare-open-by",
        (true, None, _) => "aftercare-open",
    };
    let name = planned.by.as_deref().unwrap_or_default();
    i18n.t_with(id, &[("name", name), ("circle", circle)])
}

/// Names in a sentence: "Sam", "Sam and Alex", "Sam, Alex and Kim".
pub fn names_and(i18n: &I18n, names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            i18n.t_with("names-and", &[("rest", &rest.join(", ")), ("last", last)])
        }
        _ => names.join(""),
    }
}

/// What a step is and how long it takes.
pub fn step_what(i18n: &I18n, step: &tend_core::routine::Step<MemberId>) -> String {
    let mut words = match &step.what {
        StepWhat::Item(item) => i18n.t(&format!("catalog-item-{item}")),
        StepWhat::Text(text) => text.clone(),
    };
    if let Some(minutes) = step.minutes {
        words.push_str(&format!(
            " · {}",
            i18n.t_count("routine-minutes", u32::from(minutes))
        ));
    }
    words
}

/// A step in words: what, how long, for whom, from whom.
pub fn step_words(
    i18n: &I18n,
    names: &HashMap<MemberId, String>,
    step: &tend_core::routine::Step<MemberId>,
) -> String {
    let list = |set: &BTreeSet<MemberId>| {
        set.iter()
            .filter_map(|m| names.get(m).cloned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut words = step_what(i18n, step);
    // Only those still in the circle are named: someone who left is not, and a step named
    // for nobody left says nothing of it.
    for (label, who) in [
        ("routine-for", list(&step.for_members)),
        ("routine-from", list(&step.from_members)),
    ] {
        if !who.is_empty() {
            words.push_str(&format!(" · {} {who}", i18n.t(label)));
        }
    }
    words
}

/// The steps grouped by whom they are for ("For Sam: water, a blanket"), members in the
/// circle's order; steps for nobody in particular come last, as care for everyone.
pub fn per_person(
    i18n: &I18n,
    circle: &CircleRecord,
    routine: &Routine<MemberId>,
) -> Vec<(String, String)> {
    let steps_where = |wanted: &dyn Fn(&BTreeSet<MemberId>) -> bool| {
        routine
            .steps
            .iter()
            .filter(|step| wanted(&step.for_members))
            .map(|step| step_what(i18n, step))
            .collect::<Vec<_>>()
            .join(", ")
    };
    circle
        .members
        .iter()
        .map(|m| {
            (
                i18n.t_with("routine-for-person", &[("name", m.member.name())]),
                steps_where(&|set| set.contains(&m.member.id)),
            )
        })
        .chain([(
            i18n.t("routine-for-everyone"),
            steps_where(&BTreeSet::is_empty),
        )])
        .filter(|(_, steps)| !steps.is_empty())
        .collect()
}

pub fn variant_words(i18n: &I18n, variant: Variant) -> String {
    i18n.t(&format!("profile-variant-{}", variant.as_str()))
}

pub fn settings_words(i18n: &I18n, routine: &Routine<MemberId>) -> Vec<(String, String)> {
    let s = &routine.settings;
    let mut rows = vec![
        (i18n.t("routine-stop-word"), s.stop_word.clone()),
        (i18n.t("routine-slow-word"), s.slow_word.clone()),
    ];
    if let Some(signal) = &s.nonverbal_signal {
        rows.push((i18n.t("routine-nonverbal"), signal.clone()));
    }
    rows.push((
        i18n.t("routine-check-in-setting"),
        s.check_in_minutes.map_or_else(
            || i18n.t("routine-none"),
            |m| i18n.t_count("routine-minutes", u32::from(m)),
        ),
    ));
    rows.push((
        i18n.t("routine-follow-ups-setting"),
        s.follow_up_hours
            .iter()
            .map(|h| format!("{h} h"))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    rows.push((i18n.t("routine-variant"), variant_words(i18n, s.variant)));
    rows
}

/// A shared boundary in words: its kind, and what the member wrote (or chose).
pub fn boundary_words(i18n: &I18n, boundary: &tend_core::Boundary) -> (String, String) {
    let kind = i18n.t(&format!("boundary-{}", boundary.kind.as_str()));
    let detail = match (&boundary.kind, &boundary.condition) {
        (BoundaryKind::StressResponse, _) => i18n.t(&format!("boundary-stress-{}", boundary.text)),
        (BoundaryKind::OverrideImFine, _) => {
            i18n.t(&format!("boundary-override-{}", boundary.text))
        }
        (_, Some(condition)) => format!(
            "{} ({} {})",
            boundary.text,
            i18n.t("boundary-condition"),
            condition
        ),
        _ => boundary.text.clone(),
    };
    (kind, detail)
}
