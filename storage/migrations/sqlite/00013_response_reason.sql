-- +goose Up
-- The reason button a customer tapped after the score ("what was it mostly
-- about?"), a survey's short reason id; '' when none was offered or tapped.
ALTER TABLE responses ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE responses DROP COLUMN reason;
