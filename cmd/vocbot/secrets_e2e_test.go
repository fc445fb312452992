package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// A Telegram send that fails after the request went out (the connection
// dropped, as on a timeout) used to carry the Bot API URL, with the token in
// its path, into the invitation's stored detail, the WARN log and the API's
// replay of the touchpoint. Run serve through such failures and look for the
// token everywhere a person could read it.
func TestServeKeepsTheBotTokenSecretThroughSendFailures(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			tg := telegramtest.New("")
			t.Cleanup(tg.Close)
			tg.AddUser(4242, "en")
			tg.AddUser(4343, "en")
			// Applied, then the connection drops: an ambiguous failure whose
			// error is Go's *url.Error quoting the URL; then a plain 5xx.
			tg.Inject("sendMessage", telegramtest.Fault{Drop: true})
			tg.Inject("sendMessage", telegramtest.Fault{Code: 502, Description: "Bad Gateway"})
			dbURL := storagetest.URL(t, e)
			vars := telegramVars(t, dbURL, tg)
			vars["VOCBOT_LOG_LEVEL"] = "debug"
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)

			get := func(method, path, body string, header http.Header) string {
				t.Helper()
				req, err := http.NewRequest(method, base+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+testToken)
				req.Header.Set("Content-Type", "application/json")
				for k, v := range header {
					req.Header[k] = v
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				if resp.StatusCode >= 500 {
					t.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
				}
				return string(raw)
			}
			tp := func(id string, chat int) string {
				return fmt.Sprintf(`{"id":%q,"type":"order_delivered","survey":"nps","customer":{"id":"cus_%s","telegram_chat_id":%d}}`, id, id, chat)
			}
			var seen []string
			seen = append(seen, get("POST", "/v1/touchpoints", tp("leak1", 4242), http.Header{"Idempotency-Key": {"leak-1"}}))
			seen = append(seen, get("POST", "/v1/touchpoints", tp("leak2", 4343), http.Header{"Idempotency-Key": {"leak-2"}}))
			waitFor(t, 30*time.Second, func() bool {
				return tg.Calls("sendMessage") >= 2 && strings.Contains(metrics(t, base), `status="unknown"} 1`)
			}, logs)
			// The replays show each invitation as it is now, detail included.
			seen = append(seen, get("POST", "/v1/touchpoints", tp("leak1", 4242), http.Header{"Idempotency-Key": {"leak-1"}}))
			seen = append(seen, get("POST", "/v1/touchpoints", tp("leak2", 4343), http.Header{"Idempotency-Key": {"leak-2"}}))
			seen = append(seen, get("GET", "/v1/responses", "", nil), get("GET", "/v1/audit", "", nil), metrics(t, base))
			if !strings.Contains(strings.Join(seen, "\n"), "unknown") {
				t.Fatalf("no replay shows the ambiguous send as unknown; the test no longer reaches the failure path:\n%s", strings.Join(seen, "\n"))
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			seen = append(seen, logs.String(), dumpDatabase(t, e, dbURL))
			for _, s := range seen {
				for _, form := range []string{tg.Token(), url.PathEscape(tg.Token()), url.QueryEscape(tg.Token())} {
					if strings.Contains(s, form) {
						t.Fatalf("the bot token leaked:\n%s", s)
					}
				}
			}
		})
	}
}

// dumpDatabase is every row of every table of the database as text.
func dumpDatabase(t *testing.T, e storage.Engine, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if e == storage.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.SQL().QueryContext(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("found only tables %v", tables)
	}
	var out strings.Builder
	for _, table := range tables {
		rows, err := db.SQL().QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%s:", table)
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(&out, " %v", v)
			}
			out.WriteByte('\n')
		}
		rows.Close()
	}
	return out.String()
}
