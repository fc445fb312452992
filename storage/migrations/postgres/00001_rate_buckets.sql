-- +goose Up
-- Token buckets (GCRA) shared by every replica: one row per platform, chat or
-- route budget. tat is the theoretical arrival time of the next token;
-- blocked_until is set when a platform answered 429 with a retry-after.
CREATE TABLE rate_buckets (
    key           text PRIMARY KEY,
    tat           timestamptz NOT NULL,
    blocked_until timestamptz
);

-- +goose Down
DROP TABLE rate_buckets;
