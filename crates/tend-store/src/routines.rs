//! A circle's routine: the versions its members agreed, the proposed changes waiting for
//! answers, and the review rounds of a version. All of it is sealed with the circle's key and
//! read only by the circle's members.

use async_trait::async_trait;
use tend_core::Timestamp;
use tend_core::routine::{Proposal, ProposalAnswer, ReviewAnswer, Routine};

use crate::circles::lock_circle;
use crate::db::args;
use crate::error::{StoreError, StoreResult};
use crate::ids::{CircleId, MemberId, ProposalId, ReviewId};
use crate::seal::DataKey;
use crate::store::{SqlStore, one_row, open_json, seal_json};

const ROUTINE_VERSION: &str = "routine_versions.sealed";
const PROPOSAL: &str = "routine_proposals.sealed";
const PROPOSAL_ANSWER: &str = "proposal_answers.sealed";
const REVIEW: &str = "routine_reviews.sealed";
const REVIEW_ANSWER: &str = "review_answers.sealed";

/// One agreed version of a circle's routine.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoutineVersion {
    pub version: u32,
    pub author: MemberId,
    pub created_at: i64,
    pub routine: Routine<MemberId>,
}

/// What settling an accepted proposal did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// It became this version now.
    Became(u32),
    /// Another acceptance arriving at the same moment made it this version first.
    AlreadyBecame(u32),
    /// Another change became the version this one was to be: it must be proposed again.
    Outdated,
}

/// A review round of one routine version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewRecord {
    /// The version under review.
    pub version: u32,
    pub started_at: i64,
    pub answers: std::collections::BTreeMap<MemberId, ReviewAnswer>,
    /// The proposal it turned into, once everyone answered.
    pub proposal: Option<ProposalId>,
}

