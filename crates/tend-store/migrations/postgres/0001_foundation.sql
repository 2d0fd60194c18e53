-- Members, their recovery codes, signed-in sessions and API tokens.
-- Ids are random UUIDv7, never sequential. Times are Unix seconds, as on SQLite.
-- Free text a member writes is sealed with the member's data key, so these columns hold only
-- ciphertext. No IP address or user agent is stored anywhere.

CREATE TABLE members (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL,
    -- Lower case: uniqueness and sign-in ignore case.
    username_canonical TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name_sealed BYTEA,
    pronouns_sealed BYTEA,
    created_at BIGINT NOT NULL
);

-- Only a SHA-256 of each code is kept: a code has 80 random bits, so a fast hash suffices.
CREATE TABLE recovery_codes (
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (member_id, code_hash)
);

-- The cookie holds a random 256-bit id; the table holds its hash, so a copy of the database
-- cannot be used to take over a session.
CREATE TABLE sessions (
    id_hash BYTEA PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_member_id ON sessions (member_id);

CREATE TABLE api_tokens (
    token_hash BYTEA PRIMARY KEY,
    member_id UUID NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_member_id ON api_tokens (member_id);

-- The keystore lives in its own schema so that a data backup (pg_dump --exclude-schema=keystore)
-- holds only ciphertext. On SQLite it is a file of its own (migrations/sqlite-keystore).
CREATE SCHEMA keystore;

-- Each member's data key, wrapped (sealed) with the instance master key.
CREATE TABLE keystore.member_keys (
    member_id UUID PRIMARY KEY,
    wrapped BYTEA NOT NULL
);

-- One known value sealed with the master key: an instance started with another key refuses
-- to run instead of failing to read every member.
CREATE TABLE keystore.master_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BYTEA NOT NULL
);
