-- +goose Up
-- A scheduled invitation gets its delivery job (a River job) when it is
-- made only if it is due within the job horizon (storage.jobHorizon);
-- one due later waits with awaiting_job set, and the queue_surveys tick
-- makes its job shortly before it is due. River's job table then holds the
-- next few minutes of deliveries instead of every survey scheduled days
-- ahead, and making an invitation writes one row and one small index
-- entry instead of a job row and its six index entries (two of them
-- GIN). Rows made before this migration have their jobs already: false.
ALTER TABLE invitations ADD COLUMN awaiting_job boolean NOT NULL DEFAULT false;
CREATE INDEX invitations_awaiting_job ON invitations (due_at) WHERE awaiting_job;

-- An invitation's customer is its touchpoint's, and the touchpoint's
-- foreign key already ties it to the customer (deleting a customer deletes
-- its touchpoints, and they their invitations). The second check cost as
-- much as writing the touchpoint's row: about 3 ms a batch of 1,000.
-- (SQLite checks keys in process and cannot drop a constraint without
-- rebuilding the table; it keeps it.)
ALTER TABLE invitations DROP CONSTRAINT invitations_customer_id_fkey;

-- +goose Down
ALTER TABLE invitations ADD CONSTRAINT invitations_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
DROP INDEX invitations_awaiting_job;
ALTER TABLE invitations DROP COLUMN awaiting_job;
