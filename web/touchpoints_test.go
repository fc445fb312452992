package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

const testToken = "test-token-0123456789abcdef"

type apiFixture struct {
	url   string
	db    *storage.DB
	api   *Server
	store *storage.Store
}

// newAPIFixture serves /v1 over a real database, with Telegram enabled (no
// workers run, so invitations stay scheduled), the built-in surveys and one
// touchpoint rule.
func newAPIFixture(t testing.TB, db *storage.DB, webhookKey []byte) apiFixture {
	t.Helper()
	settings := &surveys.Settings{DefaultLocale: "en", Timezone: time.UTC, Surveys: surveys.BuiltinSurveys(),
		Rules:   []surveys.Rule{{Type: "order_delivered", SurveyID: "nps", Sample: 1}},
		MinGap:  720 * time.Hour,
		Enabled: []surveys.Platform{surveys.Telegram}}
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	store := storage.NewStore(db, jobs)
	a := New(surveys.NewEngine(settings, store, nil), store, Config{Tokens: []string{"old-token-0123456789abcdef", testToken},
		WebhookKey: webhookKey, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	mux := http.NewServeMux()
	a.register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return apiFixture{url: srv.URL, db: db, api: a, store: store}
}

type apiReply struct {
	status int
	header http.Header
	body   map[string]any
}

func (f apiFixture) do(t *testing.T, method, path, body string, header http.Header) apiReply {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %q", method, path, raw)
		}
	}
	return apiReply{status: resp.StatusCode, header: resp.Header, body: m}
}

func errorCode(r apiReply) (code, field string) {
	e, _ := r.body["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

func tpBody(id, customer string, chat int) string {
	return fmt.Sprintf(`{"id":%q,"type":"order_delivered","customer":{"id":%q,"telegram_chat_id":%d}}`, id, customer, chat)
}

func TestAPITouchpointScheduledThenReplayed(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		first := f.do(t, "POST", "/v1/touchpoints", tpBody("evt_1", "cus_1", 11), nil)
		if first.status != http.StatusAccepted {
			t.Fatalf("got %d %v, want 202", first.status, first.body)
		}
		inv := first.body["invitation"].(map[string]any)
		if inv["status"] != "scheduled" || inv["survey"] != "nps" || inv["platform"] != "telegram" {
			t.Fatalf("invitation: got %v", inv)
		}
		// Same event, keys in another order and other spacing: the same request.
		again := f.do(t, "POST", "/v1/touchpoints", `{ "type":"order_delivered", "id":"evt_1",
			"customer":{"telegram_chat_id":11, "id":"cus_1"} }`, nil)
		if again.status != http.StatusAccepted || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: got %d %v, want 202 replayed", again.status, again.header)
		}
		if got := again.body["invitation"].(map[string]any)["id"]; got != inv["id"] {
			t.Fatalf("replay: invitation %v, want %v", got, inv["id"])
		}
		reused := f.do(t, "POST", "/v1/touchpoints", tpBody("evt_1", "cus_2", 12), nil)
		if code, _ := errorCode(reused); reused.status != http.StatusUnprocessableEntity || code != "idempotency_key_reused" {
			t.Fatalf("reused id: got %d %v, want 422 idempotency_key_reused", reused.status, reused.body)
		}
		skipped := f.do(t, "POST", "/v1/touchpoints", tpBody("evt_2", "cus_1", 11), nil)
		sk, _ := skipped.body["skipped"].(map[string]any)
		if skipped.status != http.StatusOK || sk["reason"] != "fatigue" || sk["detail"] == "" {
			t.Fatalf("second survey within the gap: got %d %v, want 200 skipped fatigue", skipped.status, skipped.body)
		}
	})
}

