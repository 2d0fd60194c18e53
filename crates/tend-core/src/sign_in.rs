//! When a signed-in session is still alive: an idle timeout and an absolute lifetime.

use std::time::Duration;

use crate::time::Timestamp;

/// How long a session lives. Both limits apply: a session ends after `idle` without use, and
/// after `absolute` whatever happens, so a phone left signed in does not stay signed in forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl SessionPolicy {
    /// Whether a session created at `created` and last used at `last_seen` is alive at `now`.
    pub fn is_alive(&self, created: Timestamp, last_seen: Timestamp, now: Timestamp) -> bool {
        now < last_seen.after(self.idle) && now < created.after(self.absolute)
    }

    /// Whether a use at `now` should be written back as the new `last_seen`. Writing at most
    /// once a minute keeps page views from turning into a write each.
    pub fn should_touch(&self, last_seen: Timestamp, now: Timestamp) -> bool {
        now >= last_seen.after(Duration::from_secs(60))
    }
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(2 * 60 * 60),
            absolute: Duration::from_secs(7 * 24 * 60 * 60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_seconds(seconds)
    }

    const POLICY: SessionPolicy = SessionPolicy {
        idle: Duration::from_secs(100),
        absolute: Duration::from_secs(1000),
    };

    #[test]
    fn a_session_used_recently_is_alive() {
        assert!(POLICY.is_alive(at(0), at(950), at(999)));
    }

    #[test]
    fn a_session_idle_for_the_whole_timeout_has_ended() {
        assert!(!POLICY.is_alive(at(0), at(10), at(110)));
        assert!(POLICY.is_alive(at(0), at(10), at(109)));
    }

    #[test]
    fn a_session_ends_at_its_absolute_lifetime_even_when_in_use() {
        assert!(!POLICY.is_alive(at(0), at(999), at(1000)));
    }

    #[test]
    fn last_seen_is_written_at_most_once_a_minute() {
        assert!(!POLICY.should_touch(at(100), at(159)));
        assert!(POLICY.should_touch(at(100), at(160)));
    }
}
