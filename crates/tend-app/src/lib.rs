//! Tend's use cases, one module per concept of the design (accounts, profile, boundaries,
//! circles, routine, sessions, live signals, reflections, notes, follow-ups, notifications):
//! each a plain async function that takes the [`App`], who is asking, and typed input, and
//! returns a typed result or an [`Error`]. The pages and the JSON API are two front doors
//! over these same functions; the background worker and the live streams call them too.
//!
//! Architecture invariant: this crate knows nothing of HTTP, forms, JSON bodies, templates,
//! cookies or status codes. It is the only caller of the store: what a front door may learn
//! about a partner, it learns here, under the reveal rules.

mod app;
mod bus;
mod check_ins;
mod clock;
mod error;
mod passwords;
mod secrets;

pub mod accounts;
pub mod boundaries;
pub mod circles;
pub mod follow_ups;
pub mod health;
pub mod jobs;
pub mod live;
pub mod notes;
pub mod notifications;
pub mod profile;
pub mod reflections;
pub mod routine;
pub mod sessions;
pub mod signals;

pub use app::{App, Settings};
pub use clock::{Clock, now};
pub use error::{Error, Problem, Result, msg, rule_message};

/// The store's ids and records that use cases take and return.
pub use tend_store::{
    AppreciationId, Backend, BoundaryId, BoundaryRecord, CareSession, CareSessionId, CircleId,
    CircleMember, CircleRecord, CircleSummary, CustomItem, CustomItemId, FollowUp, FollowUpId,
    InviteId, InviteRecord, InviteView, Member, MemberId, Notification, NotificationId, ProposalId,
    ReflectionId, ReviewId, ReviewRecord, RoutineVersion, SignalRecord, Store, StoredCareSession,
};
