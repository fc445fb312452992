package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/demo"
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
}
