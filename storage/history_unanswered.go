package storage

import (
	"context"

	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// ImportUnanswered records invitations delivered before vocbot that were
// never answered (the other side of ImportHistory), each with the touchpoint
// it implies, so response rates over imported weeks are true. Only the
// Response fields naming the customer, survey, touchpoint, locale, platform
// and attributes are read; AnsweredAt is when the invitation was sent.
// Customers are created when new.
func (s *Store) ImportUnanswered(ctx context.Context, source string, sent []surveys.Response) error {
	if len(sent) == 0 {
		return nil
	}
	return s.db.inTx(ctx, func(tx *gorm.DB) error {
		_, _, err := s.importSent(tx, source, sent, "imported: sent before vocbot, not answered")
		return err
	})
}
