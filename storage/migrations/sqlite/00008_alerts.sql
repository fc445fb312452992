-- +goose Up
-- Same table as the Postgres migration.
CREATE TABLE alerts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id        INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    target             TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending',
    state              TEXT NOT NULL DEFAULT 'open',
    assignee           TEXT NOT NULL DEFAULT '',
    resolution         TEXT NOT NULL DEFAULT '',
    replies            INTEGER NOT NULL DEFAULT 0,
    message_ref        TEXT NOT NULL DEFAULT '',
    attempt_started_at DATETIME,
    created_at         DATETIME NOT NULL,
    posted_at          DATETIME,
    claimed_at         DATETIME,
    resolved_at        DATETIME,
    UNIQUE (response_id, target),
    CHECK (status IN ('pending', 'sending', 'sent', 'unknown', 'undeliverable', 'failed')),
    CHECK (state IN ('open', 'claimed', 'resolved'))
);
CREATE INDEX alerts_waiting ON alerts (created_at) WHERE state <> 'resolved';

-- +goose Down
DROP TABLE alerts;
