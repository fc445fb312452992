package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// storedTables are the tables a request to /v1 may write; a rejected
// request must leave every one as it was.
var storedTables = []string{"customers", "identities", "touchpoints", "idempotency_keys", "invitations", "link_tokens", "audit_log"}

func (f apiFixture) rowCounts(t *testing.T) map[string]int {
	t.Helper()
	m := make(map[string]int, len(storedTables))
	for _, tbl := range storedTables {
		m[tbl] = countRows(t, f.db, "SELECT count(*) FROM "+tbl)
	}
	return m
}

func (f apiFixture) wantUnchanged(t *testing.T, before map[string]int, what string) {
	t.Helper()
	after := f.rowCounts(t)
	for _, tbl := range storedTables {
		if after[tbl] != before[tbl] {
			t.Errorf("%s: %s went from %d to %d rows; a rejected request must store nothing", what, tbl, before[tbl], after[tbl])
		}
	}
}

// raw sends a request with the body and path exactly as given.
func (f apiFixture) raw(t *testing.T, method, path string, body []byte, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, bytes.NewReader(body))
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
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// hostileTouchpoint is a valid touchpoint with the JSON string at one place
// replaced by lit, a JSON string literal written out byte for byte (so it
// may hold raw invalid UTF-8 that encoding/json would not produce).
func hostileTouchpoint(n int, field, lit string) string {
	v := map[string]string{
		"id": fmt.Sprintf(`"h_%d"`, n), "type": `"order_delivered"`, "occurred_at": `"2026-11-22T10:00:00Z"`, "survey": `"nps"`,
		"customer.id": fmt.Sprintf(`"cus_h%d"`, n), "customer.name": `"Dana"`, "customer.locale": `"he"`, "customer.timezone": `"Asia/Jerusalem"`,
		"customer.slack_user_id": `"U0123ABC"`, "customer.discord_user_id": `"812345678901234567"`, "attributes.key": `"agent"`, "attributes.value": `"yossi"`,
	}
	v[field] = lit
	return `{"id":` + v["id"] + `,"type":` + v["type"] + `,"occurred_at":` + v["occurred_at"] + `,"survey":` + v["survey"] +
		`,"customer":{"id":` + v["customer.id"] + `,"name":` + v["customer.name"] + `,"locale":` + v["customer.locale"] +
		`,"timezone":` + v["customer.timezone"] + `,"telegram_chat_id":4242,"slack_user_id":` + v["customer.slack_user_id"] +
		`,"discord_user_id":` + v["customer.discord_user_id"] + `},"attributes":{` + v["attributes.key"] + `:` + v["attributes.value"] + `}}`
}

var hostileFields = []string{"id", "type", "occurred_at", "survey", "customer.id", "customer.name", "customer.locale", "customer.timezone",
	"customer.slack_user_id", "customer.discord_user_id", "attributes.key", "attributes.value"}

// hostileStrings are JSON string literals: broken text first (always
// refused), then text that is only odd (SQL, markup), which may be stored
// as written.
var hostileStrings = []struct {
	name, lit string
	broken    bool
}{
	{"NUL", `"a\u0000b"`, true},
	{"raw invalid UTF-8", "\"a\xffb\"", true},
	{"overlong UTF-8", "\"\xc0\xaf\"", true},
	{"lone surrogate escape", `"\ud800"`, false},
	{"SQL", `"x'); DROP TABLE customers;--"`, false},
	{"markup", `"<script>alert(1)</script>{{.}}${jndi:ldap://x}"`, false},
	{"900 KB", `"` + strings.Repeat("A", 900_000) + `"`, false},
}

// checkReply fails on a 5xx, on Go's internals in the body, and on an
// error that echoes a long input back whole.
func checkReply(t *testing.T, what string, status int, body []byte) {
	t.Helper()
	if status >= 500 {
		t.Errorf("%s: status %d: %.300s", what, status, body)
	}
	if leaksGo(string(body)) {
		t.Errorf("%s: the reply shows Go internals: %.300s", what, body)
	}
	if status >= 400 && len(body) > 4096 {
		t.Errorf("%s: a %d-byte error reply; quoted input must be cut short", what, len(body))
	}
	if len(body) > 0 && !json.Valid(body) {
		t.Errorf("%s: the reply is not JSON: %.300s", what, body)
	}
}

