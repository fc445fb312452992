package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// TestDigestPreviewMatchesScore is the acceptance check: with a seeded month
// of answers, every number of the previewed headline is what 'vocbot score'
// says for the same counts.
func TestDigestPreviewMatchesScore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "vocbot.db")
	cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
	yaml := "digests:\n  - id: daily\n    to: slack:C1\n    at: \"09:00\"\n    surveys: [nps]\n    quotes: 3\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"VOCBOT_DATABASE_URL": url, "VOCBOT_CONFIG": cfg, "VOCBOT_LOG_LEVEL": "error"}
	if _, _, err := runCLI(t, vars, "migrate"); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(ctx, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(7, 7))
	var p, q, d int
	exec := func(query string, args ...any) int64 {
		t.Helper()
		res, err := db.SQL().ExecContext(ctx, query, args...)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	cust := exec(`INSERT INTO customers (external_id) VALUES ('c')`)
	for i := range 900 {
		at := date.Add(-time.Duration(r.IntN(40*24*60)) * time.Minute)
		score := r.IntN(11)
		if r.IntN(3) == 0 {
			score = 9 + r.IntN(2) // lean positive
		}
		tp := exec(`INSERT INTO touchpoints (source, external_id, type, occurred_at, customer_id, request_hash) VALUES ('t', ?, 'order', ?, ?, 'x')`,
			fmt.Sprint(i), at, cust)
		inv := exec(`INSERT INTO invitations (touchpoint_id, customer_id, survey_id, status) VALUES (?, ?, 'nps', 'sent')`, tp, cust)
		exec(`INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, update_id, answered_at, touchpoint_type) VALUES (?, ?, 'nps', 'nps', ?, ?, ?, 'order')`,
			inv, cust, score, fmt.Sprint(i), at)
		if at.Before(date) && !at.Before(date.AddDate(0, 0, -28)) {
			switch {
			case score >= 9:
				p++
			case score >= 7:
				q++
			default:
				d++
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	preview, _, err := runCLI(t, vars, "digest", "preview", "--date", "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`NPS, last 28 days: (−?\d+) \(95% CI (−?\d+)–(−?\d+)\) · n = (\d+)`).FindStringSubmatch(preview)
	if got == nil {
		t.Fatalf("no headline in the preview:\n%s", preview)
	}
	score, _, err := runCLI(t, vars, "score", "nps", "--promoters", fmt.Sprint(p), "--passives", fmt.Sprint(q), "--detractors", fmt.Sprint(d))
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`NPS (−?\d+) \(95% CI (−?\d+) to (−?\d+), n = (\d+)`).FindStringSubmatch(score)
	if want == nil {
		t.Fatalf("no score in:\n%s", score)
	}
	if strings.Join(got[1:], " ") != strings.Join(want[1:], " ") {
		t.Errorf("preview says %q, vocbot score says %q\npreview:\n%s", got[1:], want[1:], preview)
	}
	if !strings.HasPrefix(preview, "Voice of Customer · 2026-11-23\n") {
		t.Errorf("preview does not start with its title:\n%s", preview)
	}
}

func TestDigestJobsFromConfig(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
	yaml := "default_locale: fa\ndigits: {fa: latin}\ndigests:\n  - id: daily\n    to: telegram:-100123\n    at: \"08:30\"\n    timezone: Asia/Tehran\n    days: [sat, sun]\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(&environment{getenv: mapEnv(map[string]string{"VOCBOT_CONFIG": cfg})}, "")
	if err != nil {
		t.Fatal(err)
	}
	d := digestJobs(c, surveySettings(c, nil), capable[surveys.DigestPoster](&adapters{}), nil)
	if len(d.Specs) != 1 || d.Chart == nil || len(d.Posters) != 0 {
		t.Fatalf("digest jobs %+v", d)
	}
	s := d.Specs[0]
	if s.ID != "daily" || s.To != (surveys.Address{Platform: surveys.Telegram, ChatID: "-100123"}) || s.At != 8*60+30 ||
		s.Timezone.String() != "Asia/Tehran" || s.Locale != "fa-u-nu-latn" || len(s.Days) != 2 {
		t.Errorf("spec %+v", s)
	}
}
