-- +goose Up
-- Same column as the Postgres migration.
ALTER TABLE alerts ADD COLUMN recovery_invitation_id INTEGER REFERENCES invitations (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX alerts_recovery ON alerts (recovery_invitation_id) WHERE recovery_invitation_id IS NOT NULL;

-- +goose Down
DROP INDEX alerts_recovery;
ALTER TABLE alerts DROP COLUMN recovery_invitation_id;
