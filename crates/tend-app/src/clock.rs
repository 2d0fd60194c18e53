//! The server's clock: the one place that reads the system time, plus a shared offset
//! that tests move forward to see follow-ups and reviews come due.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tend_core::Timestamp;

/// The server's time: the system clock, moved forward by `advance` (tests only do that).
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        now().after(Duration::from_secs(
            u64::try_from(self.offset_seconds.load(Ordering::Relaxed)).unwrap_or(0),
        ))
    }

    /// Moves this server's time forward by `by`, for tests of what comes due later.
    pub fn advance(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "the domain takes time as a parameter; this is where it comes from"
)]
pub fn now() -> Timestamp {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    Timestamp::from_unix_seconds(i64::try_from(seconds).unwrap_or(i64::MAX))
}
