-- +goose Up
-- The recovery survey of an alert: the invitation made for it when the
-- alert was resolved (its touchpoint has source 'vocbot' and external id
-- 'recovery:a<alert id>', which the touchpoints' unique key makes once).
-- The answer is the invitation's response.
ALTER TABLE alerts ADD COLUMN recovery_invitation_id bigint REFERENCES invitations (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX alerts_recovery ON alerts (recovery_invitation_id) WHERE recovery_invitation_id IS NOT NULL;

-- +goose Down
DROP INDEX alerts_recovery;
ALTER TABLE alerts DROP COLUMN recovery_invitation_id;
