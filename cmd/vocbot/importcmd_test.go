package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// cliEnv is a configuration with one touchpoint rule and Telegram credentials,
// so touchpoints with a chat id are reachable (serve would deliver them).
func cliEnv(t *testing.T, url string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vocbot.yaml")
	if err := os.WriteFile(cfg, []byte("touchpoints:\n  - type: order_delivered\n    survey: nps\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"VOCBOT_DATABASE_URL":   url,
		"VOCBOT_CONFIG":         cfg,
		"VOCBOT_TELEGRAM_TOKEN": "123456:test-token-for-config-only",
		"VOCBOT_LOG_LEVEL":      "error",
	}
}

func runCLI(t *testing.T, vars map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := runEnv(context.Background(), args, &environment{getenv: mapEnv(vars), stdout: &stdout, stderr: &stderr})
	return stdout.String(), stderr.String(), err
}

func TestImportTouchpointsCSVAndJSONL(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			vars := cliEnv(t, storagetest.URL(t, e))
			dir := t.TempDir()
			csvPath := filepath.Join(dir, "touchpoints.csv")
			csv := "id,type,customer_id,customer_locale,telegram_chat_id,attr.agent\n" +
				"c1,order_delivered,cus_1,he,101,yossi\n" +
				"c2,order_delivered,cus_2,ru,not-a-number,dana\n" + // line 3: bad chat id
				"c3,order_delivered,,en,103,\n" + // line 4: no customer
				"c4,order_delivered,cus_4,fa,104,\n"
			if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, err := runCLI(t, vars, "import", "touchpoints", csvPath)
			if err == nil || !strings.Contains(err.Error(), "2 of 4 rows were not imported") {
				t.Fatalf("got error %v, want 2 of 4 rows not imported", err)
			}
			for _, want := range []string{"touchpoints.csv:3: ", "telegram_chat_id", "touchpoints.csv:4: ", "customer.id"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if !strings.Contains(out, "4 rows: 2 scheduled, 0 skipped, 0 already imported, 2 invalid") {
				t.Fatalf("summary: %q", out)
			}
			if strings.Contains(errOut, "rows ") {
				t.Errorf("progress on stderr without --progress off a terminal:\n%s", errOut)
			}
			// Importing the same file again adds nothing; --progress
			// prints its lines though stderr is not a terminal.
			out, errOut, _ = runCLI(t, vars, "import", "--progress", "touchpoints", csvPath)
			if !strings.Contains(errOut, "100.0%  4 rows  0 scheduled") || strings.Contains(errOut, "\r") {
				t.Errorf("--progress: stderr %q, want a final line of 4 rows", errOut)
			}
			if !strings.Contains(out, "2 already imported") || !strings.Contains(out, "0 scheduled") {
				t.Fatalf("re-import summary: %q", out)
			}

			jsonlPath := filepath.Join(dir, "more.jsonl")
			jsonl := `{"id":"j1","type":"order_delivered","customer":{"id":"cus_1"}}` + "\n" + // fatigue: cus_1 was just invited
				"\n" +
				`{"id":"j2","type":"order_delivered","customer":{"id":"cus_j2","telegram_chat_id":202}}` + "\n" +
				`{"id":"j3", "type":` + "\n" // line 4: broken JSON
			if err := os.WriteFile(jsonlPath, []byte(jsonl), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, err = runCLI(t, vars, "import", "touchpoints", jsonlPath)
			if err == nil || !strings.Contains(errOut, "more.jsonl:4: ") {
				t.Fatalf("got %v, stderr %q; want line 4 reported", err, errOut)
			}
			if !strings.Contains(out, "3 rows: 1 scheduled, 1 skipped") || !strings.Contains(out, "fatigue 1") {
				t.Fatalf("summary: %q", out)
			}
		})
	}
}

func TestImportUsage(t *testing.T) {
	t.Parallel()
	vars := cliEnv(t, storagetest.URL(t, storage.SQLite))
	for _, args := range [][]string{{"import"}, {"import", "customers", "x.csv"}, {"import", "touchpoints", "x.xlsx"}} {
		_, _, err := runCLI(t, vars, args...)
		if !isUsage(err) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
	_, _, err := runCLI(t, vars, "import", "touchpoints", filepath.Join(t.TempDir(), "missing.csv"))
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Fatalf("missing file: got %v", err)
	}
}

func TestSendCommand(t *testing.T) {
	t.Parallel()
	vars := cliEnv(t, storagetest.URL(t, storage.SQLite))
	out, _, err := runCLI(t, vars, "send", "--survey", "nps", "--customer", "cus_s", "--telegram-chat-id", "555")
	if err != nil || !strings.Contains(out, "invitation 1: nps cus_s via telegram") {
		t.Fatalf("first send: %q, %v", out, err)
	}
	out, _, err = runCLI(t, vars, "send", "--survey", "nps", "--customer", "cus_s")
	if err != nil || !strings.Contains(out, "not sent: fatigue") {
		t.Fatalf("second send: %q, %v; want fatigue", out, err)
	}
	out, _, err = runCLI(t, vars, "send", "--survey", "nps", "--customer", "cus_nobody")
	if err != nil || !strings.Contains(out, "not sent: unreachable") {
		t.Fatalf("unreachable: %q, %v", out, err)
	}
	_, _, err = runCLI(t, vars, "send", "--survey", "nope", "--customer", "cus_s")
	if err == nil || !strings.Contains(err.Error(), `unknown survey "nope"`) {
		t.Fatalf("unknown survey: %v", err)
	}
	if _, _, err := runCLI(t, vars, "send", "--survey", "nps"); !isUsage(err) {
		t.Fatalf("missing --customer: got %v, want usage error", err)
	}
}
