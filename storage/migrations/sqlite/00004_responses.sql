-- +goose Up
-- Same tables as the Postgres migration.
CREATE TABLE responses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    invitation_id   INTEGER NOT NULL UNIQUE REFERENCES invitations (id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    survey_id       TEXT NOT NULL,
    metric          TEXT NOT NULL,
    score           INTEGER NOT NULL,
    comment         TEXT,
    comment_state   TEXT NOT NULL DEFAULT 'none',
    comment_at      DATETIME,
    locale          TEXT NOT NULL DEFAULT '',
    platform        TEXT NOT NULL DEFAULT '',
    touchpoint_type TEXT NOT NULL DEFAULT '',
    attributes      TEXT NOT NULL DEFAULT '{}',
    update_id       TEXT NOT NULL,
    answered_at     DATETIME NOT NULL,
    CHECK (comment_state IN ('none', 'awaiting', 'given', 'skipped', 'erased'))
);
CREATE INDEX responses_answered ON responses (answered_at DESC, id DESC);
CREATE INDEX responses_survey_answered ON responses (survey_id, answered_at DESC, id DESC);
CREATE INDEX responses_customer ON responses (customer_id);

CREATE TABLE inbound_updates (
    id          TEXT PRIMARY KEY,
    received_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX inbound_updates_received ON inbound_updates (received_at);

ALTER TABLE customers ADD COLUMN forgotten_at DATETIME;

-- +goose Down
ALTER TABLE customers DROP COLUMN forgotten_at;
DROP TABLE inbound_updates;
DROP TABLE responses;
