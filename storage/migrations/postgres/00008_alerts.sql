-- +goose Up
-- One alert per low-score response and alert target. status is the post's
-- delivery (engine.md §6: pending → sending → sent; unknown after an
-- ambiguous failure, never reposted); state is the team's handling of it
-- (open → claimed → resolved). Forgetting the customer deletes the response
-- and with it the alert.
CREATE TABLE alerts (
    id                 bigserial PRIMARY KEY,
    response_id        bigint NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    target             text NOT NULL,
    status             text NOT NULL DEFAULT 'pending',
    state              text NOT NULL DEFAULT 'open',
    assignee           text NOT NULL DEFAULT '',
    resolution         text NOT NULL DEFAULT '',
    replies            integer NOT NULL DEFAULT 0,
    message_ref        text NOT NULL DEFAULT '',
    attempt_started_at timestamptz,
    created_at         timestamptz NOT NULL,
    posted_at          timestamptz,
    claimed_at         timestamptz,
    resolved_at        timestamptz,
    UNIQUE (response_id, target),
    CHECK (status IN ('pending', 'sending', 'sent', 'unknown', 'undeliverable', 'failed')),
    CHECK (state IN ('open', 'claimed', 'resolved'))
);
-- The digest counts unresolved alerts waiting past their target.
CREATE INDEX alerts_waiting ON alerts (created_at) WHERE state <> 'resolved';

-- +goose Down
DROP TABLE alerts;
