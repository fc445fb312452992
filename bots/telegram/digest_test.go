package telegram

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var sampleDigest = surveystest.SampleDigest

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
