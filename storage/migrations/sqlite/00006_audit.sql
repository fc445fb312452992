-- +goose Up
-- Same table as the Postgres migration.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    actor    TEXT NOT NULL,
    platform TEXT NOT NULL DEFAULT '',
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    result   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target);

-- +goose Down
DROP TABLE audit_log;
