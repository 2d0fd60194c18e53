-- Circles: members who share aftercare with each other. There is no owner column: nobody
-- can remove others or see more than they do. A circle's name is sealed with the circle's
-- own key (kept in the keystore); what each member shares is sealed with that member's key.

CREATE TABLE circles (
    id BLOB PRIMARY KEY NOT NULL,
    name_sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- locked_at: the member's answers count for this circle (NULL: not locked).
-- reveal_digest_sealed: a digest of the member's answers when the circle last revealed, so
-- partners can be told "changed since" without being told what changed.
CREATE TABLE circle_members (
    circle_id BLOB NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    joined_at INTEGER NOT NULL,
    locked_at INTEGER,
    sharing_sealed BLOB NOT NULL,
    reveal_digest_sealed BLOB,
    PRIMARY KEY (circle_id, member_id)
) STRICT;
CREATE INDEX circle_members_member_id ON circle_members (member_id);

-- Single-use, expiring invite links. Only a SHA-256 of the 256-bit token is kept.
CREATE TABLE invites (
    id BLOB PRIMARY KEY NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    circle_id BLOB NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
) STRICT;
CREATE INDEX invites_circle_id ON invites (circle_id);
