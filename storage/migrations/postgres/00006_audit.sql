-- +goose Up
-- Who did what, when, with what result: ambassador commands, operator
-- commands, erasures. Append-only; never holds a forgotten customer's id.
CREATE TABLE audit_log (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text NOT NULL,
    platform text NOT NULL DEFAULT '',
    action   text NOT NULL,
    target   text NOT NULL DEFAULT '',
    result   text NOT NULL DEFAULT '',
    detail   text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target);

-- +goose Down
DROP TABLE audit_log;
