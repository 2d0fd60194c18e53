-- Consent holds in a group (issue 16; docs/THREAT-MODEL.md).

-- A circle's membership generation: it grows by one when someone joins. What a member shares
-- counts for the members as they are only once they confirm it for the current generation,
-- and the circle reveals only when everyone has locked and confirmed. The generation of the
-- last reveal tells a newcomer who has not been part of one from those who have.
ALTER TABLE circles ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE circles ADD COLUMN revealed_epoch INTEGER;
ALTER TABLE circle_members ADD COLUMN joined_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE circle_members ADD COLUMN confirmed_epoch INTEGER NOT NULL DEFAULT 0;
-- Circles that are revealed now (everyone locked) were revealed at generation 0.
UPDATE circles SET revealed_epoch = 0 WHERE NOT EXISTS (
    SELECT 1 FROM circle_members m WHERE m.circle_id = circles.id AND m.locked_at IS NULL
);

-- Who made an invite link: its page names them (and nobody else), and their links still
-- open are withdrawn when they leave. Links from before name nobody.
ALTER TABLE invites ADD COLUMN created_by BLOB REFERENCES members (id) ON DELETE CASCADE;
CREATE INDEX invites_created_by ON invites (created_by);
