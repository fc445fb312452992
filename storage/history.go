package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// ImportHistory records answers given before vocbot (from the survey tool
// it replaces, or the demo's simulated weeks) with the touchpoint and sent
// invitation each implies, so scores, trends and digests include them.
// Customers are created when new. Source names where they came from. The
// responses' ID and InvitationID are filled in.
func (s *Store) ImportHistory(ctx context.Context, source string, rs []surveys.Response) error {
	if len(rs) == 0 {
		return nil
	}
	return s.db.inTx(ctx, func(tx *gorm.DB) error {
		tps, invs, err := s.importSent(tx, source, rs, "imported: answered before vocbot")
		if err != nil {
			return err
		}
		rows := make([]responseRow, len(rs))
		for i, r := range rs {
			state := r.CommentState
			if state == "" {
				state = surveys.CommentNone
				if r.Comment != "" {
					state = surveys.CommentGiven
				}
			}
			rows[i] = responseRow{InvitationID: invs[i].ID, CustomerID: tps[i].CustomerID, SurveyID: r.SurveyID,
				Metric: string(r.Metric), Score: r.Score, CommentState: string(state), CommentAt: timePtr(r.CommentAt),
				Locale: r.Locale, Platform: string(r.Platform), TouchpointType: r.TouchpointType,
				Attributes: attributesJSON(r.Attributes), UpdateID: fmt.Sprintf("%s:%d", source, invs[i].ID), AnsweredAt: r.AnsweredAt.UTC()}
			if r.Comment != "" {
				c := r.Comment
				rows[i].Comment = &c
			}
		}
		if err := tx.CreateInBatches(&rows, chunk).Error; err != nil {
			return fmt.Errorf("record past responses: %w", err)
		}
		for i := range rs {
			rs[i].ID, rs[i].InvitationID = rows[i].ID, rows[i].InvitationID
		}
		return nil
	})
}

// earlier is t moved d into the past (nil stays nil), for Backdate and
// BackdateAlerts.
func earlier(t *time.Time, d time.Duration) *time.Time {
	if t == nil {
		return nil
	}
	u := t.Add(-d).UTC()
	return &u
}

// Backdate moves everything recorded so far (touchpoints, invitations,
// responses) d into the past, as if it had happened then. It exists for
// the demo, which replays "yesterday" in a minute so that this morning's
// digest has something to report; it rewrites rows one by one.
func (s *Store) Backdate(ctx context.Context, d time.Duration) error {
	return s.db.inTx(ctx, func(tx *gorm.DB) error {
		var tps []touchpointRow
		if err := tx.Select("id", "occurred_at", "received_at").Find(&tps).Error; err != nil {
			return err
		}
		for _, r := range tps {
			if err := tx.Model(&touchpointRow{}).Where("id = ?", r.ID).Updates(map[string]any{
				"occurred_at": r.OccurredAt.Add(-d).UTC(), "received_at": r.ReceivedAt.Add(-d).UTC()}).Error; err != nil {
				return err
			}
		}
		var invs []invitationRow
		if err := tx.Select("id", "due_at", "expires_at", "sent_at", "created_at").Find(&invs).Error; err != nil {
			return err
		}
		for _, r := range invs {
			if err := tx.Model(&invitationRow{}).Where("id = ?", r.ID).Updates(map[string]any{
				"due_at": earlier(r.DueAt, d), "expires_at": earlier(r.ExpiresAt, d), "sent_at": earlier(r.SentAt, d),
				"created_at": r.CreatedAt.Add(-d).UTC()}).Error; err != nil {
				return err
			}
		}
		var rs []responseRow
		if err := tx.Select("id", "answered_at", "comment_at").Find(&rs).Error; err != nil {
			return err
		}
		for _, r := range rs {
			if err := tx.Model(&responseRow{}).Where("id = ?", r.ID).Updates(map[string]any{
				"answered_at": r.AnsweredAt.Add(-d).UTC(), "comment_at": earlier(r.CommentAt, d)}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// importSent records, for each of rs, the touchpoint and the sent invitation
// an answer (or an unanswered invitation) imported from before vocbot
// implies: sent at AnsweredAt, with detail saying where it came from.
// Customers are created when new.
func (s *Store) importSent(tx *gorm.DB, source string, rs []surveys.Response, detail string) ([]touchpointRow, []invitationRow, error) {
	now := s.now()
	customers := map[string]int64{}
	tps := make([]touchpointRow, len(rs))
	for i, r := range rs {
		id, ok := customers[r.CustomerID]
		if !ok {
			cust, err := s.lockCustomer(tx, surveys.Customer{ExternalID: r.CustomerID, Locale: r.Locale})
			if err != nil {
				return nil, nil, err
			}
			id, customers[r.CustomerID] = cust.ID, cust.ID
		}
		tps[i] = touchpointRow{Source: source, Type: r.TouchpointType, OccurredAt: r.AnsweredAt.UTC(), SurveyID: r.SurveyID,
			CustomerID: id, Attributes: attributesJSON(r.Attributes), RequestHash: "history", ReceivedAt: now}
	}
	if err := tx.CreateInBatches(&tps, chunk).Error; err != nil {
		return nil, nil, fmt.Errorf("record past touchpoints: %w", err)
	}
	invs := make([]invitationRow, len(rs))
	for i, r := range rs {
		at := r.AnsweredAt.UTC()
		invs[i] = invitationRow{TouchpointID: tps[i].ID, CustomerID: tps[i].CustomerID, SurveyID: r.SurveyID,
			Status: string(surveys.Sent), Detail: detail, Platform: string(r.Platform), Locale: r.Locale,
			DueAt: &at, ExpiresAt: timePtr(at.Add(surveys.DefaultExpiry)), SentAt: &at, CreatedAt: at, UpdatedAt: now}
	}
	// Past invitations were sent: awaiting_job keeps its default, and
	// leaving it out lets the migration tests import at older schemas.
	if err := tx.Omit("AwaitingJob").CreateInBatches(&invs, chunk).Error; err != nil {
		return nil, nil, fmt.Errorf("record past invitations: %w", err)
	}
	return tps, invs, nil
}
