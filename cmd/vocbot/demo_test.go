package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/demo"
	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// The README's first command: the whole tour runs offline and shows every
// step it promises.
func TestDemoTour(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := runEnv(context.Background(), []string{"demo", "--keep", dir},
		&environment{getenv: func(string) string { return "" }, stdout: &stdout, stderr: &stderr})
	out := stdout.String()
	if err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out, stderr.String())
	}
	for _, c := range demo.Customers() {
		if !strings.Contains(out, "── "+c.Name+" ("+c.Locale+")") || !strings.Contains(out, c.Name+" taps [") {
			t.Errorf("the tour lacks %s's conversation", c.Name)
		}
	}
	for _, want := range []string{
		"עד כמה סביר שתמליצו",          // the Hebrew question
		"Thank you for your feedback!", // thanks
		"Voice of Customer",            // the digest header, from the fake Slack channel
		"NPS, last 28 days:",           // its headline
		"[email]",                      // a quote with the e-mail redacted
		"Skipped nps to cus_ivan",      // the ambassador's send, explained
		"Recent detractors' quotes",    // the ambassador's quotes
		"── Tamar (en) on Discord",     // the Discord customer…
		"Tamar taps [Write an answer] and writes in the form:\n Tamar │ The app froze twice at checkout", // …answering in the modal
		"noam on Discord: /survey stats survey:nps window:7d (a member with the ambassador role; only noam sees the reply)\n" +
			"   vocbot │ Scores, last 7 days", // the ambassador on Discord and the private reply
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the tour lacks %q", want)
		}
	}
	if n := strings.Count(out, "emma@example.com"); n != 1 {
		t.Errorf("Emma's e-mail appears %d times; want only in her own message", n)
	}
	m := regexp.MustCompile(`chart \(in the digest's thread\): (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no chart path in the tour:\n%s", out)
	}
	png, err := os.ReadFile(m[1])
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("chart %s: %v (%d bytes)", m[1], err, len(png))
	}
	if _, err := os.Stat(filepath.Join(dir, "vocbot.db")); err != nil {
		t.Errorf("--keep did not keep the database: %v", err)
	}
	checkDemoLoop(t, out)
	checkDemoLoopDigest(t, out, dir)
	checkDemoHistory(t, out, dir)
}

// checkDemoLoop: the tour closes the loop with an unhappy customer, in
// order: her alert is claimed, the agent's reply reaches her, her answer
// lands in the alert's thread, and the alert is resolved with a reason.
func checkDemoLoop(t *testing.T, out string) {
	t.Helper()
	at := 0
	for _, want := range []string{
		"3. Closing the loop: Noa's alert in Slack #cx-alerts",
		"*Unhappy customer · NPS 3 · Delivery NPS*", // the survey's title, not its id
		"[Claim] [Reply to customer] [Resolve: refund]",
		"maya taps [Claim]: Claimed by @maya",
		"vocbot │ Sent to the customer.",
		"Noa reads in Telegram:\n      bot │ תשובה מצוות Acme:",
		"in the alert's thread:\n   │ Customer cus_noa wrote (he):\n   │ תודה רבה! אני בבית כל היום",
		"vocbot │ Resolved.",
		"the alert now reads: Resolved by @maya: refund",
		"in the demo 3s after it, where a team would set\n   recovery: {survey: csat-recovery, after: 48h}",
		"Noa receives the recovery survey in Telegram:\n      bot │ עד כמה הייתם מרוצים",
		"Noa taps [5]",
		"  Noa │ קיבלתי את ההזמנה החדשה והחזר על המשלוח. שירות מצוין",
		"recovery: survey csat-recovery, answered, CSAT 5, recovered true, answered at ",
		"      comment │ קיבלתי את ההזמנה החדשה והחזר על המשלוח. שירות מצוין",
		"4. The next morning's Voice-of-Customer digest",
		"│ *Delivery NPS*\n   │ NPS, last 28 days: ",
		"│ *Closing the loop, last 28 days*\n   │ Alerts: ",
		"│ Recovered: ",
	} {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Errorf("the closed loop lacks %q after what came before it", want)
			continue
		}
		at += i + len(want)
	}
}

// checkDemoLoopDigest: the digest's close-the-loop section says what the
// demo's database holds: the alerts raised on nps and csat answers in the
// 28 days up to today (in the digest's time zone), how many were claimed,
// replied to within the rule's 4 h and resolved, and the recovery rate of
// their recovery answers (shown: at least 5, the tour's own among them).
func checkDemoLoopDigest(t *testing.T, out, dir string) {
	t.Helper()
	counts := regexp.MustCompile(`Alerts: (\d+) opened · (\d+) claimed · (\d+) replied within target · (\d+) resolved`).FindStringSubmatch(out)
	rate := regexp.MustCompile(`Recovered: (\d+)% of (\d+) detractors surveyed again \(95% CI (\d+)–(\d+)\)`).FindStringSubmatch(out)
	if counts == nil || rate == nil {
		t.Fatalf("the digest has no close-the-loop counts and recovery rate:\n%s", out)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://"+filepath.Join(dir, "vocbot.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.SQL().QueryContext(ctx, `SELECT a.created_at, a.claimed_at, a.first_reply_at, a.resolved_at, rr.metric, rr.score, c.external_id
		FROM alerts a JOIN responses r ON r.id = a.response_id JOIN customers c ON c.id = r.customer_id
		LEFT JOIN responses rr ON a.recovery_invitation_id IS NOT NULL AND rr.invitation_id = a.recovery_invitation_id
		WHERE r.survey_id IN ('nps', 'csat')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	loc, _ := time.LoadLocation("Asia/Jerusalem")
	now := time.Now().In(loc)
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	start := end.AddDate(0, 0, -28)
	var opened, claimed, replied, resolved, recovered, answered int
	tourRecovered := false
	for rows.Next() {
		var created time.Time
		var claimedAt, firstReply, resolvedAt sql.NullTime
		var metric sql.NullString
		var score sql.NullInt64
		var customer string
		if err := rows.Scan(&created, &claimedAt, &firstReply, &resolvedAt, &metric, &score, &customer); err != nil {
			t.Fatal(err)
		}
		if created.Before(start) || !created.Before(end) {
			continue
		}
		opened++
		claimed += map[bool]int{true: 1}[claimedAt.Valid]
		resolved += map[bool]int{true: 1}[resolvedAt.Valid]
		replied += map[bool]int{true: 1}[firstReply.Valid && firstReply.Time.Sub(created) <= 4*time.Hour]
		if metric.Valid {
			answered++
			if b, err := surveys.Metric(metric.String).Scale().Bucket(int(score.Int64)); err == nil && b == scoring.Promoter {
				recovered++
				tourRecovered = tourRecovered || customer == "cus_noa"
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []int{opened, claimed, replied, resolved}
	for i, w := range want {
		if got := atoi(t, counts[i+1]); got != w {
			t.Errorf("the digest says %s; the database has %d opened, %d claimed, %d replied within 4 h, %d resolved", counts[0], opened, claimed, replied, resolved)
			break
		}
	}
	r := scoring.Recovery(recovered, answered)
	lo, hi := r.IntervalPercent()
	if !r.Shown() || atoi(t, rate[1]) != r.Percent || atoi(t, rate[2]) != answered || atoi(t, rate[3]) != lo || atoi(t, rate[4]) != hi {
		t.Errorf("the digest says %q; the database has %d recovered of %d answered: %d%% (95%% CI %d–%d)", rate[0], recovered, answered, r.Percent, lo, hi)
	}
	if !tourRecovered {
		t.Errorf("Noa's recovery answer is not among the digest's recovered alerts")
	}
}

// checkDemoHistory: the history is realistic, read from the demo's own
// digest (out) and database (in dir): yesterday's response rate is 20–40%
// (the tour's answers among the invitations nobody answered), weekends are
// quieter, NPS's change is flagged as real and CSAT's is not.
func checkDemoHistory(t *testing.T, out, dir string) {
	t.Helper()
	rates := regexp.MustCompile(`Yesterday: responses \d+ · comments \d+ · response rate (\d+)% \((\d+) of (\d+) sent\)`).FindAllStringSubmatch(out, -1)
	if len(rates) != 2 {
		t.Fatalf("the digest shows %d response rates, want one per survey:\n%s", len(rates), out)
	}
	for _, m := range rates {
		pct, answered, sent := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3])
		if pct < 20 || pct > 40 || answered*100 < 20*sent || answered*100 > 40*sent {
			t.Errorf("yesterday's response rate %s, want 20–40%%", m[0])
		}
	}
	changes := regexp.MustCompile(`(NPS|CSAT), last 28 days: .*\n.*Previous 28 days: .* · change (.*)`).FindAllStringSubmatch(out, -1)
	if len(changes) != 2 || !strings.HasPrefix(changes[0][2], "▲") || strings.ContainsAny(changes[1][2], "▲▼") {
		t.Errorf("changes %q: want NPS's flagged ▲ and CSAT's not", changes)
	}
	if !strings.Contains(out, "Database: "+filepath.Join(dir, "vocbot.db")) {
		t.Errorf("the tour does not say where the database is:\n%s", out)
	}

	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite://"+filepath.Join(dir, "vocbot.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sent, answered int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*), count(r.id) FROM invitations i
		LEFT JOIN responses r ON r.invitation_id = i.id WHERE i.sent_at IS NOT NULL`).Scan(&sent, &answered); err != nil {
		t.Fatal(err)
	}
	if sent < 500 || answered*100 < 20*sent || answered*100 > 40*sent {
		t.Errorf("history: %d of %d invitations answered, want hundreds at 20–40%%", answered, sent)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT occurred_at FROM touchpoints`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	loc, _ := time.LoadLocation("Asia/Jerusalem")
	perDay := map[string]int{}
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		perDay[at.In(loc).Format("2006-01-02 Mon")]++
	}
	var weekday, weekend, wdDays, weDays int
	for day, n := range perDay {
		if strings.HasSuffix(day, "Fri") || strings.HasSuffix(day, "Sat") {
			weekend, weDays = weekend+n, weDays+1
		} else {
			weekday, wdDays = weekday+n, wdDays+1
		}
	}
	if weDays == 0 || wdDays == 0 || weekend*wdDays*3 > weekday*weDays*2 {
		t.Errorf("touchpoints: %d on %d weekdays, %d on %d weekend days; want weekends at most two thirds as busy", weekday, wdDays, weekend, weDays)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// demo --serve keeps serving after the tour: the printed sign-in link signs
// a browser (an HTTP client with a cookie jar) in, and the dashboard's NPS
// is the digest's and GET /v1/scores'; the web answer link opens the
// Hebrew answer page; Ctrl-C (the context) ends it cleanly.
func TestDemoServe(t *testing.T) {
	t.Parallel()
	addr, stdout, stop := serveDemo(t)
	public := "http://" + addr
	out := stdout.String()
	find := func(pattern string) string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %s in the tour:\n%s", pattern, out)
		}
		return m[1]
	}
	signin := find(`(?m)^   (` + regexp.QuoteMeta(public) + `/signin/\S+)$`)
	answer := find(`(?m)^   (` + regexp.QuoteMeta(public) + `/answer/\S+)$`)
	token := find(`Authorization: Bearer (\S+)'`)
	digestNPS := find(`NPS, last 28 days: (−?\d+) `)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(url string, header ...string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", url, resp.StatusCode, body)
		}
		return string(body)
	}
	if page := get(signin); !strings.Contains(page, `id="signin"`) {
		t.Fatalf("the sign-in link shows no sign-in button:\n%s", page)
	}
	req, _ := http.NewRequest(http.MethodPost, signin, nil)
	req.Header.Set("Origin", public)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`class="headline" data-score="([^"]*)"`).FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("after signing in: %d, no headline score:\n%s", resp.StatusCode, body)
	}
	if m[1] != digestNPS {
		t.Errorf("the dashboard shows NPS %s, the digest %s", m[1], digestNPS)
	}
	var scores struct {
		Scores []struct {
			Survey  string `json:"survey"`
			Display string `json:"display"`
		} `json:"scores"`
	}
	if err := json.Unmarshal([]byte(get(public+"/v1/scores", "Authorization", "Bearer "+token)), &scores); err != nil {
		t.Fatal(err)
	}
	api := ""
	for _, s := range scores.Scores {
		if s.Survey == "nps" {
			api = strings.Replace(s.Display, "-", "−", 1)
		}
	}
	if api != digestNPS {
		t.Errorf("GET /v1/scores shows NPS %q, the digest %s", api, digestNPS)
	}
	if page := get(answer); !strings.Contains(page, `lang="he" dir="rtl"`) {
		t.Errorf("the web answer link does not open the Hebrew page:\n%s", page)
	}

	if err := stop(); err != nil {
		t.Error(err)
	}
}

