-- +goose Up
-- Same columns and table as the Postgres migration.
ALTER TABLE alerts ADD COLUMN first_reply_at DATETIME;
ALTER TABLE alerts ADD COLUMN last_agent_at DATETIME;
ALTER TABLE alerts ADD COLUMN relay_until DATETIME;
-- When the one reminder of a missed first-reply target was posted.
ALTER TABLE alerts ADD COLUMN reminded_at DATETIME;
CREATE INDEX alerts_relay ON alerts (response_id) WHERE relay_until IS NOT NULL AND state <> 'resolved';

CREATE TABLE alert_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at       DATETIME NOT NULL,
    kind     TEXT NOT NULL,
    actor    TEXT NOT NULL,
    who      TEXT NOT NULL DEFAULT '',
    locale   TEXT NOT NULL DEFAULT '',
    text     TEXT NOT NULL DEFAULT '',
    CHECK (kind IN ('claimed', 'agent_reply', 'customer_reply', 'reminder', 'resolved')),
    CHECK (actor IN ('agent', 'customer', 'vocbot'))
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

-- +goose Down
DROP TABLE alert_events;
DROP INDEX alerts_relay;
ALTER TABLE alerts DROP COLUMN reminded_at;
ALTER TABLE alerts DROP COLUMN relay_until;
ALTER TABLE alerts DROP COLUMN last_agent_at;
ALTER TABLE alerts DROP COLUMN first_reply_at;
