-- +goose Up
-- A scheduled invitation gets its delivery job (a River job) when it is
-- made only if it is due within the job horizon (storage.jobHorizon);
-- one due later waits with awaiting_job set, and the queue_surveys tick
-- makes its job shortly before it is due. River's job table then holds the
-- next few minutes of deliveries instead of every survey scheduled days
-- ahead, and making an invitation writes one row and one small index
-- entry instead of a job row and its six index entries (two of them
-- GIN). Rows made before this migration have their jobs already: false.
ALTER TABLE invitations ADD COLUMN awaiting_job BOOLEAN NOT NULL DEFAULT 0;
CREATE INDEX invitations_awaiting_job ON invitations (due_at) WHERE awaiting_job;

-- +goose Down
DROP INDEX invitations_awaiting_job;
ALTER TABLE invitations DROP COLUMN awaiting_job;
