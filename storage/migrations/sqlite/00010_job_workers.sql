-- +goose Up
-- The job workers running now (see the Postgres migration). Times are Unix
-- microseconds, like rate_buckets. SQLite has one process per file, so a
-- row of another process is always a dead one.
CREATE TABLE job_workers (
    id         TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
);

ALTER TABLE invitations ADD COLUMN attempt_by TEXT;

-- +goose Down
ALTER TABLE invitations DROP COLUMN attempt_by;
DROP TABLE job_workers;
