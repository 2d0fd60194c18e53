//! The ids of everything Tend keeps: random UUIDv7s, never sequential, safe to show in URLs.

use std::fmt;

use uuid::Uuid;

/// A member's id: a random UUIDv7, never sequential, safe to show in URLs.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MemberId(pub(crate) Uuid);

impl MemberId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }

    /// Reads a member id from a body; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Uuid::parse_str(text).ok().map(Self)
    }
}

impl Default for MemberId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Ids of rows a member owns, random (UUIDv7) and safe in URLs.
macro_rules! row_id {
    ($name:ident, $what:literal) => {
        #[doc = concat!("The id of ", $what, ".")]
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub(crate) Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Reads an id from a URL or a body; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text).ok().map(Self)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// The id a job's subject names.
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

row_id!(CustomItemId, "a member's custom item");
row_id!(BoundaryId, "a boundary entry");
row_id!(CircleId, "a circle");
row_id!(InviteId, "an invite link");
row_id!(ProposalId, "a proposed change to a routine");
row_id!(ReviewId, "a review of a routine");
row_id!(JobId, "a piece of background work");
row_id!(ReflectionId, "a member's reflection");
row_id!(
    CareSessionId,
    "a session: one encounter of some members of a circle"
);
row_id!(FollowUpId, "a follow-up in the drop window");
row_id!(AppreciationId, "a note of appreciation");
row_id!(
    NotificationId,
    "something in a member's notification centre"
);
