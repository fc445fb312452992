-- +goose Up
-- Same columns as the Postgres migration. blocked_at is when the person
-- blocked the bot in this chat (NULL: not blocked); a blocked chat is not
-- chosen for new surveys, and the digest counts customers with one.
ALTER TABLE identities ADD COLUMN blocked_at DATETIME;
CREATE INDEX identities_blocked ON identities (customer_id) WHERE blocked_at IS NOT NULL;

-- +goose Down
DROP INDEX identities_blocked;
ALTER TABLE identities DROP COLUMN blocked_at;
