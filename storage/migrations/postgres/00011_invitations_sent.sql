-- +goose Up
-- The digest counts yesterday's delivered invitations per survey; without
-- this index that count reads every invitation ever made.
CREATE INDEX invitations_sent ON invitations (survey_id, sent_at) WHERE sent_at IS NOT NULL;

-- +goose Down
DROP INDEX invitations_sent;
