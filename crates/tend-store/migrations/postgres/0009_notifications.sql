-- The notification centre: what came for a member (a follow-up, a note from a partner, a
-- proposal or review waiting for them). What it is about is sealed with the member's key;
-- only when it came and whether it was seen are readable, so the badge needs no key. A
-- notification delivered by a job has an id made from its subject, so it is kept once.
CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    seen BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notifications_member_id ON notifications (member_id, seen, created_at);

-- Discreet mode: a neutral name and neutral notification words, for a shared screen.
ALTER TABLE members ADD COLUMN discreet BIGINT NOT NULL DEFAULT 0;

