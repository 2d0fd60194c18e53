//! Things said the same way on pages and in the API: days and dates, a partner's shared
//! reflection entries, and what a notification is about (neutral words in discreet mode).

use tend_app::Notification;
use tend_app::notifications::Shown;
use tend_core::Timestamp;
use tend_core::insights::{Mood, SharedReflection};

use crate::i18n::{I18n, msg};

/// The day of the week of `at`, in words ("Saturday"), to say which session is meant.
pub fn weekday(i18n: &I18n, at: Timestamp) -> String {
    let day = time::OffsetDateTime::from_unix_timestamp(at.unix_seconds())
        .map(|t| t.weekday().number_days_from_monday())
        .unwrap_or(0);
    i18n.t(&format!("weekday-{day}"))
}

/// The date of `at`, as 2026-12-02.
pub fn date(at: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(at.unix_seconds())
        .map(|moment| moment.date().to_string())
        .unwrap_or_default()
}

/// A partner's shared entries in words: "From their reflection: mood 4 of 5 · …".
pub fn shared_reflection(i18n: &I18n, shared: &SharedReflection) -> String {
    let mut parts = Vec::new();
    let level = |id: &str, mood: Mood| i18n.t_with(id, &[("value", &mood.value().to_string())]);
    if let Some(mood) = shared.mood {
        parts.push(level("shared-mood", mood));
    }
    if let Some(energy) = shared.energy {
        parts.push(level("shared-energy", energy));
    }
    if !shared.feelings.is_empty() {
        let feelings: Vec<String> = shared
            .feelings
            .iter()
            .map(|f| i18n.t(&format!("feeling-{}", f.as_str())))
            .collect();
        parts.push(i18n.t_with("shared-feelings", &[("feelings", &feelings.join(", "))]));
    }
    for (id, text) in [
        ("shared-felt-good", &shared.felt_good),
        ("shared-to-change", &shared.to_change),
        ("shared-safeword-used", &shared.safeword_used),
    ] {
        if !text.is_empty() {
            parts.push(i18n.t_with(id, &[("text", text)]));
        }
    }
    i18n.t_with("shared-intro", &[("entries", &parts.join(" · "))])
}

/// What kind of thing a notification is, in one word.
pub fn notification_kind(notification: &Notification) -> &'static str {
    match notification {
        Notification::FollowUp { .. } => "follow-up",
        Notification::Appreciation { .. } => "appreciation",
        Notification::ExtraCare { .. } => "extra-care",
        Notification::SharedReflection { .. } => "shared-reflection",
        Notification::Proposal { .. } => "proposal",
        Notification::Review { .. } => "review",
        Notification::Joined { .. } => "joined",
        Notification::SessionPlanned { .. } => "session-planned",
    }
}

/// Where a notification leads.
pub fn notification_link(notification: &Notification) -> String {
    match notification {
        Notification::FollowUp { .. } => "/follow-ups".to_owned(),
        Notification::Appreciation { .. }
        | Notification::ExtraCare { .. }
        | Notification::SharedReflection { .. } => "/follow-ups#notes".to_owned(),
        Notification::Proposal { circle, .. } | Notification::Review { circle } => {
            format!("/circles/{circle}/routine")
        }
        Notification::Joined { circle, .. } => format!("/circles/{circle}#confirm"),
        Notification::SessionPlanned { session, .. } => format!("/sessions/{session}#ready"),
    }
}

/// A notification in words: in discreet mode only what kind of thing is waiting, else what
/// it is about and from whom.
pub fn notification_text(i18n: &I18n, discreet: bool, shown: &Shown) -> String {
    if discreet {
        return i18n.t(discreet_words(&shown.notification));
    }
    let from = || {
        shown
            .from
            .clone()
            .unwrap_or_else(|| i18n.t("notification-someone"))
    };
    let circle = || {
        shown
            .circle
            .clone()
            .unwrap_or_else(|| i18n.t("notification-a-circle"))
    };
    match &shown.notification {
        Notification::FollowUp { session_at, .. } => i18n.t_with(
            "follow-up-question",
            &[("day", &weekday(i18n, *session_at))],
        ),
        Notification::Appreciation { .. } => {
            i18n.t_with("notification-appreciation", &[("name", &from())])
        }
        Notification::ExtraCare { .. } => i18n.t_with("care-wanted", &[("name", &from())]),
        Notification::SharedReflection { .. } => {
            i18n.t_with("notification-shared-reflection", &[("name", &from())])
        }
        Notification::Proposal { .. } => i18n.t_with(
            "notification-proposal",
            &[("name", &from()), ("circle", &circle())],
        ),
        Notification::Review { .. } => i18n.t_with("notification-review", &[("circle", &circle())]),
        Notification::Joined { .. } => i18n.t_with(
            "notification-joined",
            &[("name", &from()), ("circle", &circle())],
        ),
        Notification::SessionPlanned { .. } => i18n.t_with(
            "notification-session-planned",
            &[("name", &from()), ("circle", &circle())],
        ),
    }
}

/// Discreet mode's words: what kind of thing is waiting, and nothing about it.
fn discreet_words(notification: &Notification) -> &'static str {
    match notification {
        Notification::FollowUp { .. } => msg("notification-discreet-reminder"),
        Notification::Appreciation { .. }
        | Notification::ExtraCare { .. }
        | Notification::SharedReflection { .. } => msg("notification-discreet-message"),
        Notification::Proposal { .. }
        | Notification::Review { .. }
        | Notification::Joined { .. }
        | Notification::SessionPlanned { .. } => msg("notification-discreet-reply"),
    }
}
