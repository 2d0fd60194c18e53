-- A circle's routine: every agreed version is kept (steps, settings, author and time, all
-- sealed with the circle's key); proposals wait for everyone's yes. Only the version number
-- is readable, so versions stay in order without the key.

CREATE TABLE routine_versions (
    circle_id BLOB NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (circle_id, version)
) STRICT;

CREATE TABLE routine_proposals (
    id BLOB PRIMARY KEY NOT NULL,
    circle_id BLOB NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX routine_proposals_circle_id ON routine_proposals (circle_id);
