package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// browserEnv, when set (CI sets it), makes a missing browser a failure
// instead of a skip; its value may name the browser's binary.
const browserEnv = "VOCBOT_TEST_BROWSER"

// chromium finds the headless browser, or skips (a newcomer's go test ./...
// passes without one) unless browserEnv demands it.
func chromium(t *testing.T) string {
	t.Helper()
	want := os.Getenv(browserEnv)
	candidates := []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}
	if want != "" && want != "1" {
		candidates = []string{want}
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if want != "" {
		t.Fatalf("%s=%s but no browser at %s: install Chromium (apt-get install -y chromium)", browserEnv, want, strings.Join(candidates, ", "))
	}
	t.Skipf("no Chromium at %s: skipping the browser test (apt-get install -y chromium, then set %s=1 to require it)", strings.Join(candidates, ", "), browserEnv)
	return ""
}

// TestBrowserSignInAndAnswer drives a real headless Chromium: an operator's
// one-time link signs the browser in (the session cookie is set, HttpOnly),
// then a customer's web link opens the Hebrew page right to left, a score
// button and the "why?" box are used, and the answer is stored.
func TestBrowserSignInAndAnswer(t *testing.T) {
	exe := chromium(t)
	db := storagetest.Open(t, storage.SQLite)

	// The server's address is the public URL, so the forms' Origin matches.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	f := newWebFixtureAt(t, db, srv.URL)
	// Weeks of NPS answers for the dashboard to show, in two agents' hands.
	var history []surveys.Response
	for i := range 40 {
		agent, score := "a", []int{10, 9, 10, 8, 3}[i%5]
		if i%2 == 1 {
			agent = "b"
		}
		history = append(history, surveys.Response{CustomerID: fmt.Sprint("cus_h", i), SurveyID: "nps", Metric: surveys.NPS, Score: score,
			Locale: "en", Platform: surveys.Telegram, TouchpointType: "order_delivered", Attributes: map[string]string{"agent": agent},
			AnsweredAt: time.Now().UTC().AddDate(0, 0, -2-i%20)})
	}
	if err := f.store.ImportHistory(context.Background(), "test", history); err != nil {
		t.Fatal(err)
	}
	face := web.New(f.engine, f.store, web.Config{Sessions: f.signin})
	handler = face.Handler(nil, func(mux *http.ServeMux) {
		f.answers.Mount(mux)
		f.signin.Mount(mux)
	})

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	link, _, err := f.signin.SignInLink(context.Background(), "cli", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var cookies []*network.Cookie
	if err := chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("score")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.URL}})
			cookies = res.Cookies
			return err
		}),
	); err != nil {
		t.Fatalf("sign in through the link: %v", err)
	}
	// The NPS the page shows is the score report's, for the whole survey
	// and for each segment, after switching to them as a person would.
	report := func(by string) surveys.ReportSurvey {
		t.Helper()
		rep, err := surveys.ComposeReport(context.Background(), f.store, f.engine.Settings(), surveys.DigestThresholds{},
			surveys.ReportQuery{Days: 28, By: by, Now: time.Now(), Location: f.engine.Settings().Timezone})
		if err != nil {
			t.Fatal(err)
		}
		rs, ok := rep.Survey("nps")
		if !ok {
			t.Fatal("no nps in the report")
		}
		return rs
	}
	en := surveys.NewDigestFormat("en")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.tab[href*="survey=nps"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.tab[href*="survey=nps"][aria-current="page"]`)),
	); err != nil {
		t.Fatalf("switch to the nps survey: %v", err)
	}
	rs := report("")
	shown, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".headline"), "data-score"))
	if err != nil {
		t.Fatal(err)
	}
	if want := en.Value(rs.Scale, rs.Current); shown.Value != want || rs.Current.N != 40 {
		t.Errorf("dashboard NPS: got %q, want the report's %q (n %d)", shown.Value, want, rs.Current.N)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/?survey=nps&by=agent"),
		chromedp.WaitVisible(chromedp.ID("segments")),
	); err != nil {
		t.Fatalf("segment by agent: %v", err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	bySegment := report("agent")
	if len(bySegment.Segments) != 2 {
		t.Fatalf("report segments: %+v, want agents a and b", bySegment.Segments)
	}
	for _, seg := range bySegment.Segments {
		if want := en.Value(bySegment.Scale, seg.Current); !strings.Contains(page, want) {
			t.Errorf("segment %s: the page does not show the report's %q:\n%s", seg.Name, want, page)
		}
	}
	var session *network.Cookie
	for _, c := range cookies {
		if c.Name == web.SessionCookie {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteLax {
		t.Errorf("got session cookie %+v, want one, HttpOnly, SameSite=Lax", session)
	}

	// The survey with the team's own wording: the detractor's question,
	// the reasons, the team's thanks.
	answer := srv.URL + f.inviteTo(t, "csat-team", "t1", "cus_he", "he")
	one := chromedp.CSS(`button[name="score"][value="1"]`)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(answer),
		chromedp.WaitVisible(one),
	); err != nil {
		t.Fatalf("open the web link: %v", err)
	}
	dir, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "dir"))
	if err != nil {
		t.Fatal(err)
	}
	lang, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil {
		t.Fatal(err)
	}
	if dir.Value != "rtl" || lang.Value != "he" {
		t.Errorf("answer page: got <html lang=%q dir=%q>, want he, rtl", lang.Value, dir.Value)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(one),
		chromedp.WaitVisible(chromedp.ID("comment")),
	); err != nil {
		t.Fatalf("answer the score: %v", err)
	}
	question, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("question")))
	if err != nil {
		t.Fatal(err)
	}
	band, err := f.engine.Settings().BandFollowUpPrompt(surveys.Invitation{ID: 1, SurveyID: "csat-team", Locale: "he"}, scoring.Detractor)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(question) != strings.TrimSpace(band.Text) {
		t.Errorf("after a detractor's score: got the question %q, want the team's %q", question, band.Text)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("reason-speed")),
		chromedp.SendKeys(chromedp.ID("comment"), "השירות היה איטי"),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.CSS(".note")),
	); err != nil {
		t.Fatalf("answer through the web link: %v", err)
	}
	thanks, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".note")))
	if err != nil {
		t.Fatal(err)
	}
	if want := f.engine.Settings().ThanksPrompt(surveys.Invitation{SurveyID: "csat-team", Locale: "he"}).Text; strings.TrimSpace(thanks) != strings.TrimSpace(want) {
		t.Errorf("after the comment: got %q, want the team's thanks %q", thanks, want)
	}
	stored, _, err := f.store.Responses(context.Background(), storage.ResponseFilter{SurveyID: "csat-team"})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].Score != 1 || stored[0].Reason != "speed" || stored[0].Comment != "השירות היה איטי" {
		t.Errorf("stored: got %+v, want one response 1, reason speed, with the comment", stored)
	}
}
