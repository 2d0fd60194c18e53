-- A circle's routine: every agreed version is kept (steps, settings, author and time, all
-- sealed with the circle's key); proposals wait for everyone's yes. Only the version number
-- is readable, so versions stay in order without the key.

CREATE TABLE routine_versions (
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (circle_id, version)
);

CREATE TABLE routine_proposals (
    id UUID PRIMARY KEY,
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX routine_proposals_circle_id ON routine_proposals (circle_id);
