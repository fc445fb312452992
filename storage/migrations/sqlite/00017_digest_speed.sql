-- +goose Up
-- The digest's reason counts read only the responses that carry a reason;
-- without this index they read the whole window a second time.
CREATE INDEX responses_reason ON responses (survey_id, answered_at) WHERE reason <> '';

-- +goose Down
DROP INDEX responses_reason;
