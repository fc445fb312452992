package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// What ambassadors' /survey commands read besides the digest's aggregates:
// customers by the reference an ambassador typed, and how many invitations
// they sent today.

var _ surveys.AmbassadorStore = (*Store)(nil)

// FindCustomer implements surveys.AmbassadorStore. Forgotten customers are
// not found. Telegram usernames are never stored, so a username finds no one.
func (s *Store) FindCustomer(ctx context.Context, ref surveys.CustomerRef) (string, error) {
	var ids []string
	db := s.db.gorm.WithContext(ctx)
	var err error
	switch {
	case ref.ExternalID != "":
		err = db.Raw(`SELECT external_id FROM customers WHERE external_id = ? AND forgotten_at IS NULL`, ref.ExternalID).
			Scan(&ids).Error
	case ref.User.UserID != "":
		err = scan(db.Raw(`SELECT c.external_id FROM identities i JOIN customers c ON c.id = i.customer_id
			WHERE i.platform = ? AND i.user_id = ? AND c.forgotten_at IS NULL ORDER BY i.id LIMIT 1`,
			string(ref.User.Platform), ref.User.UserID), &ids)
	default:
		return "", surveys.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("find customer %s: %w", ref, translate(err))
	}
	if len(ids) == 0 {
		return "", surveys.ErrNotFound
	}
	return ids[0], nil
}

// AmbassadorInvitations implements surveys.AmbassadorStore.
func (s *Store) AmbassadorInvitations(ctx context.Context, from surveys.Address, since, until time.Time) (int, error) {
	prefix := surveys.AmbassadorKey(from) + ":"
	var n int64
	err := scan(s.db.gorm.WithContext(ctx).Raw(`SELECT count(*) FROM touchpoints t JOIN invitations i ON i.touchpoint_id = t.id
		WHERE t.source = ? AND substr(t.external_id, 1, ?) = ? AND t.occurred_at >= ? AND t.occurred_at < ?
		AND i.status <> ?`,
		surveys.AmbassadorSource, len(prefix), prefix, since.UTC(), until.UTC(), string(surveys.Skipped)), &n)
	if err != nil {
		return 0, fmt.Errorf("count invitations sent by %s: %w", from, translate(err))
	}
	return int(n), nil
}

var _ surveys.Auditor = (*Store)(nil)

// RecordCommand implements surveys.Auditor: an ambassador's command becomes
// an audit log line (RecordAudit).
func (s *Store) RecordCommand(ctx context.Context, r surveys.CommandRecord) error {
	return s.RecordAudit(ctx, r.Entry())
}
