package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// AlertFilter selects alerts for a listing, newest first.
type AlertFilter = surveys.AlertFilter

// statusWhere is the SQL condition of a reported status at now. A reply
// claims an open alert, so a replied one is claimed or resolved.
func statusWhere(c *conditions, st surveys.AlertStatus, now time.Time) error {
	switch st {
	case "":
	case surveys.StatusResolved:
		c.add("a.state = 'resolved'")
	case surveys.StatusExpired:
		c.add("a.state <> 'resolved' AND a.relay_until IS NOT NULL AND a.relay_until <= ?", now)
	case surveys.StatusReplied:
		c.add("a.state <> 'resolved' AND a.first_reply_at IS NOT NULL AND (a.relay_until IS NULL OR a.relay_until > ?)", now)
	case surveys.StatusClaimed:
		c.add("a.state = 'claimed' AND a.first_reply_at IS NULL")
	case surveys.StatusOpen:
		c.add("a.state = 'open' AND a.first_reply_at IS NULL")
	default:
		return fmt.Errorf("unknown alert status %s", surveys.Quote(string(st)))
	}
	return nil
}

// Alerts lists alerts with their response, customer and timeline, newest
// first, one page at a time; the cursor is zero on the last page.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) ([]surveys.AlertView, surveys.Cursor, error) {
	limit := pageLimit(f.Limit)
	views, err := s.alertPage(ctx, f, limit+1)
	if err != nil {
		return nil, surveys.Cursor{}, err
	}
	var next surveys.Cursor
	if len(views) > limit {
		views = views[:limit]
		last := views[limit-1].Alert
		next = surveys.Cursor{At: last.CreatedAt, ID: last.ID}
	}
	return views, next, nil
}

// EachAlert calls fn for every alert the filter selects, newest first, a
// page at a time (for exports); an error from fn stops the walk.
func (s *Store) EachAlert(ctx context.Context, f AlertFilter, fn func(surveys.AlertView) error) error {
	for {
		views, err := s.alertPage(ctx, f, exportPage)
		if err != nil {
			return err
		}
		for _, v := range views {
			if err := fn(v); err != nil {
				return err
			}
		}
		if len(views) < exportPage {
			return nil
		}
		last := views[len(views)-1].Alert
		f.After = surveys.Cursor{At: last.CreatedAt, ID: last.ID}
	}
}

func (s *Store) alertPage(ctx context.Context, f AlertFilter, limit int) ([]surveys.AlertView, error) {
	now := f.Now
	if now.IsZero() {
		now = s.now()
	}
	var c conditions
	if err := statusWhere(&c, f.Status, now.UTC()); err != nil {
		return nil, err
	}
	if f.SurveyID != "" {
		c.add("r.survey_id = ?", f.SurveyID)
	}
	c.newestFirst("a.created_at", "a.id", f.Since, f.Until, f.After)
	var out []surveys.AlertView
	err := s.db.inTx(ctx, func(tx *gorm.DB) error {
		out = nil
		var rows []alertRow
		q := "SELECT a.* FROM alerts a JOIN responses r ON r.id = a.response_id" + c.where() +
			" ORDER BY a.created_at DESC, a.id DESC LIMIT ?"
		if err := scan(tx.Raw(q, append(c.args, limit)...), &rows); err != nil {
			return err
		}
		views, err := alertViews(tx, rows)
		out = views
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", translate(err))
	}
	return out, nil
}
