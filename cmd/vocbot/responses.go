package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// GET /v1/responses and the time and paging parameters that the read
// endpoints and commands share.

// paramError is a query parameter or flag that cannot be used as given:
// unreadable (400) or out of range (outOfRange, 422).
type paramError struct {
	name, msg  string
	outOfRange bool
}

func (e *paramError) Error() string { return e.name + ": " + e.msg }

// parseInstant reads a point in time: RFC 3339 ("2026-11-01T00:00:00Z"), a
// date ("2026-11-01": the start of that day in loc, the workspace's zone),
// or an age before now ("28d", "12h", "90m"). "" is the zero time.
func parseInstant(name, s string, now time.Time, loc *time.Location) (time.Time, error) {
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

// parseRange reads since and until and checks that they make a range.
func parseRange(since, until string, now time.Time, loc *time.Location) (from, to time.Time, err error) {
	if from, err = parseInstant("since", since, now, loc); err != nil {
		return from, to, err
	}
	if to, err = parseInstant("until", until, now, loc); err != nil {
		return from, to, err
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, &paramError{"until", fmt.Sprintf("%s is not after since (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339)), true}
	}
	return from, to, nil
}

// parsePage reads limit and cursor.
func parsePage(q url.Values) (limit int, after storage.Cursor, err error) {
	limit = storage.DefaultPage
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > storage.MaxPage {
			// A number out of range is 422; anything else is unreadable, 400.
			return 0, after, &paramError{"limit", fmt.Sprintf("%s: give a whole number from 1 to %d (default %d)", surveys.Quote(s), storage.MaxPage, storage.DefaultPage), err == nil}
		}
		limit = n
	}
	after, err = storage.ParseCursor(q.Get("cursor"))
	if err != nil {
		return 0, after, &paramError{"cursor", "not a next_cursor from a previous page; start again without cursor", false}
	}
	return limit, after, nil
}

// writeParamError answers 422 for a value out of range, 400 for anything
// unreadable, naming the parameter.
func writeParamError(w http.ResponseWriter, err error) {
	var pe *paramError
	if errors.As(err, &pe) {
		status := http.StatusBadRequest
		if pe.outOfRange {
			status = http.StatusUnprocessableEntity
		}
		apiError(w, status, "invalid_parameter", pe.name, pe.msg)
		return
	}
	apiError(w, http.StatusBadRequest, "invalid_parameter", "", err.Error())
}

// unknownParams rejects query parameters the endpoint does not take, so a
// typo ("survey_id=") is not silently ignored.
func unknownParams(q url.Values, known ...string) error {
	for k := range q {
		found := false
		for _, n := range known {
			found = found || k == n
		}
		if !found {
			return &paramError{k, fmt.Sprintf("unknown parameter; this endpoint takes %s", strings.Join(known, ", ")), false}
		}
	}
	return nil
}

func (a *api) getResponses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := unknownParams(q, "survey", "since", "until", "limit", "cursor"); err != nil {
		writeParamError(w, err)
		return
	}
	since, until, err := parseRange(q.Get("since"), q.Get("until"), a.now(), a.engine.Settings().Timezone)
	if err != nil {
		writeParamError(w, err)
		return
	}
	limit, after, err := parsePage(q)
	if err != nil {
		writeParamError(w, err)
		return
	}
	rs, next, err := a.store.Responses(r.Context(), storage.ResponseFilter{
		SurveyID: q.Get("survey"), Since: since, Until: until, After: after, Limit: limit,
	})
	if err != nil {
		a.log.Error("list responses", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read responses; try again")
		return
	}
	writePage(w, "responses", rs, responseJSON, next)
}

// writePage answers one page of a keyset-paginated list: the items under
// key, and next_cursor (null on the last page).
func writePage[T any](w http.ResponseWriter, key string, items []T, render func(T) map[string]any, next storage.Cursor) {
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = render(it)
	}
	page := map[string]any{key: out, "next_cursor": nil}
	if !next.IsZero() {
		page["next_cursor"] = next.String()
	}
	writeJSON(w, http.StatusOK, page)
}

// responseJSON is one response as the API and the jsonl export show it.
// comment is null when there is none (or it was erased).
func responseJSON(r surveys.Response) map[string]any {
	m := map[string]any{
		"id":              r.ID,
		"invitation_id":   r.InvitationID,
		"survey":          r.SurveyID,
		"metric":          string(r.Metric),
		"score":           r.Score,
		"comment":         nil,
		"comment_state":   string(r.CommentState),
		"reason":          nil,
		"locale":          r.Locale,
		"platform":        string(r.Platform),
		"customer_id":     r.CustomerID,
		"touchpoint_type": r.TouchpointType,
		"attributes":      r.Attributes,
		"answered_at":     r.AnsweredAt.UTC().Format(time.RFC3339Nano),
	}
	if r.Attributes == nil {
		m["attributes"] = map[string]string{}
	}
	if r.CommentState == surveys.CommentGiven || r.Comment != "" {
		m["comment"] = r.Comment
	}
	if r.Reason != "" {
		m["reason"] = r.Reason
	}
	if !r.CommentAt.IsZero() {
		m["comment_at"] = r.CommentAt.UTC().Format(time.RFC3339Nano)
	}
	return m
}
