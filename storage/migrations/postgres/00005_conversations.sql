-- +goose Up
-- The language of each comment, told from its script when it is given
-- (scoring.md §9): quotes pick per language and weigh n-grams by the
-- language's own IDF. Erasure clears it with the comment.
ALTER TABLE responses ADD COLUMN comment_lang text NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN comment_lang_confidence double precision NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE responses DROP COLUMN comment_lang_confidence;
ALTER TABLE responses DROP COLUMN comment_lang;