// serveDemo starts `vocbot demo --serve` on a free port and waits until the
// tour is done and it serves. It returns the address, what the demo printed,
// and stop, which is Ctrl-C: it returns the demo's error, if any.
func serveDemo(t *testing.T) (addr string, stdout *syncBuffer, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stdout = &syncBuffer{}
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runEnv(ctx, []string{"demo", "--serve", "--addr", addr},
			&environment{getenv: func(string) string { return "" }, stdout: stdout, stderr: &stderr})
	}()
	deadline := time.Now().Add(5 * time.Minute) // -race on a busy machine is slow; the tour fails faster on its own errors
	for !strings.Contains(stdout.String(), "until Ctrl-C") {
		select {
		case err := <-done:
			t.Fatalf("demo --serve ended: %v\n%s\n%s", err, stdout.String(), stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo --serve is not serving after 5 minutes:\n%s", stdout.String())
		}
	}
	return addr, stdout, func() error {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("demo --serve after Ctrl-C: %w", err)
			}
			return nil
		case <-time.After(20 * time.Second):
			return errors.New("demo --serve did not stop after Ctrl-C")
		}
	}
}

// demo --serve refuses an address it cannot serve on before the tour starts.
func TestDemoServeAddress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, tt := range []struct {
		addr, want string
		usage      bool
	}{
		{"8080", `--addr "8080": give a host:port`, true},
		{ln.Addr().String(), "cannot listen on " + ln.Addr().String(), false},
	} {
		var stdout bytes.Buffer
		err := runEnv(context.Background(), []string{"demo", "--serve", "--addr", tt.addr},
			&environment{getenv: func(string) string { return "" }, stdout: &stdout, stderr: io.Discard})
		if err == nil || !strings.Contains(err.Error(), tt.want) || isUsage(err) != tt.usage || stdout.Len() > 0 {
			t.Errorf("demo --serve --addr %s: %v (usage %v), printed %q; want %q before any tour", tt.addr, err, isUsage(err), stdout.String(), tt.want)
		}
	}
}