// TestAPIHostileInput sends every /v1 route input meant to break it: text
// the database cannot hold, SQL and markup, oversized and deeply nested
// bodies, bad paths and queries, forged signatures. Nothing gives a 5xx,
// nothing rejected is stored, no reply shows Go's type names.
func TestAPIHostileInput(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		f.api.linkBot = "acme_bot"
		if r := f.do(t, "POST", "/v1/touchpoints", tpBody("seed", "cus_seed", 4243), nil); r.status != http.StatusAccepted {
			t.Fatalf("seed: %d %v", r.status, r.body)
		}

		// Every text field of a touchpoint, alone and in a batch.
		n := 0
		for _, field := range hostileFields {
			for _, h := range hostileStrings {
				lit := h.lit
				if field == "attributes.key" && len(lit) > 1000 {
					continue // a long key is the same as a long value here
				}
				n++
				what := fmt.Sprintf("%s in %s", h.name, field)
				body := hostileTouchpoint(n, field, lit)
				before := f.rowCounts(t)
				status, reply := f.raw(t, "POST", "/v1/touchpoints", []byte(body), nil)
				checkReply(t, what, status, reply)
				if h.broken {
					if status != http.StatusUnprocessableEntity {
						t.Errorf("%s: status %d, want 422: %.300s", what, status, reply)
					}
					if want := strings.TrimSuffix(strings.TrimSuffix(field, ".key"), ".value"); !bytes.Contains(reply, []byte(`"field":"`+want)) {
						t.Errorf("%s: the error does not name %s: %.300s", what, want, reply)
					}
				}
				if status >= 400 {
					f.wantUnchanged(t, before, what)
				}

				n++
				before = f.rowCounts(t)
				batch := `{"touchpoints":[` + hostileTouchpoint(n, field, lit) + `]}`
				status, reply = f.raw(t, "POST", "/v1/touchpoints/batch", []byte(batch), nil)
				checkReply(t, "batch: "+what, status, reply)
				if h.broken {
					var res struct{ Results []struct{ Status int } }
					_ = json.Unmarshal(reply, &res)
					if status != http.StatusOK || len(res.Results) != 1 || res.Results[0].Status != http.StatusUnprocessableEntity {
						t.Errorf("batch: %s: %d %.300s, want 200 with the item 422", what, status, reply)
					}
					f.wantUnchanged(t, before, "batch: "+what)
				}
			}
		}

		// Bodies no route can take.
		deepArray := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
		deepObject := strings.Repeat(`{"customer":`, 20_000) + "1" + strings.Repeat("}", 20_000)
		bodies := map[string]string{
			"oversized":          `{"touchpoints":[` + strings.Repeat(" ", MaxBody) + `]}`,
			"deep array":         deepArray,
			"deep object":        deepObject,
			"deep attributes":    `{"type":"a","customer":{"id":"c"},"attributes":{"x":` + deepArray + `}}`,
			"NUL byte":           "{\"type\":\"a\x00\"}",
			"invalid UTF-8":      "\xff\xfe{}",
			"huge number":        `{"type":"a","customer":{"id":"c","telegram_chat_id":1` + strings.Repeat("0", 5000) + `}}`,
			"number for string":  `{"type":1e999,"customer":{"id":"c"}}`,
			"batch of non-items": `{"touchpoints":[1,"x",null,[],{}]}`,
			"batch not an array": `{"touchpoints":{"a":1}}`,
			"empty":              ``,
			"garbage":            `'; DROP TABLE touchpoints;--`,
		}
		for _, rt := range f.api.routes() {
			method, path, ok := strings.Cut(rt.pattern, " ")
			if !ok {
				method, path = "GET", "/v1/nope"
			}
			path = strings.ReplaceAll(path, "{id}", "cus_seed_missing")
			for name, body := range bodies {
				what := rt.pattern + " with " + name + " body"
				before := f.rowCounts(t)
				status, reply := f.raw(t, method, path, []byte(body), nil)
				checkReply(t, what, status, reply)
				if status >= 400 || strings.HasSuffix(path, "/batch") {
					f.wantUnchanged(t, before, what)
				}
			}
		}

		// Paths and queries.
		ids := []string{"%00", "a%00b", "%FF", "%C0%AF", url.PathEscape("'; DROP TABLE customers;--"), url.PathEscape("<script>"),
			strings.Repeat("c", 100_000), "cus%01", "cus%0A42", "..%2F..%2Fetc"}
		values := []string{"%00", "%FF", "%zz", url.QueryEscape("' OR 1=1 --"), url.QueryEscape("<b>x</b>"), strings.Repeat("9", 10_000), "-1", "1e999"}
		var urls []string
		for _, id := range ids {
			urls = append(urls, "POST /v1/customers/"+id+"/links", "DELETE /v1/customers/"+id)
		}
		for _, p := range []string{"GET /v1/responses", "GET /v1/scores", "GET /v1/audit"} {
			for _, param := range []string{"survey", "since", "until", "limit", "cursor", "actor", "window", "by", "%00"} {
				for _, v := range values {
					urls = append(urls, p+"?"+param+"="+v)
				}
			}
		}
		urls = append(urls, "GET /v1/%00", "GET /v1/touchpoints%FF")
		for _, u := range urls {
			method, path, _ := strings.Cut(u, " ")
			before := f.rowCounts(t)
			status, reply := f.raw(t, method, path, nil, nil)
			checkReply(t, fmt.Sprintf("%.100s", u), status, reply)
			if status >= 400 {
				f.wantUnchanged(t, before, fmt.Sprintf("%.100s", u))
			}
		}

		// Forged and broken signatures, with VOCBOT_WEBHOOK_SECRET set.
		key := []byte("0123456789abcdef0123456789abcdef")
		signed := newAPIFixture(t, db, key)
		now := time.Now()
		body := []byte(tpBody("sig_1", "cus_sig", 4244))
		forged := map[string]http.Header{
			"none":           {},
			"wrong key":      signWebhook([]byte("fedcba9876543210fedcba9876543210"), "msg_f", now, body),
			"stale":          signWebhook(key, "msg_f", now.Add(-time.Hour), body),
			"other body":     signWebhook(key, "msg_f", now, []byte(tpBody("sig_2", "cus_sig", 4244))),
			"garbage":        {"Webhook-Id": {"msg_f"}, "Webhook-Timestamp": {"x"}, "Webhook-Signature": {"v1,!!!"}},
			"many sigs":      {"Webhook-Id": {"msg_f"}, "Webhook-Timestamp": {fmt.Sprint(now.Unix())}, "Webhook-Signature": {strings.Repeat("v1,AAAA ", 5000)}},
			"binary id":      signWebhook(key, "msg\xff\xfe", now, body),
			"huge timestamp": {"Webhook-Id": {"msg_f"}, "Webhook-Timestamp": {strings.Repeat("9", 400)}, "Webhook-Signature": {"v1,AAAA"}},
		}
		for name, h := range forged {
			for _, path := range []string{"/v1/touchpoints", "/v1/touchpoints/batch"} {
				b := body
				if strings.HasSuffix(path, "batch") {
					b = []byte(`{"touchpoints":[` + string(body) + `]}`)
				}
				before := signed.rowCounts(t)
				status, reply := signed.raw(t, "POST", path, b, h)
				checkReply(t, path+" signed "+name, status, reply)
				if status != http.StatusUnauthorized {
					t.Errorf("%s signed %s: status %d, want 401: %.300s", path, name, status, reply)
				}
				signed.wantUnchanged(t, before, path+" signed "+name)
			}
		}
		// The tables are all still there.
		f.rowCounts(t)
	})
}

