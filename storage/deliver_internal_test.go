package storage

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestFailureDetailHidesURLsAndIsShort(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 600)
	tests := []struct {
		name, what string
		err        error
		want       string
	}{
		{"plain", "unreachable", errors.New("Forbidden: bot was blocked by the user"),
			"unreachable: Forbidden: bot was blocked by the user"},
		{"URL with a token is removed", "the platform may or may not have shown it",
			errors.New(`Post "https://api.telegram.org/bot123:SECRET/sendMessage": context deadline exceeded`),
			`the platform may or may not have shown it: Post "[url]": context deadline exceeded`},
		{"any scheme", "gave up", errors.New("dial wss://gateway.discord.gg/?v=10&token=x: refused"),
			"gave up: dial [url] refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failureDetail(tt.what, tt.err); got != tt.want {
				t.Errorf("failureDetail = %q, want %q", got, tt.want)
			}
		})
	}
	got := failureDetail("gave up", errors.New(long))
	if n := utf8.RuneCountInString(got); n != maxDetail || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("long detail: %d runes, valid %v, ends %q; want %d runes ending in …", n, utf8.ValidString(got), got[len(got)-8:], maxDetail)
	}
}

func TestSnoozeForWakesBeforeRiversScheduler(t *testing.T) {
	t.Parallel()
	tests := []struct{ wait, want time.Duration }{
		{time.Second, time.Second},
		{3 * time.Second, 3 * time.Second},
		{10 * time.Second, 10 * time.Second},
		{12 * time.Second, 7 * time.Second},
		{time.Minute, 55 * time.Second},
	}
	for _, tt := range tests {
		if got := snoozeFor(tt.wait); got != tt.want {
			t.Errorf("snoozeFor(%s) = %s, want %s", tt.wait, got, tt.want)
		}
	}
}
