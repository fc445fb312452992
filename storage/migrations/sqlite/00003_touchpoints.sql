-- +goose Up
-- Same tables as the Postgres migration; times are stored by gorm in UTC as
-- DATETIME text, which compares in time order.
-- Customers are known by the company's own id; personal data stays here and
-- in identities so that forgetting a customer is a few targeted updates.
CREATE TABLE customers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id  TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL DEFAULT '',
    locale       TEXT NOT NULL DEFAULT '',
    time_zone    TEXT NOT NULL DEFAULT '',
    opted_out_at DATETIME,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- A chat belongs to one customer. Missing parts are '' so the key is total.
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    platform    TEXT NOT NULL,
    chat_id     TEXT NOT NULL DEFAULT '',
    user_id     TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (platform, chat_id, user_id)
);
CREATE INDEX identities_customer ON identities (customer_id);

-- Every accepted touchpoint. (source, external_id) is the natural key that
-- makes a retried event the same event; request_hash tells a retry from a reuse.
CREATE TABLE touchpoints (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    source       TEXT NOT NULL,
    external_id  TEXT,
    type         TEXT NOT NULL,
    occurred_at  DATETIME NOT NULL,
    survey_id    TEXT NOT NULL DEFAULT '',
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    attributes   TEXT NOT NULL DEFAULT '{}',
    request_hash TEXT NOT NULL,
    received_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (source, external_id)
);
CREATE INDEX touchpoints_customer ON touchpoints (customer_id);

-- Idempotency-Key header values, scoped to the sender (draft-ietf-httpapi-idempotency-key-header).
CREATE TABLE idempotency_keys (
    source        TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    touchpoint_id INTEGER NOT NULL REFERENCES touchpoints (id) ON DELETE CASCADE,
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (source, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- One invitation (or skip record) per touchpoint; status follows surveys.Status.
CREATE TABLE invitations (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    touchpoint_id      INTEGER NOT NULL UNIQUE REFERENCES touchpoints (id) ON DELETE CASCADE,
    customer_id        INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    survey_id          TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    skip_reason        TEXT NOT NULL DEFAULT '',
    detail             TEXT NOT NULL DEFAULT '',
    platform           TEXT NOT NULL DEFAULT '',
    chat_id            TEXT NOT NULL DEFAULT '',
    user_id            TEXT NOT NULL DEFAULT '',
    locale             TEXT NOT NULL DEFAULT '',
    due_at             DATETIME,
    expires_at         DATETIME,
    attempts           INTEGER NOT NULL DEFAULT 0,
    attempt_started_at DATETIME,
    sent_at            DATETIME,
    message_ref        TEXT NOT NULL DEFAULT '',
    reminded_at        DATETIME,
    created_at         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (status IN ('scheduled', 'sending', 'sent', 'skipped', 'undeliverable', 'unknown', 'expired'))
);
-- Fatigue looks up a customer's latest survey that reached or will reach them.
CREATE INDEX invitations_fatigue ON invitations (customer_id, due_at)
    WHERE status IN ('scheduled', 'sending', 'sent', 'unknown');
CREATE INDEX invitations_status ON invitations (status, due_at);

-- One-time deep-link tokens (Telegram /start <token>); only a hash is stored.
CREATE TABLE link_tokens (
    token_hash  TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    expires_at  DATETIME NOT NULL,
    used_at     DATETIME,
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- +goose Down
DROP TABLE link_tokens;
DROP TABLE invitations;
DROP TABLE idempotency_keys;
DROP TABLE touchpoints;
DROP TABLE identities;
DROP TABLE customers;
