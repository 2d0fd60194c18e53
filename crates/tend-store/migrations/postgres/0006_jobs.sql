-- Background work that must run once, at a time, across restarts and across instances: a
-- review falling due now, follow-ups later. A row says only what kind of work, for which row,
-- and when; the work itself reads the sealed rows it needs. At most one job of a kind per
-- subject, so scheduling again moves the time instead of adding a second job. Instances claim
-- due jobs with FOR UPDATE SKIP LOCKED, so each runs once.
CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    subject UUID NOT NULL,
    run_at BIGINT NOT NULL,
    -- Set while an instance works on it; a job whose lease ran out is claimed again.
    claimed_until BIGINT,
    UNIQUE (kind, subject)
);
CREATE INDEX jobs_run_at ON jobs (run_at);
