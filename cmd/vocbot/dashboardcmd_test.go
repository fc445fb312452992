package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestDashboardLinkCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := map[string]string{"VOCBOT_DATABASE_URL": "sqlite://" + filepath.Join(dir, "vocbot.db"), "VOCBOT_LOG_LEVEL": "error"}
	env := func(extra map[string]string) func(string) string {
		return func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return base[k]
		}
	}
	public := env(map[string]string{"VOCBOT_PUBLIC_URL": "https://vocbot.example.com"})
	tests := []struct {
		name   string
		args   []string
		getenv func(string) string
		out    string // prefix of stdout
		err    string // part of the error
		usage  bool
	}{
		{"link", []string{"dashboard", "link"}, public, "https://vocbot.example.com/signin/", "", false},
		{"link with ttl", []string{"dashboard", "link", "--ttl", "1h"}, public, "https://vocbot.example.com/signin/", "", false},
		{"no public url", []string{"dashboard", "link"}, env(nil), "", "set VOCBOT_PUBLIC_URL", false},
		{"ttl too long", []string{"dashboard", "link", "--ttl", "48h"}, public, "", "at most 24h", true},
		{"no subcommand", []string{"dashboard"}, public, "", "dashboard link", true},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tt.args, tt.getenv, &stdout, &stderr)
		if tt.err == "" {
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if err != nil || len(lines) != 1 || !strings.HasPrefix(lines[0], tt.out) || len(lines[0]) < len(tt.out)+40 {
				t.Errorf("%s: got %q, %v; want one URL starting %s", tt.name, stdout.String(), err, tt.out)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: got %v, want an error saying %q", tt.name, err, tt.err)
		}
		if got := isUsage(err); got != tt.usage {
			t.Errorf("%s: got usage error %v, want %v", tt.name, got, tt.usage)
		}
	}
}
