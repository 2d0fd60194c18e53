-- A member's own reflections after sessions and at follow-ups (mood, whether drop came, which
-- steps were done), sealed with the member's key. Only the member reads them, for Insights.
CREATE TABLE reflections (
    id BLOB PRIMARY KEY NOT NULL,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX reflections_member_id ON reflections (member_id, created_at);
