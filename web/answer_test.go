package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

const publicURL = "https://vocbot.example.com"

type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

// webFixture is the web face on a real store: an Engine whose survey
// csat-web gives unreachable customers a web link, and both handlers.
type webFixture struct {
	store   *storage.Store
	engine  *surveys.Engine
	answers *web.Answers
	signin  *web.SignIn
	mux     *http.ServeMux
	clock   *testClock
	base    string
}

func newWebFixture(t *testing.T, db *storage.DB) *webFixture {
	t.Helper()
	return newWebFixtureAt(t, db, publicURL)
}

// newWebFixtureAt is newWebFixture with links under base.
func newWebFixtureAt(t *testing.T, db *storage.DB, base string) *webFixture {
	t.Helper()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	st := storage.NewStore(db, jobs)
	settings := &surveys.Settings{
		Product: "Acme", DefaultLocale: "en", Timezone: time.UTC, MinGap: time.Hour,
		Surveys: []surveys.Survey{
			{ID: "csat-web", Metric: surveys.CSAT, FollowUp: true, ExpiresAfter: 72 * time.Hour, WebLink: true},
			{ID: "nps", Metric: surveys.NPS, ExpiresAfter: 72 * time.Hour},
			// The team's own wording: a question per band, thanks, reasons.
			{ID: "csat-team", Metric: surveys.CSAT, FollowUp: true, ExpiresAfter: 72 * time.Hour, WebLink: true,
				FollowUpQuestion: map[scoring.Bucket]map[string]string{
					scoring.Detractor: {"en": "What should [X] fix first?", "he": "מה [X] צריכים לתקן קודם?"},
					scoring.Promoter:  {"en": "What did you like most?"},
				},
				Thanks: map[string]string{"en": "Thank you from the [X] team!", "he": "תודה מצוות [X]!"},
				Reasons: []surveys.Reason{
					{ID: "speed", Labels: map[string]string{"en": "Speed", "he": "מהירות"}},
					{ID: "staff", Labels: map[string]string{"en": "Staff", "he": "צוות"}},
				}},
			// Reasons without a follow-up question.
			{ID: "csat-why", Metric: surveys.CSAT, ExpiresAfter: 72 * time.Hour, WebLink: true,
				Thanks:  map[string]string{"en": "Noted, thank you!"},
				Reasons: []surveys.Reason{{ID: "price", Labels: map[string]string{"en": "Price"}}}},
		},
		Enabled: []surveys.Platform{surveys.Telegram},
	}
	clock := &testClock{t: time.Now().UTC()}
	engine := surveys.NewEngine(settings, st, clock)
	key, err := st.ServerSecret(context.Background(), "web-answer")
	if err != nil {
		t.Fatal(err)
	}
	answers, err := web.NewAnswers(engine, key, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	engine.SetWebLinks(answers)
	signin, err := web.NewSignIn(st, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	answers.Mount(mux)
	signin.Mount(mux)
	return &webFixture{store: st, engine: engine, answers: answers, signin: signin, mux: mux, clock: clock, base: base}
}

// invite makes a web invitation for a customer with no chat and returns
// its link's path.
func (f *webFixture) invite(t *testing.T, id, customer, locale string) string {
	t.Helper()
	return f.inviteTo(t, "csat-web", id, customer, locale)
}

// inviteTo is invite for survey.
func (f *webFixture) inviteTo(t *testing.T, survey, id, customer, locale string) string {
	t.Helper()
	res, err := f.engine.Ingest(context.Background(), surveys.Ingestion{
		Touchpoint: surveys.Touchpoint{Source: "api", ExternalID: id, Type: "ticket_closed", SurveyID: survey,
			Customer: surveys.Customer{ExternalID: customer, Locale: locale}},
		RequestHash: "hash-" + id,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Invitation.WebURL, f.base+"/answer/") {
		t.Fatalf("got web_url %q, want a link under %s/answer/", res.Invitation.WebURL, f.base)
	}
	return strings.TrimPrefix(res.Invitation.WebURL, f.base)
}

type request struct {
	method, path string
	form         url.Values
	header       map[string]string
}

func (f *webFixture) do(t *testing.T, r request) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if r.form != nil {
		req = httptest.NewRequest(r.method, r.path, strings.NewReader(r.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(r.method, r.path, nil)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, req)
	return w
}

func score(v string) url.Values { return url.Values{"question": {"score"}, "score": {v}} }
func comment(c string) url.Values {
	return url.Values{"question": {"why"}, "comment": {c}}
}

func TestAnswerPage(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newWebFixture(t, db)
		settings := f.engine.Settings()
		link := f.invite(t, "t1", "cus_he", "he")
		forged := link[:len(link)-2] + "AA"
		if forged == link {
			forged = link[:len(link)-2] + "BB"
		}
		id := strings.TrimPrefix(link, "/answer/")
		otherID := "/answer/9" + id // another invitation id with this one's mac
		origin := map[string]string{"Origin": publicURL}
		invalid := answerTextFor(t, settings, "he", surveys.MsgInvalidAnswer, map[string]any{"Min": 1, "Max": 5})
		question := strings.Split(firstPrompt(t, f, link).Text, "\n")[0]

		tests := []struct {
			name   string
			req    request
			status int
			want   []string
			absent []string
		}{
			{"open link shows the question RTL", request{method: "GET", path: link}, 200,
				[]string{`<html lang="he" dir="rtl">`, question, `name="score" value="1"`, `name="score" value="5"`}, nil},
			{"forged mac", request{method: "GET", path: forged, header: map[string]string{"Accept-Language": "he-IL,he;q=0.9"}}, 404,
				[]string{`dir="rtl"`, "הקישור הזה אינו תקין"}, []string{`name="score"`}},
			{"another id with this mac", request{method: "GET", path: otherID}, 404, []string{"This link is not valid"}, nil},
			{"garbage", request{method: "GET", path: "/answer/%3Cscript%3E"}, 404, []string{"This link is not valid"}, []string{"<script>"}},
			{"forged post", request{method: "POST", path: forged, form: score("5"), header: origin}, 404, []string{"This link is not valid"}, nil},
			{"post from another site", request{method: "POST", path: link, form: score("5"), header: map[string]string{"Origin": "https://evil.example"}}, 403, []string{"אפשר לשלוח את הטופס הזה רק מהעמוד שלו"}, nil},
			{"post with Origin null (a sandboxed frame)", request{method: "POST", path: link, form: score("5"), header: map[string]string{"Origin": "null"}}, 403, nil, nil},
			{"post with a foreign Referer", request{method: "POST", path: link, form: score("5"), header: map[string]string{"Referer": "https://evil.example/page"}}, 403, nil, nil},
			{"score off the scale", request{method: "POST", path: link, form: score("9"), header: origin}, 422, []string{invalid, `name="score"`}, nil},
			{"not a number", request{method: "POST", path: link, form: score("nine"), header: origin}, 422, []string{invalid}, nil},
			{"score", request{method: "POST", path: link, form: score("2"), header: map[string]string{"Referer": publicURL + link}}, 200,
				[]string{`name="comment"`, `name="skip"`}, []string{`name="score"`}},
			{"the same score again", request{method: "POST", path: link, form: score("2"), header: origin}, 409,
				[]string{answerTextFor(t, settings, "he", surveys.MsgAlreadyAnswer, nil)}, []string{`name="score"`}},
			{"another score", request{method: "POST", path: link, form: score("5"), header: origin}, 409,
				[]string{answerTextFor(t, settings, "he", surveys.MsgAlreadyAnswer, nil)}, nil},
			{"empty comment", request{method: "POST", path: link, form: comment("  "), header: origin}, 422, []string{"נא לכתוב כמה מילים"}, nil},
			{"oversized comment", request{method: "POST", path: link, form: comment(strings.Repeat("א", surveys.MaxWebComment+1)), header: origin}, 422,
				[]string{"ההערה ארוכה מדי", `name="comment"`}, nil},
			{"comment", request{method: "POST", path: link, form: comment("השליח איחר <b>מאוד</b>"), header: origin}, 200,
				[]string{answerTextFor(t, settings, "he", surveys.MsgThanks, nil)}, []string{`name="comment"`, "<b>"}},
			{"a second comment", request{method: "POST", path: link, form: comment("again"), header: origin}, 409,
				[]string{answerTextFor(t, settings, "he", surveys.MsgAlreadyAnswer, nil)}, []string{`name="comment"`}},
			{"link after the answer", request{method: "GET", path: link}, 200,
				[]string{answerTextFor(t, settings, "he", surveys.MsgAlreadyAnswer, nil)}, []string{`name="score"`, `name="comment"`}},
		}
		for _, tt := range tests {
			w := f.do(t, tt.req)
			body := w.Body.String()
			if w.Code != tt.status {
				t.Errorf("%s: got status %d, want %d\n%s", tt.name, w.Code, tt.status, body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: got Content-Type %q, want HTML", tt.name, ct)
			}
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("%s: page lacks %q\n%s", tt.name, s, body)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(body, s) {
					t.Errorf("%s: page has %q, want not", tt.name, s)
				}
			}
		}

		rs, _, err := f.store.Responses(context.Background(), storage.ResponseFilter{SurveyID: "csat-web"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Score != 2 || rs[0].Comment != "השליח איחר <b>מאוד</b>" || rs[0].Platform != surveys.Web {
			t.Errorf("got responses %+v, want one web response 2 with the comment", rs)
		}
	})
}

func TestAnswerPageExpired(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newWebFixture(t, db)
		link := f.invite(t, "t1", "cus_en", "en")
		f.clock.t = f.clock.t.Add(73 * time.Hour)
		closed := answerTextFor(t, f.engine.Settings(), "en", surveys.MsgSurveyClosed, nil)
		for _, r := range []request{
			{method: "GET", path: link},
			{method: "POST", path: link, form: score("4"), header: map[string]string{"Origin": publicURL}},
		} {
			w := f.do(t, r)
			if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), closed) || strings.Contains(w.Body.String(), `name="score"`) {
				t.Errorf("%s after expiry: got %d\n%s\nwant 410 saying %q without buttons", r.method, w.Code, w.Body, closed)
			}
		}
	})
}

