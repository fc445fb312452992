package web

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// fakeSessions lets in requests with the cookie session=ok, as the sign-in
// does with a valid session cookie.
type fakeSessions struct{}

func (fakeSessions) Valid(r *http.Request) (string, bool) {
	c, err := r.Cookie("session")
	if err != nil || c.Value != "ok" {
		return "", false
	}
	return "slack:U0AMB", true
}

// page fetches a dashboard page, with a session when session is true.
func (f apiFixture) page(t *testing.T, srv *httptest.Server, path string, session bool) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if session {
		req.AddCookie(&http.Cookie{Name: "session", Value: "ok"})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q, want text/html", path, ct)
	}
	return resp.StatusCode, string(body)
}

// dashboardServer serves every route of the fixture's Server, with sessions.
func dashboardServer(t *testing.T, f apiFixture) *httptest.Server {
	t.Helper()
	f.api.sessions = fakeSessions{}
	srv := httptest.NewServer(f.api.Handler(nil, nil))
	t.Cleanup(srv.Close)
	return srv
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		f.api.now = func() time.Time { return now }
		at := now.AddDate(0, 0, -2)
		var answers []seededAnswer
		add := func(survey, agent string, score int, comment string) {
			answers = append(answers, seededAnswer{customer: fmt.Sprint("cus_d", len(answers)), survey: survey, metric: survey,
				score: score, comment: comment, attrs: fmt.Sprintf(`{"agent":%q}`, agent), at: at})
		}
		for i := range 6 {
			add("nps", "a", 10, "")
			add("nps", "b", 9-i, "")
		}
		add("nps", "a", 10, "השירות היה מצוין ומהיר מאוד, תודה רבה")
		add("nps", "b", 2, "Call me at 050-1234567, the courier never came")
		add("csat", "a", 5, "")
		add("csat", "a", 4, "")
		add("csat", "b", 1, "")
		add("csat", "b", 5, "")
		add("csat", "b", 5, "")
		invs := seedAnswers(t, f, answers)
		for i, state := range []string{"claimed", "resolved"} {
			q := fmt.Sprintf(`INSERT INTO alerts (response_id, target, state, created_at) SELECT id, 'slack:C0ALERTS', '%s', answered_at FROM responses WHERE invitation_id = %d`, state, invs[13-i])
			if _, err := db.SQL().ExecContext(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		srv := dashboardServer(t, f)

		// No session: how to get one, and no data.
		status, body := f.page(t, srv, "/", false)
		if status != http.StatusUnauthorized || !strings.Contains(body, "/survey dashboard") || !strings.Contains(body, "vocbot dashboard link") {
			t.Errorf("without a session: got %d\n%s", status, body)
		}
		for _, leak := range []string{"data-score", "courier", "nps"} {
			if strings.Contains(body, leak) {
				t.Errorf("without a session the page shows %q", leak)
			}
		}

		// With a session: the report's numbers.
		settings := f.api.engine.Settings()
		rep, err := surveys.ComposeReport(context.Background(), f.store, settings, surveys.DigestThresholds{},
			surveys.ReportQuery{Days: 28, By: surveys.ReportByTouchpoint, Comments: dashboardComments, Now: now, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		format := surveys.NewDigestFormat("en")
		status, body = f.page(t, srv, "/", true)
		if status != http.StatusOK {
			t.Fatalf("with a session: got %d\n%s", status, body)
		}
		nps, _ := rep.Survey("nps")
		for _, want := range []string{
			`<meta name="viewport"`,
			fmt.Sprintf(`data-score="%s"`, format.Value(nps.Scale, nps.Current)),
			fmt.Sprintf(`data-ci="%s"`, format.Range(nps.Current.CI)),
			fmt.Sprintf(`data-n="%d"`, nps.Current.N),
			`<p dir="auto" lang="he"><bdi>השירות היה מצוין ומהיר מאוד, תודה רבה</bdi></p>`,
			`data-segment="order_delivered"`,
			`data-alert=`, `<td>claimed</td>`,
			"<svg", "95% interval", "week starting",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if strings.Contains(body, "050-1234567") || !strings.Contains(html.UnescapeString(body), "Call me at ") {
			t.Errorf("the phone number is not redacted, or the comment is missing")
		}
		if n := strings.Count(body, "data-alert="); n != 1 {
			t.Errorf("got %d alerts, want the 1 unresolved", n)
		}

		// Switch survey and segment.
		csat, _ := rep.Survey("csat")
		_, body = f.page(t, srv, "/?survey=csat&by=agent", true)
		if !strings.Contains(body, fmt.Sprintf(`data-score="%s"`, format.Value(csat.Scale, csat.Current))) ||
			!strings.Contains(body, `data-segment="a"`) || !strings.Contains(body, `data-segment="b"`) || strings.Contains(body, `data-segment="order_delivered"`) {
			t.Errorf("csat by agent: got\n%s", body)
		}
		// No segments.
		_, body = f.page(t, srv, "/?survey=nps&by=", true)
		if strings.Contains(body, "data-segment=") {
			t.Errorf("by= shows segments")
		}
		// Comment filters.
		_, body = f.page(t, srv, "/?survey=nps&comments=promoters", true)
		if strings.Contains(body, "courier") || !strings.Contains(body, "השירות") {
			t.Errorf("promoters' comments: the detractor's is shown or the promoter's is not")
		}
		_, body = f.page(t, srv, "/?survey=nps&lang=en", true)
		if strings.Contains(body, "השירות") {
			t.Errorf("English comments show a Hebrew one")
		}

		for _, q := range []string{"survey=nope", "survey=%ff%00", "window=0d", "window=99999999999999999999d", "by=a%20b", "by=%3Cscript%3E", "comments=all", "lang=xx", "page=2", "survey=nps&survey=csat&x=%ff"} {
			status, body := f.page(t, srv, "/?"+q, true)
			if status != http.StatusBadRequest || strings.Contains(body, "data-score") || strings.Contains(body, "<script>") {
				t.Errorf("?%s: got %d, want 400 naming the problem\n%s", q, status, body)
			}
		}
	})
}
