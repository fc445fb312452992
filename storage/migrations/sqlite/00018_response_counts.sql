-- +goose Up
-- Same table as the Postgres migration: responses (and comments) per
-- survey, UTC hour, touchpoint type and score, kept exact by triggers on
-- responses in the writing transaction. hour is seconds since 1970-01-01 UTC
-- of answered_at divided by 3600. Hours emptied by a delete or a move keep
-- a row of zeros; readers skip them.
CREATE TABLE response_counts (
    survey_id       TEXT    NOT NULL,
    hour            INTEGER NOT NULL,
    touchpoint_type TEXT    NOT NULL,
    score           INTEGER NOT NULL,
    responses       INTEGER NOT NULL,
    comments        INTEGER NOT NULL,
    PRIMARY KEY (survey_id, hour, touchpoint_type, score)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER response_counts_insert AFTER INSERT ON responses BEGIN
    INSERT INTO response_counts (survey_id, hour, touchpoint_type, score, responses, comments)
    VALUES (NEW.survey_id, CAST(strftime('%s', NEW.answered_at) AS INTEGER) / 3600, NEW.touchpoint_type, NEW.score,
            1, NEW.comment_state = 'given')
    ON CONFLICT (survey_id, hour, touchpoint_type, score)
    DO UPDATE SET responses = responses + 1, comments = comments + excluded.comments;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER response_counts_delete AFTER DELETE ON responses BEGIN
    UPDATE response_counts SET responses = responses - 1, comments = comments - (OLD.comment_state = 'given')
    WHERE survey_id = OLD.survey_id AND hour = CAST(strftime('%s', OLD.answered_at) AS INTEGER) / 3600
      AND touchpoint_type = OLD.touchpoint_type AND score = OLD.score;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER response_counts_update AFTER UPDATE OF survey_id, answered_at, touchpoint_type, score, comment_state ON responses
WHEN OLD.survey_id IS NOT NEW.survey_id OR OLD.answered_at IS NOT NEW.answered_at OR OLD.touchpoint_type IS NOT NEW.touchpoint_type
  OR OLD.score IS NOT NEW.score OR (OLD.comment_state = 'given') IS NOT (NEW.comment_state = 'given')
BEGIN
    UPDATE response_counts SET responses = responses - 1, comments = comments - (OLD.comment_state = 'given')
    WHERE survey_id = OLD.survey_id AND hour = CAST(strftime('%s', OLD.answered_at) AS INTEGER) / 3600
      AND touchpoint_type = OLD.touchpoint_type AND score = OLD.score;
    INSERT INTO response_counts (survey_id, hour, touchpoint_type, score, responses, comments)
    VALUES (NEW.survey_id, CAST(strftime('%s', NEW.answered_at) AS INTEGER) / 3600, NEW.touchpoint_type, NEW.score,
            1, NEW.comment_state = 'given')
    ON CONFLICT (survey_id, hour, touchpoint_type, score)
    DO UPDATE SET responses = responses + 1, comments = comments + excluded.comments;
END;
-- +goose StatementEnd

INSERT INTO response_counts (survey_id, hour, touchpoint_type, score, responses, comments)
SELECT survey_id, CAST(strftime('%s', answered_at) AS INTEGER) / 3600 AS h, touchpoint_type, score,
       count(*), sum(comment_state = 'given')
FROM responses GROUP BY survey_id, h, touchpoint_type, score;

-- +goose Down
DROP TRIGGER response_counts_update;
DROP TRIGGER response_counts_delete;
DROP TRIGGER response_counts_insert;
DROP TABLE response_counts;
