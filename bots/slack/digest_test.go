package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var sampleDigest = surveystest.SampleDigest

func TestRenderDigestGolden(t *testing.T) {
	t.Parallel()
	for _, locale := range surveys.Locales {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			blocks, fallback := renderDigest(sampleDigest(locale).Card())
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(blocks); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", "digest_"+locale+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("digest blocks (-want +got):\n%s", diff)
			}
			if strings.Contains(string(got), "<chat>") {
				t.Error("a touchpoint name reached mrkdwn unescaped")
			}
			if fallback == "" {
				t.Error("no fallback text")
			}
		})
	}
}

func TestPostDigest(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	ref, err := b.PostDigest(context.Background(), surveys.Address{Platform: surveys.Slack, ChatID: channel}, sampleDigest("he"), []byte("\x89PNG"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(channel)
	if len(msgs) != 1 || string(ref) != channel+":"+msgs[0].TS {
		t.Fatalf("posted %d messages, ref %q; want one digest referenced by channel:ts", len(msgs), ref)
	}
	if !strings.Contains(string(msgs[0].Blocks), `"type":"header"`) {
		t.Errorf("digest has no header block: %s", msgs[0].Blocks)
	}
}
