//! Things said the same way on pages and in the API: days, dates and clock times in the
//! member's own time zone, how long until something, a partner's shared reflection entries,
//! and what a notification is about (neutral words in discreet mode).

use jiff::tz::TimeZone;
use tend_app::Notification;
use tend_app::notifications::Shown;
use tend_core::Timestamp;
use tend_core::insights::{Mood, SharedReflection};

use crate::i18n::{I18n, msg};

/// A member's time zone, as their browser said it: an IANA name the time zone database
/// knows, or UTC. Times are always said in it, never in the server's zone. It lives in the
/// browser's cookie only: nothing of it is stored or logged.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    name: String,
}

impl Default for Zone {
    fn default() -> Self {
        Self::utc()
    }
}

impl Zone {
    pub fn utc() -> Self {
        Self {
            tz: TimeZone::UTC,
            name: "UTC".to_owned(),
        }
    }

    /// The zone named `name` ("Pacific/Auckland"), when the time zone database knows it; its
    /// name as the database spells it.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        let plausible = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        if !plausible {
            return None;
        }
        let tz = jiff::tz::db().get(name).ok()?;
        let name = tz.iana_name().unwrap_or(name).to_owned();
        Some(Self { tz, name })
    }

    /// The zone the browser said (the `tz` cookie), or UTC when it said none or one the
    /// database does not know.
    pub fn from_browser(said: Option<&str>) -> Self {
        said.and_then(Self::parse).unwrap_or_else(Self::utc)
    }

    /// Its IANA name ("Pacific/Auckland"), or "UTC".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `at` on the zone's clocks; `None` only for moments no calendar holds.
    fn local(&self, at: Timestamp) -> Option<jiff::ZonedDateTime> {
        let at = jiff::Timestamp::from_second(at.unix_seconds()).ok()?;
        Some(at.to_zoned_datetime(self.tz.clone()))
    }
}

/// The time of day of `at` in `zone`, 24-hour: "22:31".
pub fn clock(zone: &Zone, at: Timestamp) -> String {
    zone.local(at)
        .map(|local| format!("{:02}:{:02}", local.hour(), local.minute()))
        .unwrap_or_default()
}

/// The day of the week and time of day of `at` in `zone`: "Thursday 10:00".
pub fn day_and_clock(i18n: &I18n, zone: &Zone, at: Timestamp) -> String {
    i18n.t_with(
        "day-and-clock",
        &[
            ("day", &weekday_in(i18n, zone, at)),
            ("clock", &clock(zone, at)),
        ],
    )
}

/// How far `at` is from `now`, in words: "in 5 hours", "in 2 days", "10 minutes ago", "now".
/// Rounded to the nearest minute, hour or day (minutes under an hour, hours under a day);
/// counted in elapsed time, so a change of the clocks in between does not change it.
pub fn from_now(i18n: &I18n, now: Timestamp, at: Timestamp) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let seconds = at.unix_seconds().saturating_sub(now.unix_seconds());
    let ahead = seconds >= 0;
    let distance = seconds.saturating_abs();
    let rounded = |unit: i64| distance.saturating_add(unit / 2) / unit;
    let (unit, count) = if distance < MINUTE {
        return i18n.t(msg("relative-now"));
    } else if rounded(MINUTE) < 60 {
        ("minutes", rounded(MINUTE))
    } else if rounded(HOUR) < 24 {
        ("hours", rounded(HOUR))
    } else {
        ("days", rounded(DAY))
    };
    let id = if ahead {
        format!("relative-in-{unit}")
    } else {
        format!("relative-{unit}-ago")
    };
    i18n.t_count(&id, u32::try_from(count).unwrap_or(u32::MAX))
}

/// The day of the week of `at` in `zone`, in words ("Saturday"), to say which session is
/// meant.
pub fn weekday_in(i18n: &I18n, zone: &Zone, at: Timestamp) -> String {
    let day = zone
        .local(at)
        .map_or(0, |local| local.weekday().to_monday_zero_offset());
    i18n.t(&format!("weekday-{day}"))
}

/// The date of `at` in `zone`, as 2026-12-02.
pub fn date(zone: &Zone, at: Timestamp) -> String {
    zone.local(at)
        .map(|local| local.date().to_string())
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
        Notification::AftercareStarted { .. } => "aftercare-started",
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
        Notification::AftercareStarted { session, .. } => format!("/sessions/{session}"),
    }
}