func TestAPIIdempotencyKeyHeader(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		h := http.Header{"Idempotency-Key": {"k-42"}}
		body := `{"type":"order_delivered","customer":{"id":"cus_k","telegram_chat_id":77}}`
		first := f.do(t, "POST", "/v1/touchpoints", body, h)
		again := f.do(t, "POST", "/v1/touchpoints", body, h)
		if first.status != http.StatusAccepted || again.status != http.StatusAccepted || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("got %d then %d (%v), want 202 then a 202 replay", first.status, again.status, again.header)
		}
		other := f.do(t, "POST", "/v1/touchpoints", `{"type":"order_delivered","customer":{"id":"cus_other","telegram_chat_id":78}}`, h)
		if code, _ := errorCode(other); other.status != http.StatusUnprocessableEntity || code != "idempotency_key_reused" {
			t.Fatalf("key with another body: got %d %v, want 422 idempotency_key_reused", other.status, other.body)
		}
	})
}

func TestAPIErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t, storage.SQLite)
	f := newAPIFixture(t, db, nil)
	huge := `{"type":"order_delivered","customer":{"id":"c"},"attributes":{"x":"` + strings.Repeat("a", 1<<20) + `"}}`
	cases := []struct {
		name       string
		path, body string
		header     http.Header
		status     int
		code       string
		field      string
	}{
		{"malformed JSON", "/v1/touchpoints", `{"type":`, nil, 400, "malformed_json", ""},
		{"not an object", "/v1/touchpoints", `[1,2]`, nil, 400, "malformed_json", ""},
		{"unknown field", "/v1/touchpoints", `{"type":"order_delivered","custmer":{}}`, nil, 422, "invalid", "custmer"},
		{"unknown survey", "/v1/touchpoints", `{"type":"x","survey":"nope","customer":{"id":"c1"}}`, nil, 422, "invalid", "survey"},
		{"missing customer id", "/v1/touchpoints", `{"type":"order_delivered","customer":{}}`, nil, 422, "invalid", "customer.id"},
		{"bad time zone", "/v1/touchpoints", `{"type":"order_delivered","customer":{"id":"c","timezone":"Mars/Olympus"}}`, nil, 422, "invalid", "customer.timezone"},
		{"bad occurred_at", "/v1/touchpoints", `{"type":"order_delivered","occurred_at":"yesterday","customer":{"id":"c"}}`, nil, 422, "invalid", "occurred_at"},
		{"wrong type", "/v1/touchpoints", `{"type":7,"customer":{"id":"c"}}`, nil, 422, "invalid", "type"},
		{"too large", "/v1/touchpoints", huge, nil, 413, "body_too_large", ""},
		{"bad idempotency key", "/v1/touchpoints", tpBody("e", "c", 1), http.Header{"Idempotency-Key": {"has space"}}, 400, "invalid_idempotency_key", "Idempotency-Key"},
		{"empty batch", "/v1/touchpoints/batch", `{"touchpoints":[]}`, nil, 422, "invalid", "touchpoints"},
		{"unknown route", "/v1/nothing", ``, nil, 404, "not_found", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, "POST", c.path, c.body, c.header)
			code, field := errorCode(r)
			if r.status != c.status || code != c.code || field != c.field {
				t.Fatalf("got %d %s %q, want %d %s %q (%v)", r.status, code, field, c.status, c.code, c.field, r.body)
			}
			if msg, _ := r.body["error"].(map[string]any)["message"].(string); len(msg) < 10 {
				t.Fatalf("message %q does not say what to fix", msg)
			}
		})
	}
	if n := countRows(t, db, "SELECT count(*) FROM touchpoints"); n != 0 {
		t.Fatalf("touchpoints stored from bad requests: %d", n)
	}
}

