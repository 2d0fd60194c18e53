-- Sessions: one encounter of some members of a circle, from plan to closed. Who takes part,
-- their readiness, the state and the ticked steps are one value sealed with the circle's key;
-- `revision` lets two changes at once notice each other, and `is_open` (1 until closed) lets
-- open sessions be listed without the key.
CREATE TABLE care_sessions (
    id UUID PRIMARY KEY,
    circle_id UUID NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    revision BIGINT NOT NULL,
    is_open BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX care_sessions_circle_id ON care_sessions (circle_id, is_open);

-- Follow-ups in the drop window: one per participant and hour, sealed with that member's key
-- (which session, how many hours after, the answer). Only `due_at` and whether it was
-- answered are readable, so they can come due without the key.
CREATE TABLE follow_ups (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    due_at BIGINT NOT NULL,
    -- 1 once answered: an answer is given once, even from two tabs at the same moment.
    answered BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX follow_ups_member_id ON follow_ups (member_id, due_at);

-- Live signals of a session (green, yellow, red, pause, check-in), sealed with the circle's
-- key and numbered in order, so a partner who reconnects gets every one they missed. They
-- are deleted when the session closes: Tend keeps no record of intimate moments.
CREATE TABLE signals (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id UUID NOT NULL UNIQUE,
    session_id UUID NOT NULL REFERENCES care_sessions (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL
);
CREATE INDEX signals_session_id ON signals (session_id, seq);

-- Notes of appreciation a partner sent after a session, kept for the one they are for and
-- sealed with that member's key (who sent it, about which session, the words).
CREATE TABLE appreciations (
    id UUID PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX appreciations_member_id ON appreciations (member_id, created_at);
