//! The store conformance suite: every test runs on SQLite, and on PostgreSQL when
//! `TEND_TEST_POSTGRES_URL` is set, against a fresh database each.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod conformance;
mod migrations;
mod threat_model;
