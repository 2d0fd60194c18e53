//! Tend's persistence: one [`Store`] API, implemented for SQLite (embedded, the default) and
//! PostgreSQL (for several instances), chosen at run time from the database URL.
//!
//! Architecture invariants: no SQL outside this crate; every store test runs on both backends
//! (the conformance suite in `tests/it`); sensitive free text is sealed here, on its way in and
//! out, so no other crate ever sees ciphertext or keys.

mod backend;
mod postgres;
pub mod seal;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use tend_core::circle::{CircleName, CircleSharing};
use tend_core::routine::{Proposal, Routine};
use tend_core::{
    Boundary, CustomLabel, DisplayName, ItemKind, ProfileAnswers, Pronouns, Timestamp, Username,
};
use uuid::Uuid;

pub use postgres::PostgresStore;
pub use seal::MasterKey;
pub use sqlite::SqliteStore;

/// A member's id: a random UUIDv7, never sequential, safe to show in URLs.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MemberId(Uuid);

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
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

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

/// Kinds of background work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Looks at a circle's routines and starts the reviews that have fallen due.
    RoutineReview,
    /// Sends a live session its check-in prompt, at the routine's cadence.
    CheckIn,
    /// Delivers a follow-up to its member's notification centre when it comes due.
    FollowUp,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RoutineReview => "routine-review",
            Self::CheckIn => "check-in",
            Self::FollowUp => "follow-up",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::RoutineReview, Self::CheckIn, Self::FollowUp]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A job an instance has claimed: it holds the lease until `claimed_until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    /// `None` for a kind this version does not know (written by a newer one).
    pub kind: Option<JobKind>,
    /// The row the work is about (a circle, for reviews).
    pub subject: Uuid,
    pub run_at: Timestamp,
    pub claimed_until: Timestamp,
}

/// A review round of one routine version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewRecord {
    /// The version under review.
    pub version: u32,
    pub started_at: i64,
    pub answers: std::collections::BTreeMap<MemberId, tend_core::routine::ReviewAnswer>,
    /// The proposal it turned into, once everyone answered.
    pub proposal: Option<ProposalId>,
}

/// A session as kept: the state machine's view, and what the pages show along the way.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CareSession {
    pub session: tend_core::session::Session<MemberId>,
    /// The kind of session, and the routine version it follows.
    pub variant: tend_core::Variant,
    pub routine_version: u32,
    pub readiness: std::collections::BTreeMap<MemberId, tend_core::session::Readiness>,
    /// Steps of the routine ticked during aftercare.
    pub steps_done: std::collections::BTreeSet<u32>,
    pub started_at: i64,
}

/// A kept session with its circle and revision (for saving it back without losing a change
/// made meanwhile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCareSession {
    pub id: CareSessionId,
    pub circle: CircleId,
    pub revision: i64,
    pub record: CareSession,
}

/// A live signal, as kept until its session closes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignalRecord {
    pub signal: tend_core::session::Signal,
    /// Who sent it; `None` for Tend's own check-in prompt.
    pub from: Option<MemberId>,
}

/// What is kept in view of a past session: its kind, when aftercare began, and the routine
/// version it followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastSession {
    pub variant: tend_core::Variant,
    pub aftercare_at: Timestamp,
    pub routine_version: u32,
}

/// A note for a partner after a session: specific appreciation in the sender's words, the
/// entries of their reflection the sender chose to share, or (from a follow-up answered 🟡
/// or 🔴) that the sender could use some extra care today, with no details.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Appreciation {
    pub from: MemberId,
    pub session: CareSessionId,
    pub text: String,
    #[serde(default)]
    pub care_wanted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reflection: Option<tend_core::insights::SharedReflection>,
}

/// What a notification is about. It names things (a follow-up, a circle, a partner) and holds
/// no words of anyone's: the centre says it in the reader's language, neutral in discreet mode.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Notification {
    /// A follow-up in the drop window has come.
    FollowUp {
        follow_up: FollowUpId,
        session_at: Timestamp,
    },
    /// A partner sent a note of appreciation.
    Appreciation { from: MemberId },
    /// A partner could use some extra care today.
    ExtraCare { from: MemberId },
    /// A partner shared part of their reflection.
    SharedReflection { from: MemberId },
    /// A change to a routine is waiting for the member's answer.
    Proposal { circle: CircleId, from: MemberId },
    /// A routine review has started.
    Review { circle: CircleId },
}

/// A notification as the centre shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredNotification {
    pub id: NotificationId,
    pub at: Timestamp,
    pub seen: bool,
    pub notification: Notification,
}

/// A follow-up in the drop window, for one participant.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FollowUp {
    pub session: CareSessionId,
    pub circle: CircleId,
    /// Hours after aftercare began.
    pub hours: u16,
    /// When aftercare began, to say which session it is about.
    pub session_at: Timestamp,
    pub answer: Option<tend_core::session::FollowUpAnswer>,
}

/// One agreed version of a circle's routine.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoutineVersion {
    pub version: u32,
    pub author: MemberId,
    pub created_at: i64,
    pub routine: Routine<MemberId>,
}

/// A circle as its members list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircleSummary {
    pub id: CircleId,
    pub name: CircleName,
    pub members: usize,
}

/// One member of a circle, as the circle's members see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircleMember {
    pub member: Member,
    pub locked: bool,
    pub sharing: CircleSharing,
    /// The digest of their answers at the circle's last reveal, if it revealed.
    pub reveal_digest: Option<[u8; 32]>,
}

/// A circle, opened for one of its members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircleRecord {
    pub id: CircleId,
    pub name: CircleName,
    /// In the order they joined.
    pub members: Vec<CircleMember>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRecord {
    pub id: InviteId,
    pub circle: CircleId,
    pub expires_at: Timestamp,
    pub used: bool,
    pub revoked: bool,
}

/// Why an invite link did not let someone join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinRefusal {
    /// Used, expired, revoked or never issued: the link does not work (the page does not say
    /// which, beyond "used or expired").
    Unusable,
    AlreadyMember,
    Full,
}

/// An item a member added for themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomItem {
    pub id: CustomItemId,
    pub label: CustomLabel,
    pub kind: ItemKind,
}

impl CustomItem {
    /// How answers name this item: `custom:<id>`, never confused with a catalog id.
    pub fn key(&self) -> String {
        format!("custom:{}", self.id)
    }
}

/// A stored boundary entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundaryRecord {
    pub id: BoundaryId,
    pub boundary: Boundary,
    /// When it was last written, so a session's brief can tell what is new.
    pub updated_at: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value (e.g. a username) is already taken.
    #[error("already exists")]
    Conflict,
    #[error(
        "the master key does not match the keystore: every instance of one database needs \
         the same master key (--master-key-file / TEND_MASTER_KEY_FILE)"
    )]
    WrongMasterKey,
    /// The database was migrated by a newer Tend; this one must not touch it.
    #[error(
        "the database was set up by a newer version of Tend (schema {found}; this version \
         knows up to {known}): run the newer version, or restore a backup taken before it"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("sealing at rest failed: {0}")]
    Seal(#[from] seal::SealError),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a sealed value does not have the expected shape: {0}")]
    Shape(#[from] serde_json::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            _ => Self::Database(error),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A member as the rest of Tend sees them: sealed fields already opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub username: String,
    pub display_name: Option<String>,
    pub pronouns: Option<String>,
    pub created_at: Timestamp,
    /// Discreet mode: a neutral name and neutral notification words.
    pub discreet: bool,
}

impl Member {
    /// What to call the member on a page: their display name, else their username.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }
}

pub struct NewMember {
    pub username: Username,
    /// An argon2id PHC string; the store never sees a password.
    pub password_hash: String,
    pub display_name: Option<DisplayName>,
    pub pronouns: Option<Pronouns>,
    /// SHA-256 hashes of the member's first recovery codes.
    pub recovery_code_hashes: Vec<[u8; 32]>,
}

/// What sign-in needs: who, and the hash to check the password against.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub member_id: MemberId,
    pub password_hash: String,
}

/// A signed-in browser session, found by the hash of its cookie value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub member_id: MemberId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// Everything Tend keeps, behind one API with an implementation per database.
/// What the other instances on a shared database announced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// Something about this topic changed; read it again from the store.
    Topic(String),
    /// The connection was lost and is back: anything announced meanwhile was missed, so
    /// everything followed should be read again.
    Reconnected,
}

/// A running subscription to what other instances announce.
#[async_trait]
pub trait Announcements: Send {
    /// The next announcement; an error when the database cannot be reached right now.
    async fn next(&mut self) -> StoreResult<Heard>;
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which database this is, for logs and `/readyz`.
    fn backend(&self) -> Backend;

    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Creates a member with a fresh data key. `Conflict` if the username is taken.
    async fn create_member(&self, new: NewMember, now: Timestamp) -> StoreResult<Member>;
    /// `NotFound` if there is no such member.
    async fn member(&self, id: MemberId) -> StoreResult<Member>;
    /// Looks a member up by the canonical (lower-case) username.
    async fn credentials(&self, username_canonical: &str) -> StoreResult<Option<Credentials>>;
    async fn set_password_hash(&self, id: MemberId, password_hash: &str) -> StoreResult<()>;

    /// Marks one unused recovery code as used; false if it was not an unused code of this member.
    async fn use_recovery_code(
        &self,
        id: MemberId,
        code_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn unused_recovery_codes(&self, id: MemberId) -> StoreResult<u32>;
    /// Replaces all of a member's recovery codes (the old ones stop working).
    async fn replace_recovery_codes(&self, id: MemberId, hashes: &[[u8; 32]]) -> StoreResult<()>;

    async fn create_session(
        &self,
        id_hash: &[u8; 32],
        member: MemberId,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn session(&self, id_hash: &[u8; 32]) -> StoreResult<Option<SessionRecord>>;
    async fn touch_session(&self, id_hash: &[u8; 32], now: Timestamp) -> StoreResult<()>;
    async fn delete_session(&self, id_hash: &[u8; 32]) -> StoreResult<()>;
    /// Ends every session and API token of a member: "sign out everywhere".
    async fn sign_out_everywhere(&self, id: MemberId) -> StoreResult<()>;
    /// Ends every session of a member but one (after a password change, the current one stays).
    async fn delete_other_sessions(&self, id: MemberId, keep: &[u8; 32]) -> StoreResult<()>;
    /// Deletes sessions last seen before `idle_before` or created before `created_before`.
    async fn delete_expired_sessions(
        &self,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> StoreResult<u64>;

    async fn create_api_token(
        &self,
        token_hash: &[u8; 32],
        member: MemberId,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn api_token_member(&self, token_hash: &[u8; 32]) -> StoreResult<Option<MemberId>>;
    async fn delete_api_token(&self, token_hash: &[u8; 32]) -> StoreResult<()>;

    /// A member's answers, all variants (empty for a member who has not started).
    async fn profile(&self, member: MemberId) -> StoreResult<ProfileAnswers>;
    /// Applies `change` to the member's answers and saves them; a save that raced another is
    /// retried on the newer answers, so neither is lost.
    async fn update_profile(
        &self,
        member: MemberId,
        change: &(dyn for<'p> Fn(&'p mut ProfileAnswers) + Send + Sync),
        now: Timestamp,
    ) -> StoreResult<ProfileAnswers>;

    async fn create_custom_item(
        &self,
        member: MemberId,
        label: &CustomLabel,
        kind: ItemKind,
        now: Timestamp,
    ) -> StoreResult<CustomItem>;
    /// A member's custom items, oldest first.
    async fn custom_items(&self, member: MemberId) -> StoreResult<Vec<CustomItem>>;
    /// `NotFound` unless the item is the member's.
    async fn update_custom_item(&self, member: MemberId, item: &CustomItem) -> StoreResult<()>;
    /// `NotFound` unless the item is the member's.
    async fn delete_custom_item(&self, member: MemberId, id: CustomItemId) -> StoreResult<()>;

    async fn create_boundary(
        &self,
        member: MemberId,
        boundary: &Boundary,
        now: Timestamp,
    ) -> StoreResult<BoundaryRecord>;
    /// A member's boundaries, oldest first.
    async fn boundaries(&self, member: MemberId) -> StoreResult<Vec<BoundaryRecord>>;
    /// `NotFound` unless the entry is the member's.
    async fn update_boundary(
        &self,
        member: MemberId,
        id: BoundaryId,
        boundary: &Boundary,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// `NotFound` unless the entry is the member's.
    async fn delete_boundary(&self, member: MemberId, id: BoundaryId) -> StoreResult<()>;

    /// A digest of everything the member has answered (all variants, custom items), to tell
    /// partners "changed since the last reveal" without telling them what.
    async fn answers_digest(&self, member: MemberId) -> StoreResult<[u8; 32]>;

    /// Makes a circle with `member` in it, and a key of its own.
    async fn create_circle(
        &self,
        member: MemberId,
        name: &CircleName,
        now: Timestamp,
    ) -> StoreResult<CircleSummary>;
    /// The circles `member` is in, oldest first.
    async fn circles(&self, member: MemberId) -> StoreResult<Vec<CircleSummary>>;
    /// The circle, for one of its members; `NotFound` for anyone else.
    async fn circle(&self, member: MemberId, id: CircleId) -> StoreResult<CircleRecord>;
    /// `NotFound` unless `member` is in the circle.
    async fn set_sharing(
        &self,
        member: MemberId,
        id: CircleId,
        sharing: &CircleSharing,
    ) -> StoreResult<()>;
    /// Locks the member's answers for the circle; when that makes everyone locked, the
    /// circle reveals and everyone's answers digest is kept. True when it revealed now.
    async fn lock(&self, member: MemberId, id: CircleId, now: Timestamp) -> StoreResult<bool>;
    async fn unlock(&self, member: MemberId, id: CircleId) -> StoreResult<()>;
    /// Leaves at once. A circle left with one member (or none) is closed: deleted, key first.
    async fn leave(&self, member: MemberId, id: CircleId) -> StoreResult<()>;

    /// `NotFound` unless `member` is in the circle.
    async fn create_invite(
        &self,
        member: MemberId,
        id: CircleId,
        token_hash: &[u8; 32],
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<InviteRecord>;
    /// The circle's invites, for one of its members.
    async fn invites(&self, member: MemberId, id: CircleId) -> StoreResult<Vec<InviteRecord>>;
    async fn revoke_invite(
        &self,
        member: MemberId,
        id: CircleId,
        invite: InviteId,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The invite with this token and its circle's name and members (for the joiner to see
    /// before confirming), if the link works at `now`.
    async fn usable_invite(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Option<(CircleName, Vec<Member>)>>;
    /// Every agreed version of the circle's routine, oldest first (none before the first
    /// agreement). `NotFound` unless `member` is in the circle.
    async fn routine_versions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<RoutineVersion>>;
    /// Records `version.version` as the circle's next version. `Conflict` if that number is
    /// already taken (two acceptances raced): the caller re-reads and decides again.
    async fn add_routine_version(
        &self,
        member: MemberId,
        circle: CircleId,
        version: &RoutineVersion,
    ) -> StoreResult<()>;
    async fn create_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<ProposalId>;
    /// The circle's proposals, oldest first.
    async fn proposals(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ProposalId, Proposal<MemberId>)>>;
    async fn update_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
        proposal: &Proposal<MemberId>,
    ) -> StoreResult<()>;
    async fn delete_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
    ) -> StoreResult<()>;

    async fn create_review(
        &self,
        member: MemberId,
        circle: CircleId,
        review: &ReviewRecord,
        now: Timestamp,
    ) -> StoreResult<ReviewId>;
    /// The circle's reviews, oldest first.
    async fn reviews(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ReviewId, ReviewRecord)>>;
    async fn update_review(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ReviewId,
        review: &ReviewRecord,
    ) -> StoreResult<()>;

    /// The ids of a circle's members, for background work acting on the circle's behalf
    /// (pages and the API go through [`Store::circle`]); empty for a closed circle.
    async fn circle_member_ids(&self, circle: CircleId) -> StoreResult<Vec<MemberId>>;

    /// Schedules work of `kind` about `subject` at `run_at`; an existing job of that kind for
    /// that subject is moved to `run_at` (and released if it was claimed).
    async fn schedule_job(
        &self,
        kind: JobKind,
        subject: Uuid,
        run_at: Timestamp,
    ) -> StoreResult<()>;
    /// Claims up to `limit` jobs due at `now` that nobody holds, until `claimed_until`. On
    /// PostgreSQL instances skip each other's locked rows, so each job goes to one of them.
    async fn claim_jobs(
        &self,
        now: Timestamp,
        claimed_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Job>>;
    /// Deletes a claimed job once done, unless it was scheduled again meanwhile.
    async fn finish_job(&self, job: &Job) -> StoreResult<()>;

    /// Starts a session in the circle. `NotFound` unless `member` is in it.
    async fn create_care_session(
        &self,
        member: MemberId,
        circle: CircleId,
        session: &CareSession,
        now: Timestamp,
    ) -> StoreResult<CareSessionId>;
    /// `NotFound` unless `member` is in the circle and takes part in the session.
    async fn care_session(
        &self,
        member: MemberId,
        id: CareSessionId,
    ) -> StoreResult<StoredCareSession>;
    /// Saves `stored.record`; `Conflict` when the session changed since `stored` was read.
    async fn update_care_session(
        &self,
        member: MemberId,
        stored: &StoredCareSession,
    ) -> StoreResult<()>;
    /// The circle's sessions that `member` takes part in and that have not closed, oldest
    /// first. `NotFound` unless `member` is in the circle.
    async fn open_care_sessions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<StoredCareSession>>;

    /// Keeps a live signal of a session `member` takes part in; returns its number in the
    /// session (rising). `NotFound` for anyone else.
    async fn add_signal(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        signal: &SignalRecord,
    ) -> StoreResult<i64>;
    /// The session's signals numbered after `after`, in order, for a participant.
    async fn signals_after(
        &self,
        member: MemberId,
        session: &StoredCareSession,
        after: i64,
    ) -> StoreResult<Vec<(i64, SignalRecord)>>;
    /// For background work acting on a session's behalf: someone still taking part in it.
    /// `NotFound` when there is no such session or nobody is left in it.
    async fn session_participant(&self, session: CareSessionId) -> StoreResult<MemberId>;
    /// Deletes every signal of a session (when it closes).
    async fn delete_signals(&self, session: CareSessionId) -> StoreResult<()>;

    /// Keeps a note of appreciation for `to`, sealed with their key.
    async fn add_appreciation(
        &self,
        to: MemberId,
        note: &Appreciation,
        now: Timestamp,
    ) -> StoreResult<AppreciationId>;
    /// The notes of appreciation `member` received, newest first.
    async fn appreciations(
        &self,
        member: MemberId,
    ) -> StoreResult<Vec<(AppreciationId, Timestamp, Appreciation)>>;

    /// For counting sessions towards reviews and for the brief of what changed: each of the
    /// circle's sessions that reached aftercare, oldest first, as its kind, when aftercare
    /// began and the routine version it followed, and nothing else. `NotFound` unless
    /// `member` is in the circle.
    async fn sessions_with_aftercare(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<PastSession>>;

    /// Keeps a follow-up for `member` under `id`, sealed with their key, due at `due_at`.
    /// Adding the same id again changes nothing, so owing follow-ups can be retried.
    async fn add_follow_up(
        &self,
        member: MemberId,
        id: FollowUpId,
        follow_up: &FollowUp,
        due_at: Timestamp,
    ) -> StoreResult<()>;
    /// The member's follow-ups with their due times, earliest first.
    async fn follow_ups(
        &self,
        member: MemberId,
    ) -> StoreResult<Vec<(FollowUpId, Timestamp, FollowUp)>>;
    /// Saves the member's answer (in `follow_up`), once: `Conflict` when it was answered
    /// already, `NotFound` unless the follow-up is the member's.
    async fn answer_follow_up(
        &self,
        member: MemberId,
        id: FollowUpId,
        follow_up: &FollowUp,
    ) -> StoreResult<()>;

    /// Tells the other instances sharing this database that `topic` has news (PostgreSQL
    /// NOTIFY, after the change was committed). SQLite has one instance: nothing to do.
    async fn announce(&self, topic: &str) -> StoreResult<()>;
    /// Follows what the other instances announce; `None` on SQLite.
    async fn announcements(&self) -> StoreResult<Option<Box<dyn Announcements>>>;

    /// Turns discreet mode on or off for the member.
    async fn set_discreet(&self, member: MemberId, discreet: bool) -> StoreResult<()>;

    /// For delivering a follow-up when it comes due: whose it is, and what it is.
    async fn follow_up_by_id(&self, id: FollowUpId) -> StoreResult<(MemberId, FollowUp)>;

    /// Puts a notification in the member's centre, sealed with their key. Adding the same id
    /// again changes nothing (so a job that runs twice delivers once); returns whether it
    /// was new.
    async fn add_notification(
        &self,
        member: MemberId,
        id: NotificationId,
        notification: &Notification,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The member's newest `limit` notifications, newest first.
    async fn notifications(
        &self,
        member: MemberId,
        limit: u32,
    ) -> StoreResult<Vec<StoredNotification>>;
    /// How many of the member's notifications are not seen yet (for the badge; no key needed).
    async fn unseen_notifications(&self, member: MemberId) -> StoreResult<u32>;
    /// Marks these of the member's notifications seen; others' ids are ignored.
    async fn see_notifications(&self, member: MemberId, ids: &[NotificationId]) -> StoreResult<()>;

    /// Keeps one of the member's reflections, sealed with their key.
    async fn add_reflection(
        &self,
        member: MemberId,
        reflection: &tend_core::insights::Reflection,
        now: Timestamp,
    ) -> StoreResult<ReflectionId>;
    /// The member's reflections, oldest first.
    async fn reflections(
        &self,
        member: MemberId,
    ) -> StoreResult<Vec<tend_core::insights::Reflection>>;

    /// Joins the circle of a usable invite, using it up.
    async fn accept_invite(
        &self,
        member: MemberId,
        token_hash: &[u8; 32],
        now: Timestamp,
    ) -> StoreResult<Result<CircleId, JoinRefusal>>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives: the database URL, and (for SQLite) the keystore file kept apart.
#[derive(Clone, Debug)]
pub struct Location {
    pub database_url: String,
    /// The keystore's SQLite file; unused on PostgreSQL, where the keystore is a schema.
    pub keystore_path: PathBuf,
    /// Most connections the pool opens (PostgreSQL; SQLite uses a small fixed pool).
    pub max_connections: u32,
}

/// Opens the store the URL names (`sqlite:` or `postgres:`), applies migrations, and checks
/// the master key against the keystore.
pub async fn open(location: &Location, master: MasterKey) -> StoreResult<Arc<dyn Store>> {
    let url = location.database_url.as_str();
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::open(location, master).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(location, master).await?))
    }
}

/// Applies migrations without serving (`tend migrate`).
pub async fn migrate(location: &Location, master: MasterKey) -> StoreResult<Backend> {
    Ok(open(location, master).await?.backend())
}
