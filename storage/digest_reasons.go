package storage

import (
	"context"
	"fmt"

	"github.com/vocbot/vocbot/surveys"
)

var _ surveys.DigestReasonCounter = (*Store)(nil)

// DigestReasonCounts implements surveys.DigestReasonCounter: one GROUP BY
// over the responses of the digest's surveys in the headline window that
// gave a reason, by survey and reason.
func (s *Store) DigestReasonCounts(ctx context.Context, q surveys.DigestQuery) ([]surveys.DigestReasonCount, error) {
	w := q.HeadlineWindow()
	if len(q.Surveys) == 0 || w.End.IsZero() {
		return nil, nil
	}
	var rows []struct {
		SurveyID  string
		Reason    string
		Responses int
	}
	err := scan(s.db.gorm.WithContext(ctx).Raw(`SELECT survey_id, reason, count(*) AS responses FROM responses
		WHERE survey_id IN ? AND answered_at >= ? AND answered_at < ? AND reason <> ''
		GROUP BY survey_id, reason`, q.Surveys, w.Start.UTC(), w.End.UTC()), &rows)
	if err != nil {
		return nil, fmt.Errorf("count reasons for digest %s: %w", q.DigestID, err)
	}
	out := make([]surveys.DigestReasonCount, len(rows))
	for i, r := range rows {
		out[i] = surveys.DigestReasonCount(r)
	}
	return out, nil
}
