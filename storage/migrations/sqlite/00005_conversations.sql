-- +goose Up
-- Same columns as the Postgres migration.
ALTER TABLE responses ADD COLUMN comment_lang TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN comment_lang_confidence REAL NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE responses DROP COLUMN comment_lang_confidence;
ALTER TABLE responses DROP COLUMN comment_lang;
