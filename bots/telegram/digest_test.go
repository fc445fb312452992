package telegram

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
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

// The digest arrives as one message and its chart as a photo replying to
// it, byte for byte, through the fake's sendPhoto (as strict as Telegram's).
func TestPostDigest(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "he")
	d := sampleDigest("he")
	chart := chartPNG(t)
	ref, err := bot.PostDigest(context.Background(), surveys.Address{Platform: surveys.Telegram, ChatID: "42"}, d, chart)
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(42)
	if len(sent) != 2 || string(ref) != "42:1" {
		t.Fatalf("sent %d messages, ref %q; want the digest and its chart, 42:1", len(sent), ref)
	}
	if !strings.HasPrefix(sent[0].Text, "קול הלקוח") || !strings.Contains(sent[0].Text, "support <chat>") {
		t.Errorf("digest as the user sees it:\n%s", sent[0].Text)
	}
	photo := sent[1]
	if photo.Photo == nil || !bytes.Equal(photo.Photo.Data, chart) || photo.ReplyTo != sent[0].ID {
		t.Fatalf("chart message %+v: want the chart's bytes replying to message %d", photo, sent[0].ID)
	}
}

// The chart is best effort: when Telegram refuses it, the digest (already
// posted) still counts as posted, so it is not posted twice.
func TestPostDigestChartRefused(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.AddUser(42, "en")
	for _, tc := range []struct {
		name  string
		chart []byte
		fault *telegramtest.Fault
	}{
		{"not an image", []byte("\x89PNG"), nil},
		{"sendPhoto fails", nil, &telegramtest.Fault{Code: 500, Description: "Internal Server Error"}},
	} {
		before := len(fake.Sent(42))
		chart := tc.chart
		if chart == nil {
			chart = chartPNG(t)
		}
		if tc.fault != nil {
			fake.Inject("sendPhoto", *tc.fault)
		}
		ref, err := bot.PostDigest(context.Background(), surveys.Address{Platform: surveys.Telegram, ChatID: "42"}, sampleDigest("en"), chart)
		if err != nil || ref == "" {
			t.Fatalf("%s: PostDigest = %q, %v; want the digest's ref and no error", tc.name, ref, err)
		}
		if sent := fake.Sent(42); len(sent) != before+1 || sent[len(sent)-1].Photo != nil {
			t.Errorf("%s: %d new messages, want only the digest", tc.name, len(sent)-before)
		}
	}
}

// chartPNG is an image the size of the digest's chart (the fake reads its
// dimensions, as Telegram does).
func chartPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1200, 720))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
