-- Members, their recovery codes, signed-in sessions and API tokens.
-- Ids are random UUIDv7 (16-byte blobs), never sequential. Times are Unix seconds.
-- Free text a member writes is sealed with the member's data key (see keystore migrations),
-- so these columns hold only ciphertext. No IP address or user agent is stored anywhere.

CREATE TABLE members (
    id BLOB PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    -- Lower case: uniqueness and sign-in ignore case.
    username_canonical TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name_sealed BLOB,
    pronouns_sealed BLOB,
    created_at INTEGER NOT NULL
) STRICT;

-- Only a SHA-256 of each code is kept: a code has 80 random bits, so a fast hash suffices.
CREATE TABLE recovery_codes (
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (member_id, code_hash)
) STRICT;

-- The cookie holds a random 256-bit id; the table holds its hash, so a copy of the database
-- cannot be used to take over a session.
CREATE TABLE sessions (
    id_hash BLOB PRIMARY KEY NOT NULL,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_member_id ON sessions (member_id);

CREATE TABLE api_tokens (
    token_hash BLOB PRIMARY KEY NOT NULL,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX api_tokens_member_id ON api_tokens (member_id);