#[async_trait]
pub trait RoutineStore: Send + Sync {
    /// Every agreed version of the circle's routine, oldest first (none before the first
    /// agreement). `NotFound` unless `member` is in the circle.
    async fn routine_versions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<RoutineVersion>>;
    /// Keeps a proposed change; those in its `accepted_by` and `declined` have answered it.
    async fn create_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<ProposalId>;
    /// The circle's proposals still waiting or declined, oldest first, each with every
    /// member's latest answer.
    async fn proposals(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ProposalId, Proposal<MemberId>)>>;
    /// Keeps `member`'s answer to a proposal, replacing their earlier one; another member's
    /// answer at the same moment is a row of its own. `NotFound` when the proposal is not
    /// listed (any more) in the circle.
    async fn answer_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
        answer: &ProposalAnswer,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Makes an accepted proposal the circle's next version, `version.version`, exactly
    /// once however many acceptances arrive together: in one transaction the proposal leaves
    /// the list and the version is added.
    async fn settle_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
        version: &RoutineVersion,
    ) -> StoreResult<Settled>;
    /// The version a settled proposal became, if it did.
    async fn settled_version(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
    ) -> StoreResult<Option<u32>>;

    /// Opens a review of `review.version`. `Conflict` while another review of that version
    /// is open (two started at the same moment): the caller reads the open one.
    async fn create_review(
        &self,
        member: MemberId,
        circle: CircleId,
        review: &ReviewRecord,
        now: Timestamp,
    ) -> StoreResult<ReviewId>;
    /// The circle's reviews, oldest first, each with every member's latest answers.
    async fn reviews(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ReviewId, ReviewRecord)>>;
    /// Keeps `member`'s answers in a review, replacing their earlier ones.
    async fn answer_review(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ReviewId,
        answer: &ReviewAnswer,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Closes a review with the proposal its outcome makes, once: in one transaction the
    /// review names the proposal and the proposal is kept. `None` when it had closed already.
    async fn close_review(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ReviewId,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<Option<ProposalId>>;
}

/// The identity of a routine version row: circle id, then the version number.
fn version_row(circle: CircleId, version: u32) -> Vec<u8> {
    let mut row = circle.as_uuid().as_bytes().to_vec();
    row.extend_from_slice(&version.to_be_bytes());
    row
}

/// The identity of an answer row: what it answers, then who.
fn answer_row(of: uuid::Uuid, member: MemberId) -> Vec<u8> {
    let mut row = of.as_bytes().to_vec();
    row.extend_from_slice(member.as_uuid().as_bytes());
    row
}

impl SqlStore {
    /// Inserts a proposal's row and its answers in a transaction already open, sealed with
    /// the circle's `key` (read before the transaction: it never waits for a second
    /// connection while holding one).
    async fn insert_proposal(
        &self,
        tx: &mut crate::db::Tx,
        circle: CircleId,
        key: &DataKey,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<ProposalId> {
        let id = ProposalId::new();
        // The answers are rows of their own; the sealed value keeps what was proposed.
        let content = Proposal {
            accepted_by: Default::default(),
            declined: Vec::new(),
            ..proposal.clone()
        };
        let sealed = seal_json(key, PROPOSAL, id.as_uuid().as_bytes(), &content)?;
        tx.execute(
            "INSERT INTO routine_proposals (id, circle_id, sealed, created_at) \
             VALUES ($1, $2, $3, $4)",
            args![id.as_uuid(), circle.as_uuid(), &sealed, now.unix_seconds()],
        )
        .await?;
        let answers = proposal
            .accepted_by
            .iter()
            .map(|m| (*m, ProposalAnswer::Yes))
            .chain(
                proposal
                    .declined
                    .iter()
                    .map(|(m, note)| (*m, ProposalAnswer::No(note.clone()))),
            );
        for (member, answer) in answers {
            let row = answer_row(id.as_uuid(), member);
            let sealed = seal_json(key, PROPOSAL_ANSWER, &row, &answer)?;
            tx.execute(
                "INSERT INTO proposal_answers (proposal_id, member_id, sealed, answered_at) \
                 VALUES ($1, $2, $3, $4)",
                args![id.as_uuid(), member.as_uuid(), &sealed, now.unix_seconds()],
            )
            .await?;
        }
        Ok(id)
    }
}

#[async_trait]
impl RoutineStore for SqlStore {
    async fn routine_versions(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<RoutineVersion>> {
        self.require_membership(member, circle).await?;
        let rows: Vec<(i64, Vec<u8>)> = self
            .data
            .fetch_all(
                "SELECT version, sealed FROM routine_versions WHERE circle_id = $1 \
                 ORDER BY version",
                args![circle.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(circle).await?;
        rows.into_iter()
            .map(|(version, sealed)| {
                let version = u32::try_from(version).map_err(|_| StoreError::NotFound)?;
                open_json(
                    &key,
                    ROUTINE_VERSION,
                    &version_row(circle, version),
                    &sealed,
                )
            })
            .collect()
    }

    async fn create_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<ProposalId> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let mut tx = self.data.begin_write().await?;
        let id = self
            .insert_proposal(&mut tx, circle, &key, proposal, now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn proposals(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ProposalId, Proposal<MemberId>)>> {
        self.require_membership(member, circle).await?;
        // The proposals with their answers, in one statement (a row per answer, or one
        // without).
        let rows: Vec<(uuid::Uuid, Vec<u8>, Option<uuid::Uuid>, Option<Vec<u8>>)> = self
            .data
            .fetch_all(
                "SELECT p.id, p.sealed, a.member_id, a.sealed FROM routine_proposals p \
                 LEFT JOIN proposal_answers a ON a.proposal_id = p.id WHERE p.circle_id = $1 \
                 ORDER BY p.created_at, p.id, a.answered_at, a.member_id",
                args![circle.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(circle).await?;
        let mut proposals: Vec<(ProposalId, Proposal<MemberId>)> = Vec::new();
        for (id, sealed, answerer, answer) in rows {
            if proposals.last().is_none_or(|(last, _)| last.0 != id) {
                let proposal = open_json(&key, PROPOSAL, id.as_bytes(), &sealed)?;
                proposals.push((ProposalId(id), proposal));
            }
            if let (Some(member), Some(sealed), Some((_, proposal))) =
                (answerer, answer, proposals.last_mut())
            {
                let member = MemberId(member);
                let answer = open_json(&key, PROPOSAL_ANSWER, &answer_row(id, member), &sealed)?;
                // Older proposals kept their answers in the sealed value: rows are newer.
                proposal.answer(member, answer);
            }
        }
        Ok(proposals)
    }

    async fn answer_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
        answer: &ProposalAnswer,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(
            &key,
            PROPOSAL_ANSWER,
            &answer_row(id.as_uuid(), member),
            answer,
        )?;
        // Only into a proposal of this circle that is still listed.
        let changed = self
            .data
            .execute(
                "INSERT INTO proposal_answers (proposal_id, member_id, sealed, answered_at) \
                 SELECT id, $2, $3, $4 FROM routine_proposals WHERE id = $1 AND circle_id = $5 \
                 ON CONFLICT (proposal_id, member_id) \
                 DO UPDATE SET sealed = excluded.sealed, answered_at = excluded.answered_at",
                args![
                    id.as_uuid(),
                    member.as_uuid(),
                    &sealed,
                    now.unix_seconds(),
                    circle.as_uuid()
                ],
            )
            .await?;
        one_row(changed)
    }

    async fn settle_proposal(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
        version: &RoutineVersion,
    ) -> StoreResult<Settled> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(
            &key,
            ROUTINE_VERSION,
            &version_row(circle, version.version),
            version,
        )?;
        let mut tx = self.data.begin_write().await?;
        if !lock_circle(&mut tx, circle).await? {
            return Err(StoreError::NotFound);
        }
        let taken = tx
            .execute(
                "DELETE FROM routine_proposals WHERE id = $1 AND circle_id = $2",
                args![id.as_uuid(), circle.as_uuid()],
            )
            .await?;
        if taken == 0 {
            // Settled by an acceptance that arrived at the same moment, or never listed.
            drop(tx);
            return match self.settled_version(member, circle, id).await? {
                Some(version) => Ok(Settled::AlreadyBecame(version)),
                None => Err(StoreError::NotFound),
            };
        }
        // The version number is a primary key: a number taken by another change since the
        // caller read the history means this proposal is outdated (and stays listed).
        let added = tx
            .execute(
                "INSERT INTO routine_versions (circle_id, version, sealed, proposal_id) \
                 VALUES ($1, $2, $3, $4)",
                args![
                    circle.as_uuid(),
                    i64::from(version.version),
                    &sealed,
                    id.as_uuid()
                ],
            )
            .await;
        match added {
            Ok(_) => {
                tx.commit().await?;
                Ok(Settled::Became(version.version))
            }
            Err(StoreError::Conflict) => Ok(Settled::Outdated),
            Err(error) => Err(error),
        }
    }

    async fn settled_version(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ProposalId,
    ) -> StoreResult<Option<u32>> {
        self.require_membership(member, circle).await?;
        let row: Option<(i64,)> = self
            .data
            .fetch_optional(
                "SELECT version FROM routine_versions WHERE circle_id = $1 AND proposal_id = $2",
                args![circle.as_uuid(), id.as_uuid()],
            )
            .await?;
        Ok(row.and_then(|(version,)| u32::try_from(version).ok()))
    }

    async fn create_review(
        &self,
        member: MemberId,
        circle: CircleId,
        review: &ReviewRecord,
        now: Timestamp,
    ) -> StoreResult<ReviewId> {
        self.require_membership(member, circle).await?;
        let id = ReviewId::new();
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(&key, REVIEW, id.as_uuid().as_bytes(), review)?;
        // One open review per version: a second one started at the same moment is refused
        // by the index (`Conflict`).
        self.data
            .execute(
                "INSERT INTO routine_reviews (id, circle_id, sealed, created_at, version) \
                 VALUES ($1, $2, $3, $4, $5)",
                args![
                    id.as_uuid(),
                    circle.as_uuid(),
                    &sealed,
                    now.unix_seconds(),
                    i64::from(review.version)
                ],
            )
            .await?;
        Ok(id)
    }

    async fn reviews(
        &self,
        member: MemberId,
        circle: CircleId,
    ) -> StoreResult<Vec<(ReviewId, ReviewRecord)>> {
        self.require_membership(member, circle).await?;
        // The reviews with their answers, in one statement.
        type Row = (
            uuid::Uuid,
            Vec<u8>,
            Option<uuid::Uuid>,
            Option<uuid::Uuid>,
            Option<Vec<u8>>,
        );
        let rows: Vec<Row> = self
            .data
            .fetch_all(
                "SELECT r.id, r.sealed, r.proposal_id, a.member_id, a.sealed \
                 FROM routine_reviews r LEFT JOIN review_answers a ON a.review_id = r.id \
                 WHERE r.circle_id = $1 ORDER BY r.created_at, r.id",
                args![circle.as_uuid()],
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.keystore.circle_key(circle).await?;
        let mut reviews: Vec<(ReviewId, ReviewRecord)> = Vec::new();
        for (id, sealed, proposal, answerer, answer) in rows {
            if reviews.last().is_none_or(|(last, _)| last.0 != id) {
                let mut review: ReviewRecord = open_json(&key, REVIEW, id.as_bytes(), &sealed)?;
                // Reviews from before kept answers and proposal in the sealed value; the
                // rows and the column, where there are any, are newer.
                if let Some(proposal) = proposal {
                    review.proposal = Some(ProposalId(proposal));
                }
                reviews.push((ReviewId(id), review));
            }
            if let (Some(member), Some(sealed), Some((_, review))) =
                (answerer, answer, reviews.last_mut())
            {
                let member = MemberId(member);
                let answer = open_json(&key, REVIEW_ANSWER, &answer_row(id, member), &sealed)?;
                review.answers.insert(member, answer);
            }
        }
        Ok(reviews)
    }

    async fn answer_review(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ReviewId,
        answer: &ReviewAnswer,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let sealed = seal_json(
            &key,
            REVIEW_ANSWER,
            &answer_row(id.as_uuid(), member),
            answer,
        )?;
        let changed = self
            .data
            .execute(
                "INSERT INTO review_answers (review_id, member_id, sealed, answered_at) \
                 SELECT id, $2, $3, $4 FROM routine_reviews WHERE id = $1 AND circle_id = $5 \
                 ON CONFLICT (review_id, member_id) \
                 DO UPDATE SET sealed = excluded.sealed, answered_at = excluded.answered_at",
                args![
                    id.as_uuid(),
                    member.as_uuid(),
                    &sealed,
                    now.unix_seconds(),
                    circle.as_uuid()
                ],
            )
            .await?;
        one_row(changed)
    }

    async fn close_review(
        &self,
        member: MemberId,
        circle: CircleId,
        id: ReviewId,
        proposal: &Proposal<MemberId>,
        now: Timestamp,
    ) -> StoreResult<Option<ProposalId>> {
        self.require_membership(member, circle).await?;
        let key = self.keystore.circle_key(circle).await?;
        let mut tx = self.data.begin_write().await?;
        if !lock_circle(&mut tx, circle).await? {
            return Err(StoreError::NotFound);
        }
        let open: Option<(i64,)> = tx
            .fetch_optional(
                "SELECT created_at FROM routine_reviews \
                 WHERE id = $1 AND circle_id = $2 AND proposal_id IS NULL",
                args![id.as_uuid(), circle.as_uuid()],
            )
            .await?;
        if open.is_none() {
            return Ok(None);
        }
        let pid = self
            .insert_proposal(&mut tx, circle, &key, proposal, now)
            .await?;
        tx.execute(
            "UPDATE routine_reviews SET proposal_id = $1 WHERE id = $2",
            args![pid.as_uuid(), id.as_uuid()],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(pid))
    }
}
