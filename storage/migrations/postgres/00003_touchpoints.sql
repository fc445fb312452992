-- +goose Up
-- Customers are known by the company's own id; personal data stays here and
-- in identities so that forgetting a customer is a few targeted updates.
CREATE TABLE customers (
    id           bigserial PRIMARY KEY,
    external_id  text NOT NULL UNIQUE,
    name         text NOT NULL DEFAULT '',
    locale       text NOT NULL DEFAULT '',
    time_zone    text NOT NULL DEFAULT '',
    opted_out_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A chat belongs to one customer. Missing parts are '' so the key is total.
CREATE TABLE identities (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    platform    text NOT NULL,
    chat_id     text NOT NULL DEFAULT '',
    user_id     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, chat_id, user_id)
);
CREATE INDEX identities_customer ON identities (customer_id);

-- Every accepted touchpoint. (source, external_id) is the natural key that
-- makes a retried event the same event; request_hash tells a retry from a reuse.
CREATE TABLE touchpoints (
    id           bigserial PRIMARY KEY,
    source       text NOT NULL,
    external_id  text,
    type         text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    survey_id    text NOT NULL DEFAULT '',
    customer_id  bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    attributes   jsonb NOT NULL DEFAULT '{}',
    request_hash text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id)
);
CREATE INDEX touchpoints_customer ON touchpoints (customer_id);

-- Idempotency-Key header values, scoped to the sender (draft-ietf-httpapi-idempotency-key-header).
CREATE TABLE idempotency_keys (
    source        text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    touchpoint_id bigint NOT NULL REFERENCES touchpoints (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- One invitation (or skip record) per touchpoint; status follows surveys.Status.
CREATE TABLE invitations (
    id                 bigserial PRIMARY KEY,
    touchpoint_id      bigint NOT NULL UNIQUE REFERENCES touchpoints (id) ON DELETE CASCADE,
    customer_id        bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    survey_id          text NOT NULL DEFAULT '',
    status             text NOT NULL,
    skip_reason        text NOT NULL DEFAULT '',
    detail             text NOT NULL DEFAULT '',
    platform           text NOT NULL DEFAULT '',
    chat_id            text NOT NULL DEFAULT '',
    user_id            text NOT NULL DEFAULT '',
    locale             text NOT NULL DEFAULT '',
    due_at             timestamptz,
    expires_at         timestamptz,
    attempts           integer NOT NULL DEFAULT 0,
    attempt_started_at timestamptz,
    sent_at            timestamptz,
    message_ref        text NOT NULL DEFAULT '',
    reminded_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (status IN ('scheduled', 'sending', 'sent', 'skipped', 'undeliverable', 'unknown', 'expired'))
);
-- Fatigue looks up a customer's latest survey that reached or will reach them.
CREATE INDEX invitations_fatigue ON invitations (customer_id, due_at)
    WHERE status IN ('scheduled', 'sending', 'sent', 'unknown');
CREATE INDEX invitations_status ON invitations (status, due_at);

-- One-time deep-link tokens (Telegram /start <token>); only a hash is stored.
CREATE TABLE link_tokens (
    token_hash  text PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE link_tokens;
DROP TABLE invitations;
DROP TABLE idempotency_keys;
DROP TABLE touchpoints;
DROP TABLE identities;
DROP TABLE customers;
