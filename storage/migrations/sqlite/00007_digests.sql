-- +goose Up
-- Same table as the Postgres migration.
CREATE TABLE digest_runs (
    digest_id          TEXT NOT NULL,
    local_date         TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending',
    due_at             DATETIME NOT NULL,
    attempt_started_at DATETIME,
    sent_at            DATETIME,
    message_ref        TEXT NOT NULL DEFAULT '',
    quotes             TEXT NOT NULL DEFAULT '[]',
    created_at         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (digest_id, local_date),
    CHECK (status IN ('pending', 'sending', 'sent', 'empty', 'unknown', 'failed'))
);
CREATE INDEX digest_runs_sent ON digest_runs (digest_id, sent_at);

-- +goose Down
DROP TABLE digest_runs;
