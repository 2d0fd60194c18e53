//! The reveal rules against an independent oracle and against information-flow properties.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod merge;
mod reveal;
