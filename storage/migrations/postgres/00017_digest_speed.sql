-- +goose Up
-- The digest groups responses by local day with width_bucket(answered_at,
-- day boundaries). PostgreSQL estimates the groups of an expression from its
-- columns, and answered_at is nearly unique, so it expected one group per
-- response: a plan without parallel workers, compiled by JIT, about twice
-- the time of a plain GROUP BY score over the same rows. answered_at is only
-- ever grouped by day or compared by range (ranges use the histogram, not
-- this figure); 200 distinct values is what PostgreSQL assumes for an
-- expression it knows nothing about, and it makes the per-day aggregate run
-- in parallel like the plain one.
ALTER TABLE responses ALTER COLUMN answered_at SET (n_distinct = 200);
ANALYZE responses;

-- The digest's reason counts read only the responses that carry a reason;
-- without this index they read the whole window a second time.
CREATE INDEX responses_reason ON responses (survey_id, answered_at) WHERE reason <> '';

-- +goose Down
DROP INDEX responses_reason;
ALTER TABLE responses ALTER COLUMN answered_at RESET (n_distinct);
ANALYZE responses;
