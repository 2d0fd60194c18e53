//! Time as a plain value: seconds since the Unix epoch, passed in by the caller.

use std::time::Duration;

/// A moment, in whole seconds since 1970-01-01 UTC. Tend never needs finer time, and whole
/// seconds keep timestamps identical on SQLite and PostgreSQL.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The moment `duration` after this one (saturating, so huge settings cannot overflow).
    pub fn after(self, duration: Duration) -> Self {
        let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(seconds))
    }

    /// The moment `duration` before this one (saturating).
    pub fn before(self, duration: Duration) -> Self {
        let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(seconds))
    }
}
