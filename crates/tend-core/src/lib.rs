//! Tend's domain, free of IO: members, credentials and sessions; the aftercare catalog, the
//! profile and boundaries.
//!
//! Architecture invariant: this crate does no IO, reads no clock and makes no randomness of
//! its own. Time comes in as a [`Timestamp`] and random bytes come in as arguments, so every
//! rule here is a plain function that tests can drive exactly.

pub mod boundaries;
pub mod catalog;
pub mod circle;
pub mod insights;
pub mod member;
pub mod profile;
pub mod recovery;
pub mod reveal;
pub mod routine;
mod rule;
pub mod session;
pub mod sign_in;
pub mod time;

pub use boundaries::{Boundary, BoundaryGroup, BoundaryKind};
pub use catalog::{Catalog, ItemKind};
pub use member::{DisplayName, NewPassword, Pronouns, Username};
pub use profile::{
    Answer, Answers, CustomLabel, GiveRating, Note, ProfileAnswers, Rating, Variant,
};
pub use recovery::RecoveryCode;
pub use rule::Rule;
pub use sign_in::SessionPolicy;
pub use time::Timestamp;
