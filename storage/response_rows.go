package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

type responseRow struct {
	ID             int64
	InvitationID   int64
	CustomerID     int64
	SurveyID       string
	Metric         string
	Score          int
	Comment        *string
	CommentState   string
	CommentAt      *time.Time
	Reason         string
	Locale         string
	Platform       string
	TouchpointType string
	Attributes     string
	UpdateID       string
	AnsweredAt     time.Time
}

func (responseRow) TableName() string { return "responses" }

// response converts a row; customerExternalID comes from the customers row.
func (r responseRow) response(customerExternalID string) surveys.Response {
	out := surveys.Response{
		ID:             r.ID,
		InvitationID:   r.InvitationID,
		CustomerID:     customerExternalID,
		SurveyID:       r.SurveyID,
		Metric:         surveys.Metric(r.Metric),
		Score:          r.Score,
		CommentState:   surveys.CommentState(r.CommentState),
		Reason:         r.Reason,
		Locale:         r.Locale,
		Platform:       surveys.Platform(r.Platform),
		TouchpointType: r.TouchpointType,
		AnsweredAt:     r.AnsweredAt.UTC(),
		CommentAt:      timeOf(r.CommentAt),
	}
	if r.Comment != nil {
		out.Comment = *r.Comment
	}
	if r.Attributes != "" && r.Attributes != "{}" {
		_ = json.Unmarshal([]byte(r.Attributes), &out.Attributes) // written by attributesJSON
	}
	return out
}

// ResponseTo loads the response to an invitation; surveys.ErrNotFound if
// the customer has not answered.
func (s *Store) ResponseTo(ctx context.Context, invitationID int64) (surveys.Response, error) {
	var row responseRow
	if err := s.db.gorm.WithContext(ctx).Where("invitation_id = ?", invitationID).Take(&row).Error; err != nil {
		return surveys.Response{}, fmt.Errorf("load response to invitation %d: %w", invitationID, translate(err))
	}
	var cust customerRow
	if err := s.db.gorm.WithContext(ctx).Select("external_id").Where("id = ?", row.CustomerID).Take(&cust).Error; err != nil {
		return surveys.Response{}, fmt.Errorf("load customer of response %d: %w", row.ID, translate(err))
	}
	return row.response(cust.ExternalID), nil
}
