//! Tend's web front, driven over real HTTP: a server on a random port with a fresh database,
//! on SQLite and (when `TEND_TEST_POSTGRES_URL` is set) PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod accounts;
mod api;
mod browser;
mod circles;
mod consent;
mod every_page;
mod helpers;
mod in_the_moment;
mod insights;
mod instances;
mod journey;
mod notifications;
mod profile;
mod profile_api;
mod routine_pages;
mod routines;
mod safety;
mod session_pages;
mod sessions;
mod time_zones;
mod together;
