-- +goose Up
-- The job workers running now, one row per process, kept fresh by a
-- heartbeat. A row that stops being refreshed belongs to a process that
-- died: its running jobs are handed to the live workers at once instead of
-- waiting for the queue's time-based rescue, and a delivery it left
-- "sending" is resolved without waiting for the attempt to look stale.
CREATE TABLE job_workers (
    id         text PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now()
);

-- Which worker made the invitation's current attempt (NULL: a release that
-- did not record it; such attempts are judged by their age alone).
ALTER TABLE invitations ADD COLUMN attempt_by text;

-- +goose Down
ALTER TABLE invitations DROP COLUMN attempt_by;
DROP TABLE job_workers;
