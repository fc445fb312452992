package slack

import (
	"bytes"
	"context"
	"testing"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

// The chart goes through Slack's external upload sequence into the
// digest's thread, byte for byte.
func TestPostDigestUploadsChartIntoThread(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	chart := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 3000)...)
	if _, err := b.PostDigest(context.Background(), surveys.Address{Platform: surveys.Slack, ChatID: channel}, sampleDigest("en"), chart); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(channel)
	files := srv.Files()
	if len(msgs) != 1 || len(files) != 1 {
		t.Fatalf("got %d messages and %d files, want the digest and its chart", len(msgs), len(files))
	}
	f := files[0]
	if !f.Completed || f.Channel != channel || f.ThreadTS != msgs[0].TS || !bytes.Equal(f.Data, chart) {
		t.Fatalf("chart: completed=%v channel=%q thread=%q (digest ts %q), %d bytes (want %d)",
			f.Completed, f.Channel, f.ThreadTS, msgs[0].TS, len(f.Data), len(chart))
	}
}
