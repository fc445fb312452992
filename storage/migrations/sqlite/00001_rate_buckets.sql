-- +goose Up
-- Token buckets (GCRA), see the Postgres migration. Times are Unix
-- microseconds: SQLite has no timestamp type and integer maths is exact.
CREATE TABLE rate_buckets (
    key           TEXT PRIMARY KEY,
    tat           INTEGER NOT NULL,
    blocked_until INTEGER
) STRICT;

-- +goose Down
DROP TABLE rate_buckets;
