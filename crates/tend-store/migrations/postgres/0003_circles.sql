-- Circles: members who share aftercare with each other. There is no owner column: nobody
-- can remove others or see more than they do. A circle's name is sealed with the circle's
-- own key (kept in the keystore); what each member shares is sealed with that member's key.

CREATE TABLE circles (
    id UUID PRIMARY KEY,
    name_sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- locked_at: the member's answers count for this circle (NULL: not locked).
-- reveal_digest_sealed: a digest of the member's answers when the circle last revealed, so
-- partners can be told "changed since" without being told what changed.
CREATE TABLE circle_members (
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    locked_at BIGINT,
    sharing_sealed BYTEA NOT NULL,
    reveal_digest_sealed BYTEA,
    PRIMARY KEY (circle_id, member_id)
);
CREATE INDEX circle_members_member_id ON circle_members (member_id);

-- Single-use, expiring invite links. Only a SHA-256 of the 256-bit token is kept.
CREATE TABLE invites (
    id UUID PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX invites_circle_id ON invites (circle_id);

-- Each circle's data key, wrapped with the instance master key.
CREATE TABLE keystore.circle_keys (
    circle_id UUID PRIMARY KEY,
    wrapped BYTEA NOT NULL
);