func firstPrompt(t *testing.T, f *webFixture, link string) surveys.Prompt {
	t.Helper()
	id := strings.TrimPrefix(link, "/answer/")
	id, _, _ = strings.Cut(id, ".")
	var n int64
	for _, c := range id {
		n = n*10 + int64(c-'0')
	}
	v, err := f.engine.WebSurvey(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return v.Score
}

// answerTextFor is a conversation message as html/template writes it.
func answerTextFor(t *testing.T, s *surveys.Settings, locale string, id surveys.MessageID, data map[string]any) string {
	t.Helper()
	text := s.Text(locale, id, data)
	line, _, _ := strings.Cut(text, "\n")
	return htmlEscape(line)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// step is the second step's form: a reason, a comment, or both.
func step(reason, comment string) url.Values {
	v := url.Values{"question": {"why"}}
	if reason != "" {
		v.Set("reason", reason)
	}
	if comment != "" {
		v.Set("comment", comment)
	}
	return v
}

// TestAnswerPageTeamWording: the page asks the band's own question, offers
// the survey's reasons, thanks in the team's words, and stores the reason
// as the chat does.
func TestAnswerPageTeamWording(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newWebFixture(t, db)
		origin := map[string]string{"Origin": publicURL}
		type check struct {
			name   string
			req    request
			status int
			want   []string
			absent []string
		}
		run := func(checks []check) {
			t.Helper()
			for _, tt := range checks {
				w := f.do(t, tt.req)
				body := w.Body.String()
				if w.Code != tt.status {
					t.Errorf("%s: got status %d, want %d\n%s", tt.name, w.Code, tt.status, body)
				}
				for _, s := range tt.want {
					if !strings.Contains(body, s) {
						t.Errorf("%s: page lacks %q\n%s", tt.name, s, body)
					}
				}
				for _, s := range tt.absent {
					if strings.Contains(body, s) {
						t.Errorf("%s: page has %q, want not\n%s", tt.name, s, body)
					}
				}
			}
		}
		// Hebrew isolates the product name (Acme) from the text around it.
		acme := "\u2068Acme\u2069"
		reasonAsk := htmlEscape(f.engine.Settings().Text("he", surveys.MsgReasonAsk, nil))

		// A detractor, in Hebrew: the detractor's question, the reasons.
		low := f.inviteTo(t, "csat-team", "t1", "cus_low", "he")
		run([]check{
			{"detractor's score", request{method: "POST", path: low, form: score("1"), header: origin}, 200,
				[]string{`dir="rtl"`, "מה " + acme + " צריכים לתקן קודם?", reasonAsk, `name="reason" id="reason-speed" value="speed"`, "מהירות", `name="comment"`, `name="skip"`},
				[]string{`name="score"`, "What did you like most?"}},
			{"reloading shows the same step", request{method: "GET", path: low}, 200,
				[]string{"מה " + acme + " צריכים לתקן קודם?", `value="staff"`}, nil},
			{"a reason that is not one of the survey's", request{method: "POST", path: low, form: step("price", "slow"), header: origin}, 422,
				[]string{"התשובה הזו אינה אחת האפשרויות", `name="reason"`, "slow"}, nil},
			{"an oversized comment keeps the reason chosen", request{method: "POST", path: low, form: step("speed", strings.Repeat("x", surveys.MaxWebComment+1)), header: origin}, 422,
				[]string{"ההערה ארוכה מדי", `value="speed" checked`}, nil},
			{"reason and comment", request{method: "POST", path: low, form: step("speed", "too slow"), header: origin}, 200,
				[]string{"תודה מצוות " + acme + "!"}, []string{`name="reason"`, `name="comment"`}},
			{"the step again", request{method: "POST", path: low, form: step("staff", "again"), header: origin}, 409,
				[]string{answerTextFor(t, f.engine.Settings(), "he", surveys.MsgAlreadyAnswer, nil)}, []string{`name="reason"`}},
		})

		// A promoter, in English: the promoter's question; a reason alone
		// (no comment) is enough.
		high := f.inviteTo(t, "csat-team", "t2", "cus_high", "en")
		run([]check{
			{"promoter's score", request{method: "POST", path: high, form: score("5"), header: origin}, 200,
				[]string{`dir="ltr"`, "What did you like most?", "Speed", "Staff"}, []string{"What should Acme fix first?"}},
			{"neither reason nor comment", request{method: "POST", path: high, form: step("", ""), header: origin}, 422,
				[]string{"Please write a few words, or choose Skip."}, nil},
			{"a reason alone", request{method: "POST", path: high, form: step("staff", ""), header: origin}, 200,
				[]string{"Thank you from the Acme team!"}, []string{`name="reason"`}},
		})

		// Reasons without a follow-up: choose one, or skip, once.
		why := f.inviteTo(t, "csat-why", "t3", "cus_why", "en")
		skipped := f.inviteTo(t, "csat-why", "t4", "cus_skip", "en")
		run([]check{
			{"score of a survey with reasons only", request{method: "POST", path: why, form: score("3"), header: origin}, 200,
				[]string{`value="price"`, "Price", `name="skip"`}, []string{`name="comment"`}},
			{"nothing chosen", request{method: "POST", path: why, form: step("", ""), header: origin}, 422,
				[]string{"Please choose one of the answers, or Skip."}, nil},
			{"a reason", request{method: "POST", path: why, form: step("price", ""), header: origin}, 200,
				[]string{"Noted, thank you!"}, []string{`name="reason"`}},
			{"score", request{method: "POST", path: skipped, form: score("4"), header: origin}, 200, []string{`value="price"`}, nil},
			{"skip", request{method: "POST", path: skipped, form: url.Values{"question": {"why"}, "skip": {"1"}, "reason": {"price"}}, header: origin}, 200,
				[]string{"Noted, thank you!"}, []string{`name="reason"`}},
			{"the link after a skip", request{method: "GET", path: skipped}, 200,
				[]string{answerTextFor(t, f.engine.Settings(), "en", surveys.MsgAlreadyAnswer, nil)}, []string{`name="reason"`}},
			{"a reason after the skip", request{method: "POST", path: skipped, form: step("price", ""), header: origin}, 409, nil, []string{`name="reason"`}},
		})

		rs, _, err := f.store.Responses(context.Background(), storage.ResponseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rs {
			got[r.CustomerID] = fmt.Sprintf("%d/%s/%s/%s", r.Score, r.Reason, r.CommentState, r.Comment)
		}
		want := map[string]string{
			"cus_low":  "1/speed/given/too slow",
			"cus_high": "5/staff/skipped/",
			"cus_why":  "3/price/none/",
			"cus_skip": "4//none/",
		}
		for c, w := range want {
			if got[c] != w {
				t.Errorf("response of %s: got %q, want %q (score/reason/comment state/comment)", c, got[c], w)
			}
		}
	})
}
