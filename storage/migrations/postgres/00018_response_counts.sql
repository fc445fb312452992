-- +goose Up
-- response_counts holds how many responses (and how many with a comment)
-- each survey got per UTC hour, touchpoint type and score: the digest, the
-- score report, /survey stats and GET /v1/scores sum these hours into their
-- local days instead of grouping every response of their window. hour is
-- floor(seconds since 1970-01-01 UTC of answered_at / 3600). Statement
-- triggers on responses keep it exact in the transaction that writes the
-- responses, whichever statement does (answers, imports, erasure, the
-- demo's backdating, deletes cascading from customers or invitations).
-- Hours emptied by a delete or a move keep a row of zeros; readers skip them.
CREATE TABLE response_counts (
    survey_id       text    NOT NULL,
    hour            bigint  NOT NULL,
    touchpoint_type text    NOT NULL,
    score           integer NOT NULL,
    responses       bigint  NOT NULL,
    comments        bigint  NOT NULL,
    PRIMARY KEY (survey_id, hour, touchpoint_type, score)
);

-- +goose StatementBegin
CREATE FUNCTION response_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each statement adds its new rows and takes away its old ones, grouped
    -- and in key order (two transactions meet the same rows in the same
    -- order). An update that changes none of the counted columns nets out
    -- to nothing and writes nothing.
    IF TG_OP = 'INSERT' THEN
        INSERT INTO response_counts AS c (survey_id, hour, touchpoint_type, score, responses, comments)
        SELECT survey_id, floor(extract(epoch FROM answered_at) / 3600)::bigint AS h, touchpoint_type, score,
               count(*), count(*) FILTER (WHERE comment_state = 'given')
        FROM new_rows GROUP BY survey_id, h, touchpoint_type, score ORDER BY survey_id, h, touchpoint_type, score
        ON CONFLICT (survey_id, hour, touchpoint_type, score)
        DO UPDATE SET responses = c.responses + excluded.responses, comments = c.comments + excluded.comments;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO response_counts AS c (survey_id, hour, touchpoint_type, score, responses, comments)
        SELECT survey_id, floor(extract(epoch FROM answered_at) / 3600)::bigint AS h, touchpoint_type, score,
               -count(*), -count(*) FILTER (WHERE comment_state = 'given')
        FROM old_rows GROUP BY survey_id, h, touchpoint_type, score ORDER BY survey_id, h, touchpoint_type, score
        ON CONFLICT (survey_id, hour, touchpoint_type, score)
        DO UPDATE SET responses = c.responses + excluded.responses, comments = c.comments + excluded.comments;
    ELSE
        INSERT INTO response_counts AS c (survey_id, hour, touchpoint_type, score, responses, comments)
        SELECT survey_id, h, touchpoint_type, score, sum(n), sum(k)
        FROM (SELECT survey_id, floor(extract(epoch FROM answered_at) / 3600)::bigint AS h, touchpoint_type, score,
                     1 AS n, CASE WHEN comment_state = 'given' THEN 1 ELSE 0 END AS k FROM new_rows
              UNION ALL
              SELECT survey_id, floor(extract(epoch FROM answered_at) / 3600)::bigint, touchpoint_type, score,
                     -1, CASE WHEN comment_state = 'given' THEN -1 ELSE 0 END FROM old_rows) d
        GROUP BY survey_id, h, touchpoint_type, score
        HAVING sum(n) <> 0 OR sum(k) <> 0
        ORDER BY survey_id, h, touchpoint_type, score
        ON CONFLICT (survey_id, hour, touchpoint_type, score)
        DO UPDATE SET responses = c.responses + excluded.responses, comments = c.comments + excluded.comments;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER response_counts_insert AFTER INSERT ON responses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION response_counts_apply();
CREATE TRIGGER response_counts_delete AFTER DELETE ON responses
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION response_counts_apply();
CREATE TRIGGER response_counts_update AFTER UPDATE ON responses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION response_counts_apply();

INSERT INTO response_counts (survey_id, hour, touchpoint_type, score, responses, comments)
SELECT survey_id, floor(extract(epoch FROM answered_at) / 3600)::bigint AS h, touchpoint_type, score,
       count(*), count(*) FILTER (WHERE comment_state = 'given')
FROM responses GROUP BY survey_id, h, touchpoint_type, score;

-- +goose Down
DROP TRIGGER response_counts_update ON responses;
DROP TRIGGER response_counts_delete ON responses;
DROP TRIGGER response_counts_insert ON responses;
DROP FUNCTION response_counts_apply();
DROP TABLE response_counts;
