package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// GET /v1/responses and the time and paging parameters that the read
// endpoints and commands share.

// ParseInstant reads a point in time: RFC 3339 ("2026-11-01T00:00:00Z"), a
// date ("2026-11-01": the start of that day in loc, the workspace's zone),
// or an age before now ("28d", "12h", "90m"). "" is the zero time.
func ParseInstant(name, s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t.UTC(), nil
	}
	if d, ok := parseAge(s); ok {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, &paramError{name, fmt.Sprintf("%s is not a time: use RFC 3339 (2026-11-01T00:00:00Z), a date (2026-11-01) or an age such as 28d, 12h", surveys.Quote(s)), false}
}

// parseAge reads "28d" (days) or a Go duration ("12h", "90m"), positive.
func parseAge(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 100*366 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false
	}
	return d, true
}

// ParseRange reads since and until and checks that they make a range.
func ParseRange(since, until string, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	if from, err = ParseInstant("since", since, now, loc); err != nil {
		return from, to, err
	}
	if to, err = ParseInstant("until", until, now, loc); err != nil {
		return from, to, err
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, &paramError{"until", fmt.Sprintf("%s is not after since (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339)), true}
	}
	return from, to, nil
}

// parsePage reads limit and cursor.
func parsePage(q url.Values) (limit int, after surveys.Cursor, err error) {
	limit = surveys.DefaultPage
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > surveys.MaxPage {
			// A number out of range is 422; anything else is unreadable, 400.
			return 0, after, &paramError{"limit", fmt.Sprintf("%s: give a whole number from 1 to %d (default %d)", surveys.Quote(s), surveys.MaxPage, surveys.DefaultPage), err == nil}
		}
		limit = n
	}
	after, err = surveys.ParseCursor(q.Get("cursor"))
	if err != nil {
		return 0, after, &paramError{"cursor", "not a next_cursor from a previous page; start again without cursor", false}
	}
	return limit, after, nil
}

func (a *Server) getResponses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := unknownParams(q, "survey", "since", "until", "limit", "cursor"); err != nil {
		writeParamError(w, err)
		return
	}
	since, until, err := ParseRange(q.Get("since"), q.Get("until"), a.now(), a.engine.Settings().Timezone)
	if err != nil {
		writeParamError(w, err)
		return
	}
	limit, after, err := parsePage(q)
	if err != nil {
		writeParamError(w, err)
		return
	}
	rs, next, err := a.store.Responses(r.Context(), surveys.ResponseFilter{
		SurveyID: q.Get("survey"), Since: since, Until: until, After: after, Limit: limit,
	})
	if err != nil {
		a.log.Error("list responses", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read responses; try again")
		return
	}
	page := responsesPage{NextCursor: nextCursor(next), Responses: make([]ResponseJSON, len(rs))}
	for i, resp := range rs {
		page.Responses[i] = ResponseBody(resp)
	}
	writeJSON(w, http.StatusOK, page)
}

// nextCursor is a page's next_cursor: null on the last page.
func nextCursor(next surveys.Cursor) *string {
	if next.IsZero() {
		return nil
	}
	c := next.String()
	return &c
}

// responsesPage is one page of GET /v1/responses.
type responsesPage struct {
	NextCursor *string        `json:"next_cursor"`
	Responses  []ResponseJSON `json:"responses"`
}

// ResponseJSON is one response as the API and the jsonl export show it.
// Comment is null when there is none (or it was erased).
type ResponseJSON struct {
	AnsweredAt     string            `json:"answered_at"`
	Attributes     map[string]string `json:"attributes"`
	Comment        *string           `json:"comment"`
	CommentAt      string            `json:"comment_at,omitempty"`
	CommentState   string            `json:"comment_state"`
	CustomerID     string            `json:"customer_id"`
	ID             int64             `json:"id"`
	InvitationID   int64             `json:"invitation_id"`
	Locale         string            `json:"locale"`
	Metric         string            `json:"metric"`
	Platform       string            `json:"platform"`
	Score          int               `json:"score"`
	Survey         string            `json:"survey"`
	TouchpointType string            `json:"touchpoint_type"`
}

// ResponseBody renders a response.
func ResponseBody(r surveys.Response) ResponseJSON {
	b := ResponseJSON{ID: r.ID, InvitationID: r.InvitationID, Survey: r.SurveyID, Metric: string(r.Metric), Score: r.Score,
		CommentState: string(r.CommentState), Locale: r.Locale, Platform: string(r.Platform), CustomerID: r.CustomerID,
		TouchpointType: r.TouchpointType, Attributes: r.Attributes, AnsweredAt: r.AnsweredAt.UTC().Format(time.RFC3339Nano)}
	if b.Attributes == nil {
		b.Attributes = map[string]string{}
	}
	if r.CommentState == surveys.CommentGiven || r.Comment != "" {
		c := r.Comment
		b.Comment = &c
	}
	if !r.CommentAt.IsZero() {
		b.CommentAt = r.CommentAt.UTC().Format(time.RFC3339Nano)
	}
	return b
}
