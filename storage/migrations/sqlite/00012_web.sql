-- +goose Up
-- Same tables as the Postgres migration.
-- Keys the HTTP face signs with (web answer links), made once by whichever
-- replica needs one first and then shared by all, so every replica verifies
-- what another signed.
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One-time dashboard sign-in links; only a hash of the token is stored.
CREATE TABLE signin_tokens (
    token_hash TEXT PRIMARY KEY,
    who        TEXT NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX signin_tokens_expires ON signin_tokens (expires_at);

-- Dashboard sessions (the cookie holds the id; only its hash is stored).
CREATE TABLE signin_sessions (
    id_hash    TEXT PRIMARY KEY,
    who        TEXT NOT NULL,
    expires_at DATETIME NOT NULL,
    ended_at   DATETIME,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX signin_sessions_expires ON signin_sessions (expires_at);

-- +goose Down
DROP TABLE signin_sessions;
DROP TABLE signin_tokens;
DROP TABLE server_secrets;
