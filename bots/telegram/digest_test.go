package telegram

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
)

// sampleDigest computes a small digest: a month of NPS answers over two
// touchpoints and yesterday's comments.
func sampleDigest(locale string) surveys.Digest {
	s := &surveys.Settings{DefaultLocale: "en", Timezone: time.UTC, Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS}}}
	spec := surveys.DigestSpec{ID: "daily", Timezone: time.UTC, Quotes: 3, Locale: locale}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	q := surveys.NewDigestQuery(spec, s, now)
	days := len(q.Days)
	data := surveys.DigestData{Query: q, Invited: map[string]surveys.DigestInvited{"nps": {Sent: 10, Answered: 4}}}
	for day := days - 40; day < days; day++ {
		data.Counts = append(data.Counts,
			surveys.DigestCount{SurveyID: "nps", Day: day, TouchpointType: "order_delivered", Score: 10, Responses: 2},
			surveys.DigestCount{SurveyID: "nps", Day: day, TouchpointType: "support <chat>", Score: 4, Responses: 1, Comments: 1})
	}
	y := q.Yesterday.Start
	data.Comments = []surveys.DigestComment{
		{ResponseID: 1, SurveyID: "nps", Score: 4, Text: "Support closed my ticket without an answer & no apology", TouchpointType: "support <chat>", At: y.Add(9 * time.Hour)},
		{ResponseID: 2, SurveyID: "nps", Score: 10, Text: "Delivery was fast and the courier was very polite", TouchpointType: "order_delivered", At: y.Add(10 * time.Hour)},
	}
	return surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
}

func TestRenderDigestGolden(t *testing.T) {
	t.Parallel()
	for _, locale := range surveys.Locales {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			got := renderDigest(sampleDigest(locale).Card()) + "\n"
			path := filepath.Join("testdata", "digest_"+locale+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("digest HTML (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPostDigest(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "he")
	ref, err := bot.PostDigest(context.Background(), surveys.Address{Platform: surveys.Telegram, ChatID: "42"}, sampleDigest("he"), []byte("\x89PNG"))
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(42)
	if len(sent) != 1 || string(ref) != "42:1" {
		t.Fatalf("sent %d messages, ref %q; want one digest, 42:1", len(sent), ref)
	}
	if !strings.HasPrefix(sent[0].Text, "קול הלקוח") || !strings.Contains(sent[0].Text, "support <chat>") {
		t.Errorf("digest as the user sees it:\n%s", sent[0].Text)
	}
}
