package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// Reading responses and the audit log: newest first, in pages that resume
// from a keyset Cursor, so a page costs the same at the first row and at the
// millionth, and a row inserted meanwhile is neither skipped nor repeated.

// The listing types are the domain's (surveys), named here too for the
// packages that already use them through storage.
type (
	Cursor         = surveys.Cursor
	ResponseFilter = surveys.ResponseFilter
)

// ErrBadCursor means a cursor string was not one a listing produced.
var ErrBadCursor = surveys.ErrBadCursor

// ParseCursor decodes Cursor.String; see surveys.ParseCursor.
func ParseCursor(s string) (Cursor, error) { return surveys.ParseCursor(s) }

// Page sizes of listings.
const (
	DefaultPage = surveys.DefaultPage
	MaxPage     = surveys.MaxPage
)

// responseListRow is a response with its customer's external id.
type responseListRow struct {
	responseRow
	ExternalID string
}

const responseListColumns = `r.id, r.invitation_id, r.customer_id, r.survey_id, r.metric, r.score, r.comment,
 r.comment_state, r.comment_at, r.locale, r.platform, r.touchpoint_type, r.attributes, r.update_id, r.answered_at,
 c.external_id`

// Responses returns one page of responses, newest first, and the cursor of
// the next page (zero when this page is the last).
func (s *Store) Responses(ctx context.Context, f ResponseFilter) ([]surveys.Response, Cursor, error) {
	limit := pageLimit(f.Limit)
	// One row more than asked tells whether there is a next page.
	rows, err := s.responsePage(ctx, f, limit+1)
	if err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = Cursor{At: last.AnsweredAt.UTC(), ID: last.ID}
	}
	out := make([]surveys.Response, len(rows))
	for i, r := range rows {
		out[i] = r.response(r.ExternalID)
	}
	return out, next, nil
}

// exportPage is how many rows EachResponse holds at a time.
const exportPage = 500

// EachResponse calls fn for every response the filter selects, newest first,
// reading pages of a few hundred rows: memory stays constant however many
// there are. An error from fn stops the walk and is returned. No connection
// is held while fn runs, so fn may write slowly (to a pipe, to a client).
func (s *Store) EachResponse(ctx context.Context, f ResponseFilter, fn func(surveys.Response) error) error {
	for {
		rows, err := s.responsePage(ctx, f, exportPage)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r.response(r.ExternalID)); err != nil {
				return err
			}
		}
		if len(rows) < exportPage {
			return nil
		}
		last := rows[len(rows)-1]
		f.After = Cursor{At: last.AnsweredAt.UTC(), ID: last.ID}
	}
}

func (s *Store) responsePage(ctx context.Context, f ResponseFilter, limit int) ([]responseListRow, error) {
	var c conditions
	if f.SurveyID != "" {
		c.add("r.survey_id = ?", f.SurveyID)
	}
	c.newestFirst("r.answered_at", "r.id", f.Since, f.Until, f.After)
	q := "SELECT " + responseListColumns + " FROM responses r JOIN customers c ON c.id = r.customer_id" +
		c.where() + " ORDER BY r.answered_at DESC, r.id DESC LIMIT ?"
	args := append(c.args, limit)
	cur, err := s.db.gorm.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("list responses: %w", translate(err))
	}
	defer cur.Close()
	rows := make([]responseListRow, 0, min(limit, exportPage))
	for cur.Next() {
		var r responseListRow
		if err := cur.Scan(&r.ID, &r.InvitationID, &r.CustomerID, &r.SurveyID, &r.Metric, &r.Score, &r.Comment,
			&r.CommentState, &r.CommentAt, &r.Locale, &r.Platform, &r.TouchpointType, &r.Attributes, &r.UpdateID, &r.AnsweredAt,
			&r.ExternalID); err != nil {
			return nil, fmt.Errorf("list responses: %w", err)
		}
		rows = append(rows, r)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("list responses: %w", err)
	}
	return rows, nil
}

// pageLimit is a page size within [1, MaxPage]; 0 or less means DefaultPage.
func pageLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultPage
	case n > MaxPage:
		return MaxPage
	}
	return n
}

// conditions collects a WHERE clause and its arguments.
type conditions struct {
	clauses []string
	args    []any
}

func (c *conditions) add(clause string, args ...any) {
	c.clauses = append(c.clauses, clause)
	c.args = append(c.args, args...)
}

// newestFirst adds the time range [since, until) on the at column and the
// keyset condition of a list ordered by (at, id) descending; zero values
// add nothing.
func (c *conditions) newestFirst(at, id string, since, until time.Time, after Cursor) {
	if !since.IsZero() {
		c.add(at+" >= ?", since.UTC())
	}
	if !until.IsZero() {
		c.add(at+" < ?", until.UTC())
	}
	if !after.IsZero() {
		c.add("("+at+", "+id+") < (?, ?)", after.At, after.ID)
	}
}

// where is " WHERE …", or "" without conditions.
func (c *conditions) where() string {
	if len(c.clauses) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.clauses, " AND ")
}