func batchStatuses(t *testing.T, r apiReply) []float64 {
	t.Helper()
	items, _ := r.body["results"].([]any)
	var out []float64
	for _, it := range items {
		out = append(out, it.(map[string]any)["status"].(float64))
	}
	return out
}

// One item with a NUL fails alone, with a 422 naming its field; the others
// are stored; nothing of the bad item is.
func TestAPIBatchItemWithNULFailsAlone(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		bad := `{"id":"n2","type":"order_delivered","customer":{"id":"cus_n2","name":"Da\u0000na","telegram_chat_id":502}}`
		body := `{"touchpoints":[` + tpBody("n1", "cus_n1", 501) + `,` + bad + `,` + tpBody("n3", "cus_n3", 503) + `]}`
		r := f.do(t, "POST", "/v1/touchpoints/batch", body, nil)
		if got := batchStatuses(t, r); r.status != http.StatusOK || fmt.Sprint(got) != "[202 422 202]" {
			t.Fatalf("got %d %v, want 200 with [202 422 202]", r.status, r.body)
		}
		e := r.body["results"].([]any)[1].(map[string]any)["error"].(map[string]any)
		if e["field"] != "customer.name" || !strings.Contains(e["message"].(string), "NUL") {
			t.Errorf("item error %v, want customer.name and NUL", e)
		}
		if n := countRows(t, db, `SELECT count(*) FROM customers WHERE external_id = 'cus_n2'`); n != 0 {
			t.Errorf("the bad item's customer was stored")
		}
		if n := countRows(t, db, `SELECT count(*) FROM touchpoints`); n != 2 {
			t.Errorf("%d touchpoints stored, want the 2 good ones", n)
		}
	})
}

