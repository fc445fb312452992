-- +goose Up
-- One row per digest and local date: the primary key is the once-a-day
-- guarantee across restarts and replicas (engine.md §5). status follows the
-- send state machine: pending → sending → sent, or empty (nothing new and
-- not posted), or unknown (a process died mid-post; never reposted).
-- due_at is the tick that created the row: the digest is computed as of it,
-- so a retry posts the same numbers. quotes are the quote texts shown, the
-- 7-day memory that keeps a quote from being shown twice.
CREATE TABLE digest_runs (
    digest_id          text NOT NULL,
    local_date         text NOT NULL,
    status             text NOT NULL DEFAULT 'pending',
    due_at             timestamptz NOT NULL,
    attempt_started_at timestamptz,
    sent_at            timestamptz,
    message_ref        text NOT NULL DEFAULT '',
    quotes             text NOT NULL DEFAULT '[]',
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (digest_id, local_date),
    CHECK (status IN ('pending', 'sending', 'sent', 'empty', 'unknown', 'failed'))
);
CREATE INDEX digest_runs_sent ON digest_runs (digest_id, sent_at);

-- +goose Down
DROP TABLE digest_runs;
