package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// The commands that only read (export, digest preview, audit, migrate
// status) run while serve holds the SQLite file; a command that writes is
// still refused with a message that says why.
func TestReadOnlyCommandsWhileServeRuns(t *testing.T) {
	t.Parallel()
	tg := telegramtest.New("")
	t.Cleanup(tg.Close)
	tg.AddUser(4242, "en")
	vars := telegramVars(t, storagetest.URL(t, storage.SQLite), tg)
	base, stop, logs := startServe(t, vars)
	waitReady(t, base)
	f := apiFixture{url: base}
	if r := f.do(t, "POST", "/v1/touchpoints", `{"id":"ro_1","type":"order_delivered","survey":"nps","customer":{"id":"cus_ro","telegram_chat_id":4242}}`, nil); r.status != http.StatusAccepted {
		t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
	}
	for _, args := range [][]string{
		{"export", "responses"},
		{"export", "responses", "--format", "jsonl"},
		{"digest", "preview"},
		{"audit"},
		{"migrate", "status"},
	} {
		out, errOut, err := runCLI(t, vars, args...)
		if err != nil {
			t.Errorf("vocbot %s while serve runs: %v\n%s", strings.Join(args, " "), err, errOut)
			continue
		}
		if strings.Contains(errOut, "listener") {
			t.Errorf("vocbot %s: noise on stderr: %s", strings.Join(args, " "), errOut)
		}
		if args[0] == "migrate" && !strings.Contains(out, "applied") {
			t.Errorf("migrate status: %q, want the applied migrations", out)
		}
	}
	_, _, err := runCLI(t, vars, "send", "--survey", "nps", "--customer", "cus_ro")
	if err == nil || !strings.Contains(err.Error(), "in use by another vocbot process") {
		t.Errorf("send while serve runs: %v, want a refusal naming the other process", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
