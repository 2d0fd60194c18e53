-- The keystore: a SQLite file apart from the data, so that a data backup holds only ciphertext.

-- Each member's data key, wrapped (sealed) with the instance master key.
CREATE TABLE member_keys (
    member_id BLOB PRIMARY KEY NOT NULL,
    wrapped BLOB NOT NULL
) STRICT;

-- One known value sealed with the master key: an instance started with another key refuses
-- to run instead of failing to read every member.
CREATE TABLE master_key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB NOT NULL
) STRICT;