func TestAPIAuth(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t, storagetest.Open(t, storage.SQLite), nil)
	for _, auth := range []string{"", "Bearer ", "Bearer wrong-token-0123456789", "Basic dXNlcjpwYXNz"} {
		req, _ := http.NewRequest("POST", f.url+"/v1/touchpoints", strings.NewReader(tpBody("a", "b", 1)))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: got %d, want 401 with WWW-Authenticate", auth, resp.StatusCode)
		}
	}
	// The previous token still works during rotation.
	req, _ := http.NewRequest("POST", f.url+"/v1/touchpoints", strings.NewReader(tpBody("rot", "cus_rot", 5)))
	req.Header.Set("Authorization", "Bearer old-token-0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("rotated token: got %d, want 202", resp.StatusCode)
	}
}

func TestAPIWebhookSignature(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	f := newAPIFixture(t, storagetest.Open(t, storage.SQLite), key)
	body := tpBody("wh_1", "cus_wh", 99)
	now := time.Now()
	forged := signWebhook([]byte("another key of the same length!!"), "msg_1", now, []byte(body))
	stale := signWebhook(key, "msg_1", now.Add(-10*time.Minute), []byte(body))
	for name, h := range map[string]http.Header{"missing": nil, "forged": forged, "stale": stale} {
		r := f.do(t, "POST", "/v1/touchpoints", body, h)
		if code, _ := errorCode(r); r.status != http.StatusUnauthorized || code != "invalid_signature" {
			t.Errorf("%s signature: got %d %v, want 401 invalid_signature", name, r.status, r.body)
		}
	}
	good := f.do(t, "POST", "/v1/touchpoints", body, signWebhook(key, "msg_1", now, []byte(body)))
	if good.status != http.StatusAccepted {
		t.Fatalf("valid signature: got %d %v, want 202", good.status, good.body)
	}
	// The sender's retry (same webhook-id) is recognized even without an event id.
	noID := `{"type":"order_delivered","customer":{"id":"cus_wh2","telegram_chat_id":98}}`
	r1 := f.do(t, "POST", "/v1/touchpoints", noID, signWebhook(key, "msg_2", now, []byte(noID)))
	r2 := f.do(t, "POST", "/v1/touchpoints", noID, signWebhook(key, "msg_2", now.Add(time.Second), []byte(noID)))
	if r1.status != http.StatusAccepted || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("webhook retry: got %d then %d %v, want the retry replayed", r1.status, r2.status, r2.header)
	}
}

func TestAPIBatch(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		body := `{"touchpoints":[` + tpBody("b1", "cus_b1", 1) + `,` + `{"type":"order_delivered","customer":{}}` + `,` +
			tpBody("b2", "cus_b1", 1) + `,` + `{"bogus":true}` + `]}`
		r := f.do(t, "POST", "/v1/touchpoints/batch", body, nil)
		if r.status != http.StatusOK {
			t.Fatalf("got %d %v", r.status, r.body)
		}
		results := r.body["results"].([]any)
		want := []float64{202, 422, 200, 422}
		if len(results) != len(want) {
			t.Fatalf("results: got %d, want %d", len(results), len(want))
		}
		for i, w := range want {
			item := results[i].(map[string]any)
			if item["status"] != w || item["index"] != float64(i) {
				t.Errorf("item %d: got %v, want status %v", i, item, w)
			}
		}
	})
}

