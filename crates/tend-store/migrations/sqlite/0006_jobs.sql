-- Background work that must run once, at a time, across restarts (and, on PostgreSQL, across
-- instances): a review falling due now, follow-ups later. A row says only what kind of work,
-- for which row, and when; the work itself reads the sealed rows it needs. At most one job of
-- a kind per subject, so scheduling again moves the time instead of adding a second job.
CREATE TABLE jobs (
    id BLOB PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject BLOB NOT NULL,
    run_at INTEGER NOT NULL,
    -- Set while an instance works on it; a job whose lease ran out is claimed again.
    claimed_until INTEGER,
    UNIQUE (kind, subject)
) STRICT;
CREATE INDEX jobs_run_at ON jobs (run_at);
