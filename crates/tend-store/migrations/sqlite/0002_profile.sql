-- A member's aftercare profile, custom items and boundaries. Every value a member writes or
-- rates is sealed with the member's data key; not even which items were answered, or which
-- kind of boundary an entry is, can be read without it.

-- All answers of all variants in one sealed value. `version` lets concurrent saves (two
-- tabs) detect each other instead of losing one: an update names the version it read.
CREATE TABLE profiles (
    member_id BLOB PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Items a member added to the catalog for themselves: label and kind, sealed.
CREATE TABLE custom_items (
    id BLOB PRIMARY KEY NOT NULL,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX custom_items_member_id ON custom_items (member_id);

-- Limits, triggers, responses, drop care and signals: kind, text and condition, sealed.
CREATE TABLE boundaries (
    id BLOB PRIMARY KEY NOT NULL,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX boundaries_member_id ON boundaries (member_id);