/// A notification in words: in discreet mode only what kind of thing is waiting, else what
/// it is about and from whom (days said in `zone`).
pub fn notification_text(i18n: &I18n, zone: &Zone, discreet: bool, shown: &Shown) -> String {
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
            &[("day", &weekday_in(i18n, zone, *session_at))],
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
        Notification::AftercareStarted { .. } => i18n.t_with(
            "notification-aftercare-started",
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
        | Notification::SessionPlanned { .. }
        | Notification::AftercareStarted { .. } => msg("notification-discreet-reply"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A moment given as UTC wall time.
    fn utc(text: &str) -> Timestamp {
        let at: jiff::Timestamp = format!("{text}Z").parse().unwrap();
        Timestamp::from_unix_seconds(at.as_second())
    }

    fn zone(name: &str) -> Zone {
        Zone::parse(name).unwrap()
    }

    const HOUR: i64 = 60 * 60;

    fn later(at: Timestamp, seconds: i64) -> Timestamp {
        Timestamp::from_unix_seconds(at.unix_seconds() + seconds)
    }

    #[test]
    fn a_zone_the_database_knows_is_kept_under_its_own_name() {
        assert_eq!(zone("Pacific/Auckland").name(), "Pacific/Auckland");
        assert_eq!(zone("america/los_angeles").name(), "America/Los_Angeles");
        assert_eq!(zone("Etc/GMT+5").name(), "Etc/GMT+5");
    }

    #[test]
    fn an_unknown_or_odd_zone_is_utc() {
        for said in [
            None,
            Some(""),
            Some("Mars/Olympus_Mons"),
            Some("../../etc/passwd"),
            Some("Europe/Berlin; Path=/"),
            Some("<script>"),
            Some(&*"A".repeat(200)),
        ] {
            assert_eq!(Zone::from_browser(said).name(), "UTC", "{said:?}");
        }
        assert_eq!(Zone::from_browser(Some("Asia/Tokyo")).name(), "Asia/Tokyo");
    }

    #[test]
    fn the_same_moment_is_a_different_day_and_time_in_each_zone() {
        let i18n = I18n::default();
        // Wednesday 2026-12-02 22:31 UTC.
        let at = utc("2026-12-02T22:31:00");
        assert_eq!(clock(&Zone::utc(), at), "22:31");
        assert_eq!(day_and_clock(&i18n, &Zone::utc(), at), "Wednesday 22:31");
        // Summer in New Zealand: UTC+13.
        let auckland = zone("Pacific/Auckland");
        assert_eq!(day_and_clock(&i18n, &auckland, at), "Thursday 11:31");
        assert_eq!(date(&auckland, at), "2026-12-03");
        // Winter in California: UTC-8.
        let los_angeles = zone("America/Los_Angeles");
        assert_eq!(day_and_clock(&i18n, &los_angeles, at), "Wednesday 14:31");
        assert_eq!(date(&los_angeles, at), "2026-12-02");
        assert_eq!(weekday_in(&i18n, &auckland, at), "Thursday");
        assert_eq!(weekday_in(&i18n, &Zone::utc(), at), "Wednesday");
    }

    #[test]
    fn clocks_follow_daylight_saving_time_in_both_directions() {
        let i18n = I18n::default();
        let los_angeles = zone("America/Los_Angeles");
        // 2026-03-08: clocks in California go from 02:00 to 03:00.
        let before = utc("2026-03-08T09:59:00");
        assert_eq!(clock(&los_angeles, before), "01:59");
        assert_eq!(clock(&los_angeles, later(before, 60)), "03:00");
        // Twelve hours after Saturday 22:00 is Sunday 11:00 there, not 10:00.
        let evening = utc("2026-03-08T06:00:00");
        assert_eq!(
            day_and_clock(&i18n, &los_angeles, evening),
            "Saturday 22:00"
        );
        assert_eq!(
            day_and_clock(&i18n, &los_angeles, later(evening, 12 * HOUR)),
            "Sunday 11:00"
        );
        // 2026-04-05: clocks in New Zealand go back from 03:00 to 02:00.
        let auckland = zone("Pacific/Auckland");
        let saturday = utc("2026-04-04T09:00:00");
        assert_eq!(day_and_clock(&i18n, &auckland, saturday), "Saturday 22:00");
        assert_eq!(
            day_and_clock(&i18n, &auckland, later(saturday, 12 * HOUR)),
            "Sunday 09:00"
        );
        // The hour that happens twice is said as the clocks show it, both times.
        let first = utc("2026-04-04T13:30:00");
        assert_eq!(clock(&auckland, first), "02:30");
        assert_eq!(clock(&auckland, later(first, HOUR)), "02:30");
    }

    #[test]
    fn how_far_off_something_is_in_words() {
        let i18n = I18n::default();
        let now = utc("2026-12-02T22:31:00");
        let cases = [
            (0, "now"),
            (59, "now"),
            (60, "in 1 minute"),
            (10 * 60, "in 10 minutes"),
            (59 * 60 + 29, "in 59 minutes"),
            (59 * 60 + 30, "in 1 hour"),
            (5 * HOUR, "in 5 hours"),
            (12 * HOUR - 60, "in 12 hours"),
            (23 * HOUR + 29 * 60, "in 23 hours"),
            (23 * HOUR + 30 * 60, "in 1 day"),
            (24 * HOUR, "in 1 day"),
            (48 * HOUR, "in 2 days"),
            (72 * HOUR - 60, "in 3 days"),
            (168 * HOUR, "in 7 days"),
            (-90, "2 minutes ago"),
            (-2 * HOUR, "2 hours ago"),
            (-3 * 24 * HOUR, "3 days ago"),
        ];
        for (seconds, words) in cases {
            assert_eq!(
                from_now(&i18n, now, later(now, seconds)),
                words,
                "{seconds} s"
            );
        }
    }

    #[test]
    fn elapsed_days_are_days_even_across_a_change_of_the_clocks() {
        let i18n = I18n::default();
        // Saturday 22:00 in California, the night before the clocks go forward.
        let now = utc("2026-03-08T06:00:00");
        assert_eq!(from_now(&i18n, now, later(now, 48 * HOUR)), "in 2 days");
    }
}
