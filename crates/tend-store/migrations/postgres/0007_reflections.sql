-- A member's own reflections after sessions and at follow-ups (mood, whether drop came, which
-- steps were done), sealed with the member's key. Only the member reads them, for Insights.
CREATE TABLE reflections (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX reflections_member_id ON reflections (member_id, created_at);
