package main

import (
	"net/url"
	"testing"
)

func TestLeaks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want int
	}{
		{"clean", `{"level":"INFO","msg":"listening"}`, 0},
		{"API token", "Authorization: Bearer " + apiToken, 1},
		{"bot token URL-escaped in a path", "/bot" + url.PathEscape(telegramToken) + "/sendMessage", 1},
		{"webhook secret (whole and its key part) and database password", webhookSecret + " postgres://postgres:" + databasePasswd + "@x", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := leaks(tt.text); len(got) != tt.want {
				t.Errorf("leaks(%q) = %v, want %d", tt.text, got, tt.want)
			}
		})
	}
}

func TestMarker(t *testing.T) {
	t.Parallel()
	if got := marker([]byte(`{"id":"rejMARK1042","x":1}`)); got != "rejMARK1042" {
		t.Errorf("marker = %q, want rejMARK1042", got)
	}
	if got := marker([]byte(`{"id":"x"}`)); got != "" {
		t.Errorf("marker = %q, want none", got)
	}
}
