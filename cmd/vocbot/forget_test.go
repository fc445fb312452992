package main

import (
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage/storagetest"
)

func TestForgetAndAuditCommands(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			vars := cliEnv(t, storagetest.URL(t, e))
			seedCLIAnswers(t, vars["VOCBOT_DATABASE_URL"], []seededAnswer{
				{customer: "cus_cli", survey: "nps", metric: "nps", score: 2, comment: "call me on 050-1234567", attrs: `{}`, at: time.Now().Add(-time.Hour)},
			})
			out, errOut, err := runCLI(t, vars, "forget", "--customer", "cus_cli")
			if err != nil || !strings.Contains(out, "forgot cus_cli: now forgotten:") || !strings.Contains(out, "erased 1 comments") {
				t.Fatalf("forget: got %v %q %q", err, out, errOut)
			}
			if _, _, err := runCLI(t, vars, "forget", "--customer", "cus_cli"); err == nil || isUsage(err) || !strings.Contains(err.Error(), "no customer") {
				t.Errorf("forget again: got %v, want a not-found failure", err)
			}
			if _, _, err := runCLI(t, vars, "forget"); !isUsage(err) {
				t.Errorf("forget without --customer: got %v, want usage", err)
			}

			out, _, err = runCLI(t, vars, "export", "responses")
			if err != nil || strings.Contains(out, "cus_cli") || strings.Contains(out, "050-1234567") || !strings.Contains(out, ",erased,") {
				t.Errorf("export after forget: got %v %q", err, out)
			}

			out, _, err = runCLI(t, vars, "audit")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if err != nil || len(lines) != 2 || lines[0] != strings.Join(auditColumns, ",") || !strings.Contains(lines[1], ",cli,,forget,forgotten:") ||
				strings.Contains(out, "cus_cli") {
				t.Errorf("audit: got %v %q", err, out)
			}
			out, _, err = runCLI(t, vars, "audit", "--format", "jsonl", "--actor", "api")
			if err != nil || out != "" {
				t.Errorf("audit --actor api: got %v %q, want nothing", err, out)
			}
			if _, _, err := runCLI(t, vars, "audit", "--since", "later"); !isUsage(err) {
				t.Errorf("audit --since later: got %v, want usage", err)
			}
		})
	}
}
