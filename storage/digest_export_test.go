package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// SeedResponse is one answer for digest tests.
type SeedResponse struct {
	SurveyID, Metric, TouchpointType string
	Score                            int
	Comment                          string
	Locale                           string
	AnsweredAt                       time.Time
	// SentAt, when set, marks its invitation delivered then.
	SentAt     time.Time
	Attributes map[string]string
	Reason     string
}

// SeedResponses writes answers with the customer, touchpoint and invitation
// rows they need, in one transaction.
func SeedResponses(ctx context.Context, db *DB, rs []SeedResponse) error {
	return db.inTx(ctx, func(tx *gorm.DB) error {
		cust := customerRow{ExternalID: fmt.Sprintf("seed-%d", time.Now().UnixNano()), CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
		if err := tx.Create(&cust).Error; err != nil {
			return err
		}
		for i, r := range rs {
			ext := fmt.Sprintf("%s-%d", cust.ExternalID, i)
			tp := touchpointRow{Source: "seed", ExternalID: &ext, Type: r.TouchpointType, OccurredAt: r.AnsweredAt, CustomerID: cust.ID,
				Attributes: "{}", RequestHash: "x", ReceivedAt: r.AnsweredAt}
			if err := tx.Create(&tp).Error; err != nil {
				return err
			}
			var invID int64
			var sent any
			if !r.SentAt.IsZero() {
				sent = r.SentAt.UTC()
			}
			if err := tx.Raw(`INSERT INTO invitations (touchpoint_id, customer_id, survey_id, status, sent_at, created_at, updated_at)
				VALUES (?, ?, ?, 'sent', ?, ?, ?) RETURNING id`, tp.ID, cust.ID, r.SurveyID, sent, r.AnsweredAt.UTC(), r.AnsweredAt.UTC()).
				Scan(&invID).Error; err != nil {
				return err
			}
			if r.Metric == "" {
				continue // invited, not answered
			}
			row := responseRow{InvitationID: invID, CustomerID: cust.ID, SurveyID: r.SurveyID, Metric: r.Metric, Score: r.Score,
				CommentState: "none", Locale: r.Locale, TouchpointType: r.TouchpointType, Attributes: attributesJSON(r.Attributes),
				UpdateID: ext, AnsweredAt: r.AnsweredAt.UTC(), Reason: r.Reason}
			if r.Comment != "" {
				c := r.Comment
				row.Comment, row.CommentState = &c, "given"
			}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// SeedManyResponses writes n NPS answers to survey "nps" spread evenly over
// [from, to), scores cycling 0–10 and touchpoint types over 8 values, every
// tenth with a comment, with generate_series on Postgres (benchmarks).
func SeedManyResponses(ctx context.Context, db *DB, n int, from, to time.Time) error {
	if db.engine != Postgres {
		return fmt.Errorf("bulk seeding needs Postgres")
	}
	step := to.Sub(from).Seconds() / float64(n)
	stmts := []string{
		`INSERT INTO customers (external_id) VALUES ('bulk') ON CONFLICT DO NOTHING`,
		`INSERT INTO touchpoints (source, external_id, type, occurred_at, customer_id, request_hash)
		 SELECT 'bulk', g::text, 'tp' || (g % 8), now(), (SELECT id FROM customers WHERE external_id = 'bulk'), 'x'
		 FROM generate_series(1, ?) g`,
		`INSERT INTO invitations (touchpoint_id, customer_id, survey_id, status)
		 SELECT id, customer_id, 'nps', 'sent' FROM touchpoints WHERE source = 'bulk'`,
		`INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, comment, comment_state, touchpoint_type, update_id, answered_at)
		 SELECT i.id, i.customer_id, 'nps', 'nps', i.id % 11,
		        CASE WHEN i.id % 10 = 0 THEN 'Comment number ' || i.id || ' about the delivery and the courier' END,
		        CASE WHEN i.id % 10 = 0 THEN 'given' ELSE 'none' END,
		        'tp' || (i.id % 8), 'bulk-' || i.id,
		        CAST(? AS timestamptz) + (i.id * ?) * interval '1 second'
		 FROM invitations i`,
		`ANALYZE responses`,
	}
	args := [][]any{nil, {n}, nil, {from.UTC(), step}, nil}
	for i, s := range stmts {
		if err := db.gorm.WithContext(ctx).Exec(s, args[i]...).Error; err != nil {
			return fmt.Errorf("seed step %d: %w", i, err)
		}
	}
	return nil
}

// DigestCountsFromResponses is DigestCounts grouping the responses
// themselves, whatever the days: the reference response_counts must match.
func (s *Store) DigestCountsFromResponses(ctx context.Context, q surveys.DigestQuery) ([]surveys.DigestCount, error) {
	return s.digestCountsFromResponses(ctx, q)
}

// Hourly reports whether DigestCounts reads response_counts for days.
func Hourly(days []scoring.Window) bool { return hourly(days) }