func TestAPILinks(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t, storagetest.Open(t, storage.SQLite), nil)
	r := f.do(t, "POST", "/v1/customers/cus_7/links", ``, nil)
	if code, _ := errorCode(r); r.status != http.StatusConflict || code != "telegram_not_configured" {
		t.Fatalf("without Telegram: got %d %v, want 409 telegram_not_configured", r.status, r.body)
	}
	f.api.linkBot = "acme_bot"
	r = f.do(t, "POST", "/v1/customers/cus_7/links", ``, nil)
	link, _ := r.body["telegram_url"].(string)
	if r.status != http.StatusCreated || !strings.HasPrefix(link, "https://t.me/acme_bot?start=") || r.body["expires_at"] == nil {
		t.Fatalf("got %d %v, want 201 with a t.me link", r.status, r.body)
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t, storagetest.Open(t, storage.SQLite), nil)
	resp, err := http.Get(f.url + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	// Walk the real router: every route it serves is documented, and every
	// documented operation is served (a removed route fails too).
	served := map[string]bool{}
	for _, rt := range f.api.routes() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			continue // the catch-all under /v1/ answers not_found
		}
		served[method+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("openapi.json lacks %s", rt.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if m := strings.ToUpper(method); m == "GET" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" {
				if !served[m+" "+path] {
					t.Errorf("openapi.json documents %s %s, which no route serves", m, path)
				}
			}
		}
	}
	for _, route := range []string{"POST /v1/touchpoints", "POST /v1/touchpoints/batch", "POST /v1/customers/{id}/links", "GET /v1/openapi.json",
		"GET /v1/responses", "GET /v1/scores", "GET /v1/audit", "DELETE /v1/customers/{id}"} {
		if !served[route] {
			t.Errorf("the router no longer serves %s", route)
		}
	}
}

// Acceptance: 10,000 touchpoints posted concurrently, 10% of them sent
// twice, give exactly one invitation per customer and every duplicate the
// same answer. The full 10,000 take a minute or more on two cores, so they
// run only with VOCBOT_LONG_TESTS=1 and without the race detector (which
// checks the concurrency, not the volume); otherwise 300 touchpoints check
// the same rules. .ci/run sets VOCBOT_LONG_TESTS=1.
func TestAPIConcurrentIngestionAcceptance(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("acceptance load test")
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		n := 10000
		if raceEnabled || os.Getenv("VOCBOT_LONG_TESTS") != "1" {
			n = 300
			t.Logf("%d touchpoints; VOCBOT_LONG_TESTS=1 without -race posts the full 10,000", n)
		}
		f := newAPIFixture(t, db, nil)
		type job struct{ i int }
		work := make(chan job)
		var mu sync.Mutex
		seen := map[int]float64{} // customer → invitation id
		var wg sync.WaitGroup
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
		for range 32 {
			wg.Go(func() {
				for j := range work {
					body := tpBody(fmt.Sprintf("load_%d", j.i), fmt.Sprintf("cus_load_%d", j.i), 100000+j.i)
					req, _ := http.NewRequestWithContext(context.Background(), "POST", f.url+"/v1/touchpoints", bytes.NewReader([]byte(body)))
					req.Header.Set("Authorization", "Bearer "+testToken)
					resp, err := client.Do(req)
					if err != nil {
						t.Error(err)
						continue
					}
					var out struct {
						Invitation struct {
							ID     float64 `json:"id"`
							Status string  `json:"status"`
						} `json:"invitation"`
					}
					err = json.NewDecoder(resp.Body).Decode(&out)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusAccepted || out.Invitation.Status != "scheduled" {
						t.Errorf("touchpoint %d: %d %+v %v", j.i, resp.StatusCode, out, err)
						continue
					}
					mu.Lock()
					if prev, ok := seen[j.i]; ok && prev != out.Invitation.ID {
						t.Errorf("customer %d: invitations %v and %v", j.i, prev, out.Invitation.ID)
					}
					seen[j.i] = out.Invitation.ID
					mu.Unlock()
				}
			})
		}
		for i := range n {
			work <- job{i}
			if i%10 == 0 {
				work <- job{i} // the 10% sent twice
			}
		}
		close(work)
		wg.Wait()
		invitations := countRows(t, db, "SELECT count(*) FROM invitations WHERE status = 'scheduled'")
		jobs := countRows(t, db, "SELECT count(*) FROM river_job WHERE kind = 'send_survey'")
		if invitations != n || jobs != n || len(seen) != n {
			t.Fatalf("got %d invitations, %d jobs, %d customers answered; want %d each", invitations, jobs, len(seen), n)
		}
	})
}

func countRows(t *testing.T, db *storage.DB, query string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
