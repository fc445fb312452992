-- +goose Up
-- Closing the loop with a detractor: when staff first and last replied,
-- how long the customer's answers are relayed back to the alert's thread,
-- and every step of the conversation as a timeline.
ALTER TABLE alerts ADD COLUMN first_reply_at timestamptz;
ALTER TABLE alerts ADD COLUMN last_agent_at timestamptz;
ALTER TABLE alerts ADD COLUMN relay_until timestamptz;
-- When the one reminder of a missed first-reply target was posted.
ALTER TABLE alerts ADD COLUMN reminded_at timestamptz;
-- The relay looks up the open alerts of a customer's response.
CREATE INDEX alerts_relay ON alerts (response_id) WHERE relay_until IS NOT NULL AND state <> 'resolved';

-- kind: claimed | agent_reply | customer_reply | reminder | resolved;
-- actor: agent | customer | vocbot; who: the agent ("slack:U1") or ''.
CREATE TABLE alert_events (
    id       bigserial PRIMARY KEY,
    alert_id bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL,
    kind     text NOT NULL,
    actor    text NOT NULL,
    who      text NOT NULL DEFAULT '',
    locale   text NOT NULL DEFAULT '',
    text     text NOT NULL DEFAULT '',
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
