-- +goose Up
-- Keys the HTTP face signs with (web answer links), made once by whichever
-- replica needs one first and then shared by all, so every replica verifies
-- what another signed.
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One-time dashboard sign-in links; only a hash of the token is stored.
CREATE TABLE signin_tokens (
    token_hash text PRIMARY KEY,
    who        text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_tokens_expires ON signin_tokens (expires_at);

-- Dashboard sessions (the cookie holds the id; only its hash is stored).
CREATE TABLE signin_sessions (
    id_hash    text PRIMARY KEY,
    who        text NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_sessions_expires ON signin_sessions (expires_at);

-- +goose Down
DROP TABLE signin_sessions;
DROP TABLE signin_tokens;
DROP TABLE server_secrets;
