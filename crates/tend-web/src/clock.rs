//! The web layer's clock: the one place that reads the system time.

use tend_core::Timestamp;

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
