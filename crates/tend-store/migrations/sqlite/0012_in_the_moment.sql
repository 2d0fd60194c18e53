-- In the moment (issue 17; docs/THREAT-MODEL.md).

-- Which participant's page has shown which signal, so the sender is told "seen": one row per
-- sighting, sealed with the circle's key (the signal's number and who saw it). Deleted with
-- the session's signals when it closes.
CREATE TABLE signal_sightings (
    id BLOB PRIMARY KEY,
    session_id BLOB NOT NULL REFERENCES care_sessions (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL
) STRICT;
CREATE INDEX signal_sightings_session_id ON signal_sightings (session_id);
