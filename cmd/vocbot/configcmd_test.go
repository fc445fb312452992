package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "vocbot.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	for path, content := range map[string]string{
		good: "product: Acme\ndigests:\n  - {id: daily, to: 'slack:C0123', at: '09:00'}\n",
		bad:  "product: Acme\nsurveys:\n  - id: x\n    metric: npss\n",
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const token = "xoxb-1234-5678-Zq9xK2mP7wR4vB8nT1yH"

	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantErr    string // "" for success
		wantUsage  bool
		wantHelp   bool
		wantStdout []string
		notStdout  []string
	}{
		{
			name: "check with --config",
			args: []string{"config", "check", "--config", good},
			env:  map[string]string{"VOCBOT_SLACK_BOT_TOKEN": token},
			wantStdout: []string{
				"# file: " + good + "\n",
				"# slack: on (posting only",
				"# digests: on (daily at 09:00 UTC to slack:C0123)\n",
				"  VOCBOT_SLACK_BOT_TOKEN: xoxb-****\n",
				"product: Acme\n",
			},
			notStdout: []string{"Zq9xK2mP7wR4vB8nT1yH", "# error:"},
		},
		{
			name: "check with --config=",
			args: []string{"config", "check", "--config=" + good},
			wantStdout: []string{"# file: " + good + "\n",
				"# error: digest daily posts to slack:C0123, but slack has no credentials: it will not be posted; set VOCBOT_SLACK_BOT_TOKEN\n"},
		},
		{
			name:       "check with VOCBOT_CONFIG",
			args:       []string{"config", "check"},
			env:        map[string]string{"VOCBOT_CONFIG": good},
			wantStdout: []string{"# file: " + good + "\n"},
		},
		{
			name:    "invalid file",
			args:    []string{"config", "check", "--config", bad},
			wantErr: bad + `:4: surveys[0].metric: "npss" is not one of nps, csat, ces, enps`,
		},
		{
			name:    "invalid environment",
			args:    []string{"config", "check"},
			env:     map[string]string{"VOCBOT_TELEGRAM_MODE": "push"},
			wantErr: `VOCBOT_TELEGRAM_MODE: "push" is not a mode; use polling or webhook`,
		},
		{
			name:    "missing file",
			args:    []string{"config", "check", "--config", filepath.Join(dir, "nope.yaml")},
			wantErr: filepath.Join(dir, "nope.yaml") + " (from --config): the file does not exist",
		},
		{name: "no subcommand", args: []string{"config"}, wantErr: "config: missing subcommand; run 'vocbot config check'", wantUsage: true},
		{name: "unknown subcommand", args: []string{"config", "show"}, wantErr: `config: unknown subcommand "show"; run 'vocbot config check'`, wantUsage: true},
		{name: "unknown flag", args: []string{"config", "check", "--verbose"}, wantErr: "config check: flag provided but not defined: -verbose; run 'vocbot config check --help'", wantUsage: true},
		{name: "extra argument", args: []string{"config", "check", "x.yaml"}, wantErr: `config check: unexpected argument "x.yaml"; run 'vocbot config check --help'`, wantUsage: true},
		{name: "empty --config", args: []string{"config", "check", "--config="}, wantErr: "config check: --config needs a file path", wantUsage: true},
		{name: "config help", args: []string{"config", "--help"}, wantHelp: true, wantStdout: []string{"Usage: vocbot config check [--config FILE]"}},
		{name: "check help", args: []string{"config", "check", "--help"}, wantHelp: true, wantStdout: []string{"Usage: vocbot config check [flags]", "-config file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string { return tt.env[k] }
			err := run(context.Background(), tt.args, getenv, &stdout, &stderr)
			var u *usageError
			switch {
			case tt.wantHelp:
				if !errors.Is(err, errHelp) {
					t.Fatalf("run = %v, want errHelp", err)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run error = %v, want it to contain %q", err, tt.wantErr)
				}
				if got := errors.As(err, &u); got != tt.wantUsage {
					t.Errorf("usage error = %v, want %v (exit code 2 only for bad usage)", got, tt.wantUsage)
				}
			case err != nil:
				t.Fatalf("run: %v", err)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, not := range tt.notStdout {
				if strings.Contains(stdout.String(), not) {
					t.Errorf("stdout contains %q", not)
				}
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr = %q, want nothing (main prints the error)", stderr.String())
			}
		})
	}
}

func TestConfigCommandListed(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, func(string) string { return "" }, &stdout, &bytes.Buffer{}); !errors.Is(err, errHelp) {
		t.Fatalf("run --help = %v", err)
	}
	if !strings.Contains(stdout.String(), "  config     validate the configuration and print it with secrets masked\n") {
		t.Errorf("usage does not list config:\n%s", stdout.String())
	}
}