// A signed batch replayed inside the signature window is one request: the
// first result comes back, items without an id are not stored twice, and
// the same webhook-id with another body is refused.
func TestAPISignedBatchReplayIsIdempotent(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		key := []byte("0123456789abcdef0123456789abcdef")
		f := newAPIFixture(t, db, key)
		now := time.Now()
		noIDs := `{"touchpoints":[{"type":"order_delivered","customer":{"id":"cus_w1","telegram_chat_id":601}},` +
			`{"type":"order_delivered","customer":{"id":"cus_w2","telegram_chat_id":602}},` +
			`{"type":"order_delivered","customer":{"id":"cus_w3","telegram_chat_id":-603}},` + tpBody("w_id", "cus_w4", 604) + `]}`
		first := f.do(t, "POST", "/v1/touchpoints/batch", noIDs, signWebhook(key, "msg_b1", now, []byte(noIDs)))
		if got := batchStatuses(t, first); first.status != http.StatusOK || fmt.Sprint(got) != "[202 202 422 202]" {
			t.Fatalf("first: %d %v, want [202 202 422 202]", first.status, first.body)
		}
		// The sender retries with the same id and body, signed a second later.
		again := f.do(t, "POST", "/v1/touchpoints/batch", noIDs, signWebhook(key, "msg_b1", now.Add(time.Second), []byte(noIDs)))
		if got := batchStatuses(t, again); again.status != http.StatusOK || fmt.Sprint(got) != "[202 202 422 202]" || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %v %v, want the first result, replayed", again.status, again.header, again.body)
		}
		for _, i := range []int{0, 1, 3} {
			a := first.body["results"].([]any)[i].(map[string]any)["invitation"].(map[string]any)["id"]
			b := again.body["results"].([]any)[i].(map[string]any)["invitation"].(map[string]any)["id"]
			if a != b {
				t.Errorf("item %d: invitation %v on replay, want %v", i, b, a)
			}
		}
		if n := countRows(t, db, `SELECT count(*) FROM touchpoints`); n != 3 {
			t.Errorf("%d touchpoints after the replay, want 3", n)
		}
		other := `{"touchpoints":[{"type":"order_delivered","customer":{"id":"cus_w9","telegram_chat_id":609}}]}`
		reused := f.do(t, "POST", "/v1/touchpoints/batch", other, signWebhook(key, "msg_b1", now, []byte(other)))
		if code, _ := errorCode(reused); reused.status != http.StatusUnprocessableEntity || code != "idempotency_key_reused" {
			t.Fatalf("another body under the same webhook-id: %d %v, want 422 idempotency_key_reused", reused.status, reused.body)
		}
		// A single touchpoint under the batch's webhook-id is another body too.
		single := tpBody("w_single", "cus_w8", 608)
		reused = f.do(t, "POST", "/v1/touchpoints", single, signWebhook(key, "msg_b1", now, []byte(single)))
		if code, _ := errorCode(reused); reused.status != http.StatusUnprocessableEntity || code != "idempotency_key_reused" {
			t.Fatalf("a single touchpoint under the batch's webhook-id: %d %v, want 422 idempotency_key_reused", reused.status, reused.body)
		}
		// And a single touchpoint's webhook-id, replayed with another body.
		first1 := f.do(t, "POST", "/v1/touchpoints", single, signWebhook(key, "msg_s1", now, []byte(single)))
		other1 := tpBody("w_single2", "cus_w7", 607)
		reused = f.do(t, "POST", "/v1/touchpoints", other1, signWebhook(key, "msg_s1", now, []byte(other1)))
		if code, _ := errorCode(reused); first1.status != http.StatusAccepted || reused.status != http.StatusUnprocessableEntity || code != "idempotency_key_reused" {
			t.Fatalf("single: %d then %d %v, want 202 then 422 idempotency_key_reused", first1.status, reused.status, reused.body)
		}
		if n := countRows(t, db, `SELECT count(*) FROM touchpoints`); n != 4 {
			t.Errorf("%d touchpoints, want 4", n)
		}
	})
}

