-- Partners act at the same moment (issue 15; docs/RELIABILITY.md). What used to live in one
-- sealed value that each write read, changed and wrote back becomes a row per fact, so two
-- members (or two sections) can never overwrite each other, and the same fact written twice
-- is one row.

-- What a member shares with a circle, one row per section they chose. The slot is a keyed
-- hash of the section under the member's own key and the choice is sealed with it, so a
-- backup shows neither which sections were chosen nor how. `circle_members.sharing_sealed`
-- stays as the base the rows override: nothing needs moving.
CREATE TABLE circle_sharing (
    circle_id UUID NOT NULL,
    member_id UUID NOT NULL,
    slot BYTEA NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (circle_id, member_id, slot),
    FOREIGN KEY (circle_id, member_id)
        REFERENCES circle_members (circle_id, member_id) ON DELETE CASCADE
);

-- A member's yes or no to a proposed change of the routine (a no may carry a note), sealed
-- with the circle's key. Lists inside older proposals' sealed values stay; rows override them.
CREATE TABLE proposal_answers (
    proposal_id UUID NOT NULL REFERENCES routine_proposals (id) ON DELETE CASCADE,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, member_id)
);

-- The proposal a version was made from: one proposal becomes at most one version, and an
-- acceptance that arrives after another settled it finds the version it became.
ALTER TABLE routine_versions ADD COLUMN proposal_id UUID;
CREATE UNIQUE INDEX routine_versions_proposal_id ON routine_versions (proposal_id);

-- A member's answers in a review, sealed with the circle's key: a row per member.
CREATE TABLE review_answers (
    review_id UUID NOT NULL REFERENCES routine_reviews (id) ON DELETE CASCADE,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (review_id, member_id)
);

-- The version a review is of and the proposal it closed with, written once each: a version
-- has one open review at a time, and a review closes once. Reviews from before keep both in
-- their sealed value (and stay out of this index).
ALTER TABLE routine_reviews ADD COLUMN version BIGINT;
ALTER TABLE routine_reviews ADD COLUMN proposal_id UUID;
CREATE UNIQUE INDEX routine_reviews_open ON routine_reviews (circle_id, version)
    WHERE proposal_id IS NULL AND version IS NOT NULL;
