package storage

import (
	"context"
	"fmt"

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
		now := s.now()
		customers := map[string]int64{}
		tps := make([]touchpointRow, len(sent))
		for i, r := range sent {
			id, ok := customers[r.CustomerID]
			if !ok {
				cust, err := s.lockCustomer(tx, surveys.Customer{ExternalID: r.CustomerID, Locale: r.Locale})
				if err != nil {
					return err
				}
				id, customers[r.CustomerID] = cust.ID, cust.ID
			}
			tps[i] = touchpointRow{Source: source, Type: r.TouchpointType, OccurredAt: r.AnsweredAt.UTC(), SurveyID: r.SurveyID,
				CustomerID: id, Attributes: attributesJSON(r.Attributes), RequestHash: "history", ReceivedAt: now}
		}
		if err := tx.CreateInBatches(&tps, chunk).Error; err != nil {
			return fmt.Errorf("record past touchpoints: %w", err)
		}
		invs := make([]invitationRow, len(sent))
		for i, r := range sent {
			at := r.AnsweredAt.UTC()
			invs[i] = invitationRow{TouchpointID: tps[i].ID, CustomerID: tps[i].CustomerID, SurveyID: r.SurveyID,
				Status: string(surveys.Sent), Detail: "imported: sent before vocbot, not answered", Platform: string(r.Platform), Locale: r.Locale,
				DueAt: &at, ExpiresAt: timePtr(at.Add(surveys.DefaultExpiry)), SentAt: &at, CreatedAt: at, UpdatedAt: now}
		}
		if err := tx.CreateInBatches(&invs, chunk).Error; err != nil {
			return fmt.Errorf("record past invitations: %w", err)
		}
		return nil
	})
}
