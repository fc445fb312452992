-- +goose Up
-- One response per invitation: the score, then (optionally) the comment.
-- Touchpoint type, attributes, metric, locale and platform are copied in so
-- scores and exports read one table. Forgetting a customer clears comment
-- and attributes and keeps the anonymous score for totals.
CREATE TABLE responses (
    id              bigserial PRIMARY KEY,
    invitation_id   bigint NOT NULL UNIQUE REFERENCES invitations (id) ON DELETE CASCADE,
    customer_id     bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    survey_id       text NOT NULL,
    metric          text NOT NULL,
    score           integer NOT NULL,
    comment         text,
    comment_state   text NOT NULL DEFAULT 'none',
    comment_at      timestamptz,
    locale          text NOT NULL DEFAULT '',
    platform        text NOT NULL DEFAULT '',
    touchpoint_type text NOT NULL DEFAULT '',
    attributes      jsonb NOT NULL DEFAULT '{}',
    update_id       text NOT NULL,
    answered_at     timestamptz NOT NULL,
    CHECK (comment_state IN ('none', 'awaiting', 'given', 'skipped', 'erased'))
);
CREATE INDEX responses_answered ON responses (answered_at DESC, id DESC);
CREATE INDEX responses_survey_answered ON responses (survey_id, answered_at DESC, id DESC);
CREATE INDEX responses_customer ON responses (customer_id);

-- Platform updates already handled (Telegram update_id, Slack event_id,
-- interaction ids): a redelivery is acknowledged and ignored.
CREATE TABLE inbound_updates (
    id          text PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbound_updates_received ON inbound_updates (received_at);

ALTER TABLE customers ADD COLUMN forgotten_at timestamptz;

-- +goose Down
ALTER TABLE customers DROP COLUMN forgotten_at;
DROP TABLE inbound_updates;
DROP TABLE responses;