// POST /v1/customers/{id}/links and DELETE /v1/customers/{id} take the same
// customer ids as touchpoints: anything else is 422, nothing is created.
func TestAPICustomerIDRulesOnEveryRoute(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		f.api.linkBot = "acme_bot"
		for _, id := range []string{strings.Repeat("c", 100_000), "cus%01", "cus%0A42", "a%20b", url.PathEscape("<script>"), strings.Repeat("9", 129)} {
			for _, method := range []string{"POST", "DELETE"} {
				path := "/v1/customers/" + id
				if method == "POST" {
					path += "/links"
				}
				r := f.do(t, method, path, ``, nil)
				code, field := errorCode(r)
				msg, _ := r.body["error"].(map[string]any)["message"].(string)
				if r.status != http.StatusUnprocessableEntity || code != "invalid" || field != "id" || len(msg) > 300 {
					t.Errorf("%s %.40s…: %d %.300v, want a short 422 on id", method, id, r.status, r.body)
				}
			}
		}
		if n := countRows(t, db, `SELECT count(*) FROM customers`); n != 0 {
			t.Errorf("%d customers created by refused requests", n)
		}
		// A valid id is linked ahead of its first touchpoint, as before.
		if r := f.do(t, "POST", "/v1/customers/cus_new/links", ``, nil); r.status != http.StatusCreated {
			t.Errorf("a new customer's link: %d %v, want 201", r.status, r.body)
		}
		if r := f.do(t, "DELETE", "/v1/customers/cus_unknown", ``, nil); r.status != http.StatusNotFound {
			t.Errorf("erasing an unknown customer: %d %v, want 404", r.status, r.body)
		}
	})
}

func TestAPIBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t, storagetest.Open(t, storage.SQLite), nil)
	for _, h := range []string{"bearer " + testToken, "BEARER " + testToken, "Bearer   " + testToken, " Bearer " + testToken} {
		r := f.do(t, "GET", "/v1/audit", ``, http.Header{"Authorization": {h}})
		if r.status != http.StatusOK {
			t.Errorf("Authorization %q: %d %v, want 200", strings.Replace(h, testToken, "<token>", 1), r.status, r.body)
		}
	}
	for _, h := range []string{"Basic " + testToken, "Bearer", "Bearer ", testToken, "Bearertest-token"} {
		r := f.do(t, "GET", "/v1/audit", ``, http.Header{"Authorization": {h}})
		if r.status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", strings.Replace(h, testToken, "<token>", 1), r.status)
		}
	}
}

// Group chats (negative ids) and 0 are not survey recipients.
func TestAPIRefusesGroupChats(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t, storagetest.Open(t, storage.SQLite), nil)
	for _, chat := range []int{-1001234567890, -5, 0} {
		r := f.do(t, "POST", "/v1/touchpoints", tpBody(fmt.Sprint("g", chat), "cus_g", chat), nil)
		if _, field := errorCode(r); r.status != http.StatusUnprocessableEntity || field != "customer.telegram_chat_id" {
			t.Errorf("chat %d: %d %v, want 422 on customer.telegram_chat_id", chat, r.status, r.body)
		}
	}
	if n := countRows(t, f.db, `SELECT count(*) FROM customers`); n != 0 {
		t.Errorf("%d customers stored", n)
	}
}

// Type errors name the field and JSON's types, never Go's.
func TestAPITypeErrorsNameTheField(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t, storagetest.Open(t, storage.SQLite), nil)
	tests := []struct{ body, field, msg string }{
		{`{"type":"order_delivered","customer":{"id":"c","name":5}}`, "customer.name", "customer.name: expected a string, got a number"},
		{`{"type":"order_delivered","customer":{"id":"c","telegram_chat_id":"abc"}}`, "customer.telegram_chat_id", "expected a number"},
		{`{"type":"order_delivered","customer":[]}`, "customer", "customer: expected an object, got an array"},
	}
	for _, tt := range tests {
		r := f.do(t, "POST", "/v1/touchpoints", tt.body, nil)
		_, field := errorCode(r)
		msg, _ := r.body["error"].(map[string]any)["message"].(string)
		if r.status != http.StatusUnprocessableEntity || field != tt.field || !strings.Contains(msg, tt.msg) || leaksGo(msg) {
			t.Errorf("%s: %d %q %q, want 422 %q with %q", tt.body, r.status, field, msg, tt.field, tt.msg)
		}
	}
	r := f.do(t, "POST", "/v1/touchpoints/batch", `{"touchpoints":5}`, nil)
	if _, field := errorCode(r); r.status != http.StatusUnprocessableEntity || field != "touchpoints" {
		t.Errorf("batch: %d %v, want 422 on touchpoints", r.status, r.body)
	}
}
