package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// hostile sends forged, replayed, oversized, deeply nested, NUL-laden,
// invalid UTF-8, SQL-ish and markup-ish requests to every inbound route of
// a vocbot that has all of them on (signed touchpoints, Telegram webhook,
// Slack over HTTP), on each engine. Expected: never a 5xx; forged, stale and
// replayed-with-another-body requests get 401; nothing from a rejected
// request is stored; no configured secret in any answer.
func hostile(ctx context.Context, s *suite) {
	var wg sync.WaitGroup
	for _, e := range s.engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := hostileOn(ctx, s, e); err != nil {
				s.table.Fail("hostile", string(e), err)
			}
		}()
	}
	wg.Wait()
}

// expectation is what a hostile request may be answered with.
type expectation int

const (
	want401   expectation = iota // an authentication failure
	want4xx                      // refused as bad input
	want2xx                      // accepted (odd but valid input)
	wantNo5xx                    // accepted or refused, but never a server error
)

func (e expectation) String() string {
	return [...]string{"401", "4xx", "2xx", "not 5xx"}[e]
}

func (e expectation) ok(code int) bool {
	switch e {
	case want401:
		return code == http.StatusUnauthorized
	case want4xx:
		return code >= 400 && code < 500
	case want2xx:
		return code >= 200 && code < 300
	default:
		return code > 0 && code < 500
	}
}

// attack is one hostile request.
type attack struct {
	group  string // route family in the table
	name   string
	method string
	path   string
	header http.Header
	body   []byte
	want   expectation
	// rejected requests carry a marker (rejMARK…) that must never be stored.
	rejected bool
	// pause before sending: Slack allows the bot's replies in one DM about
	// once a second, so events that get a reply are spaced out (a burst
	// has its own case).
	pause time.Duration
}

// sqlish and markup strings go into every text field of accepted requests.
var hostileStrings = []string{
	`'; DROP TABLE touchpoints; --`,
	`" OR "1"="1`,
	`1); DELETE FROM customers WHERE (1=1`,
	`$$; SELECT pg_sleep(30); $$`,
	`<script>alert(1)</script>`,
	`<b>bold</b> <a href="javascript:x">x</a> <!channel> <@U0BENCH000> *b* _i_`,
	`{{.}} ${jndi:ldap://x/a} %s%n%x`,
	"\u202eRTL override \u202d \u200b zero width",
}

func hostileOn(ctx context.Context, s *suite, e harness.Engine) error {
	engine := string(e)
	name := "hostile-" + engine
	var c cleanup
	defer c.run()
	db, err := s.database(ctx, e, name)
	if err != nil {
		return err
	}
	if e == harness.Postgres {
		c.add(func() { _ = db.Drop(context.Background()) })
	}
	f, err := s.fakes(ctx, name)
	if err != nil {
		return err
	}
	c.add(f.Kill)
	if err := f.AddTelegramUsers(ctx, []int64{4_000_001, 4_000_002}, "en", false); err != nil {
		return err
	}
	// The Slack user the events come from, and their DM, exist: replies work.
	if err := f.AddSlackUsers(ctx, []string{"U0BENCH000"}); err != nil {
		return err
	}
	if err := f.AddSlackChannels(ctx, []string{harness.SlackDM("U0BENCH000")}); err != nil {
		return err
	}
	addr, err := harness.FreeAddr()
	if err != nil {
		return err
	}
	env := s.vocbotEnv(db, f, platforms{webhook: true, slack: true, signed: true})
	env["VOCBOT_HTTP_ADDR"] = addr
	env["VOCBOT_PUBLIC_URL"] = "http://" + addr
	v, err := s.vocbot(ctx, name+"/vocbot", env)
	if err != nil {
		return err
	}
	c.add(func() { _ = v.Stop(15 * time.Second) })
	if err := v.WaitReady(ctx, 90*time.Second); err != nil {
		return err
	}

	mk := &markers{}
	attacks := touchpointAttacks(mk)
	attacks = append(attacks, telegramAttacks(mk)...)
	attacks = append(attacks, slackAttacks(mk)...)
	attacks = append(attacks, otherAttacks()...)

	type outcome struct {
		a    attack
		code int
		body string
		err  error
	}
	var results []outcome
	var answers strings.Builder
	client := &http.Client{Timeout: 30 * time.Second}
	for _, a := range attacks {
		time.Sleep(a.pause)
		req, err := http.NewRequestWithContext(ctx, a.method, v.URL+a.path, bytes.NewReader(a.body))
		if err != nil {
			results = append(results, outcome{a: a, err: err})
			continue
		}
		for k, vs := range a.header {
			req.Header[k] = vs
		}
		resp, err := client.Do(req)
		if err != nil {
			results = append(results, outcome{a: a, err: err})
			continue
		}
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		answers.WriteString(b.String())
		for k, vs := range resp.Header {
			answers.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		results = append(results, outcome{a: a, code: resp.StatusCode, body: b.String()})
	}

	groups := []string{}
	byGroup := map[string][]outcome{}
	for _, r := range results {
		if _, ok := byGroup[r.a.group]; !ok {
			groups = append(groups, r.a.group)
		}
		byGroup[r.a.group] = append(byGroup[r.a.group], r)
	}
	var fiveXX []string
	for _, g := range groups {
		var bad []string
		for _, r := range byGroup[g] {
			switch {
			case r.err != nil:
				bad = append(bad, fmt.Sprintf("%s: %v", r.a.name, r.err))
			case r.code >= 500:
				fiveXX = append(fiveXX, fmt.Sprintf("%s %s (%s) → %d %s", r.a.method, r.a.path, r.a.name, r.code, clip(r.body, 120)))
				bad = append(bad, fmt.Sprintf("%s: %d, want %s", r.a.name, r.code, r.a.want))
			case !r.a.want.ok(r.code):
				bad = append(bad, fmt.Sprintf("%s: %d, want %s", r.a.name, r.code, r.a.want))
			}
		}
		s.table.Check("hostile: "+g, engine, fmt.Sprintf("%d requests answered as expected (forged/stale → 401, bad input → 4xx, never 5xx)", len(byGroup[g])),
			len(bad) == 0, "%d/%d as expected; %s", len(byGroup[g])-len(bad), len(byGroup[g]), strings.Join(bad, "; "))
	}
	s.table.Check("hostile: 5xx answers", engine, "none", len(fiveXX) == 0, "%d: %s", len(fiveXX), strings.Join(fiveXX, " | "))

	code, body, err := v.API.Get(ctx, "/readyz")
	s.table.Check("hostile: still ready afterwards", engine, "/readyz 200", err == nil && code == http.StatusOK, "%d %s %v", code, clip(string(body), 80), err)

	found := leaks(answers.String())
	s.table.Check("hostile: secrets in API answers", engine, "no configured secret in any answer", len(found) == 0,
		"%d answers, %d bytes scanned; leaked %v", len(results), answers.Len(), found)

	// Give asynchronous handlers (Slack events are acknowledged first) a
	// moment, then look for rejected requests' markers in the database.
	time.Sleep(3 * time.Second)
	if err := v.Stop(15 * time.Second); err != nil {
		s.logf("%s: stop: %v", name, err)
	}
	dump, err := db.Dump(ctx)
	if err != nil {
		return err
	}
	// A request is rejected when it was meant to be (forged, malformed) or
	// when vocbot refused it (4xx, or a 5xx, which says nothing was stored).
	stored := []string{}
	rejected := 0
	for _, r := range results {
		if !r.a.rejected && r.code < 400 {
			continue
		}
		rejected++
		if m := marker(r.a.body); m != "" && strings.Contains(dump, m) {
			stored = append(stored, fmt.Sprintf("%s (%d)", r.a.name, r.code))
		}
	}
	s.table.Check("hostile: nothing stored from rejected requests", engine, fmt.Sprintf("no marker of the %d rejected requests (401, 4xx, 5xx) in any row", rejected),
		len(stored) == 0, "%d rows scanned; stored from: %v", strings.Count(dump, "\n"), stored)
	found = leaks(dump)
	s.table.Check("hostile: secrets in database", engine, "no configured secret in any row", len(found) == 0, "leaked %v", found)
	return nil
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// marker returns the rejMARK… token in a body.
func marker(b []byte) string {
	i := bytes.Index(b, []byte("rejMARK"))
	if i < 0 {
		return ""
	}
	j := i + len("rejMARK")
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	return string(b[i:j])
}

// markers hands out the rejMARK… tokens of one attack list.
type markers struct{ n int }

func (m *markers) next() string {
	m.n++
	return "rejMARK" + strconv.Itoa(1000+m.n)
}

// --- /v1/touchpoints (bearer token + Standard Webhooks signature) ---

func signTouchpoint(body []byte, id string, at time.Time, key string) http.Header {
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "%s.%d.", id, at.Unix())
	mac.Write(body)
	return http.Header{
		"Authorization":     {"Bearer " + apiToken},
		"Content-Type":      {"application/json"},
		"Webhook-Id":        {id},
		"Webhook-Timestamp": {strconv.FormatInt(at.Unix(), 10)},
		"Webhook-Signature": {"v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))},
	}
}

func tpBody(id, name string, extra map[string]any) []byte {
	m := map[string]any{"id": id, "type": "order_delivered", "survey": "nps",
		"customer": map[string]any{"id": "cus_" + id, "name": name, "telegram_chat_id": 4_000_001}}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

func nested(depth int, open, close, inner string) []byte {
	return []byte(strings.Repeat(open, depth) + inner + strings.Repeat(close, depth))
}

func touchpointAttacks(mk *markers) []attack {
	const g = "/v1/touchpoints"
	now := time.Now()
	var out []attack
	add := func(name string, body []byte, h http.Header, want expectation) {
		out = append(out, attack{group: g, name: name, method: "POST", path: "/v1/touchpoints", header: h, body: body, want: want,
			rejected: want == want401 || want == want4xx})
	}
	signed := func(name string, body []byte, want expectation) {
		add(name, body, signTouchpoint(body, "msg_"+name, now, webhookKey), want)
	}
	m := mk.next()
	body := tpBody(m, m, nil)
	add("no auth", body, http.Header{"Content-Type": {"application/json"}}, want401)
	m = mk.next()
	body = tpBody(m, m, nil)
	h := signTouchpoint(body, "msg_wrongtoken", now, webhookKey)
	h.Set("Authorization", "Bearer not-the-token")
	add("wrong bearer token", body, h, want401)
	m = mk.next()
	body = tpBody(m, m, nil)
	add("unsigned", body, http.Header{"Authorization": {"Bearer " + apiToken}, "Content-Type": {"application/json"}}, want401)
	m = mk.next()
	body = tpBody(m, m, nil)
	add("forged signature", body, signTouchpoint(body, "msg_forged", now, "some-other-key-0123456789abcdef"), want401)
	m = mk.next()
	body = tpBody(m, m, nil)
	add("stale timestamp (replay after 10 min)", body, signTouchpoint(body, "msg_stale", now.Add(-10*time.Minute), webhookKey), want401)
	m = mk.next()
	body = tpBody(m, m, nil)
	add("future timestamp", body, signTouchpoint(body, "msg_future", now.Add(10*time.Minute), webhookKey), want401)
	m = mk.next()
	body = tpBody(m, m, nil)
	h = signTouchpoint(body, "msg_tamper", now, webhookKey)
	tampered := tpBody(m, m+"x", nil)
	add("body changed after signing", tampered, h, want401)

	good := tpBody("hostile_ok_1", "Dana", nil)
	gh := signTouchpoint(good, "msg_ok_1", now, webhookKey)
	add("valid signed", good, gh, want2xx)
	add("exact replay within the window (deduplicated)", good, gh, want2xx)
	m = mk.next()
	other := tpBody(m, m, nil)
	add("replayed signature on another body", other, gh, want401)

	m = mk.next()
	big := tpBody(m, m+strings.Repeat("x", 2<<20), nil)
	signed("oversized 2 MiB", big, want4xx)
	m = mk.next()
	signed("nested JSON 100k deep", append([]byte(`{"id":"`+m+`","attributes":`), nested(100000, `{"a":`, `}`, `1`)...), want4xx)
	m = mk.next()
	signed("nested arrays 100k deep", append([]byte(`{"id":"`+m+`","attributes":{"a":`), append(nested(100000, `[`, `]`, ``), '}', '}')...), want4xx)
	signed("empty body", []byte{}, want4xx)
	signed("null", []byte(`null`), want4xx)
	signed("array", []byte(`[]`), want4xx)
	m = mk.next()
	signed("not JSON", []byte("id="+m), want4xx)
	m = mk.next()
	signed("raw NUL byte in JSON", []byte(`{"id":"`+m+"\x00"+`","type":"order_delivered","survey":"nps","customer":{"id":"c","telegram_chat_id":4000001}}`), want4xx)
	m = mk.next()
	signed("invalid UTF-8 in strings", []byte(`{"id":"`+m+"\xff\xfe"+`","type":"order_delivered","survey":"nps","customer":{"id":"c\xc3\x28","name":"\xed\xa0\x80","telegram_chat_id":4000001}}`), wantNo5xx)
	for i, field := range []string{"id", "type", "survey", "customer.id", "customer.name", "customer.locale", "customer.timezone", "attributes"} {
		m = mk.next()
		signed("NUL (\\u0000) in "+field, nulTouchpoint(m, field), wantNo5xx)
		_ = i
	}
	m = mk.next()
	signed("telegram_chat_id as a string", []byte(`{"id":"`+m+`","type":"order_delivered","survey":"nps","customer":{"id":"c","telegram_chat_id":"4000001; DROP TABLE x"}}`), want4xx)
	m = mk.next()
	signed("telegram_chat_id 1e400", []byte(`{"id":"`+m+`","type":"order_delivered","survey":"nps","customer":{"id":"c","telegram_chat_id":1e400}}`), want4xx)
	m = mk.next()
	signed("customer as an array", []byte(`{"id":"`+m+`","type":"order_delivered","survey":"nps","customer":["c"]}`), want4xx)
	m = mk.next()
	signed("unknown survey", []byte(`{"id":"`+m+`","type":"order_delivered","survey":"'; DROP TABLE surveys; --","customer":{"id":"c","telegram_chat_id":4000001}}`), want4xx)
	m = mk.next()
	signed("occurred_at garbage", []byte(`{"id":"`+m+`","type":"order_delivered","occurred_at":"2026-13-45T99:99:99Z","survey":"nps","customer":{"id":"c","telegram_chat_id":4000001}}`), want4xx)
	for i, hs := range hostileStrings {
		id := fmt.Sprintf("hostile_str_%d", i)
		b, _ := json.Marshal(map[string]any{"id": id + hs, "type": "order_delivered", "survey": "nps",
			"customer":   map[string]any{"id": "cus_" + id + hs, "name": hs, "locale": "en", "telegram_chat_id": 4_000_002},
			"attributes": map[string]any{"agent": hs, "channel": hs, hs: hs}})
		signed(fmt.Sprintf("hostile string %d in every field", i), b, wantNo5xx)
	}
	// The batch route signs the same way.
	items := make([]json.RawMessage, 1001)
	for i := range items {
		items[i] = tpBody(fmt.Sprintf("b%d", i), "x", nil)
	}
	m = mk.next()
	items[0] = tpBody(m, m, nil)
	bb, _ := json.Marshal(map[string]any{"touchpoints": items})
	hb := signTouchpoint(bb, "msg_batch_big", now, webhookKey)
	out = append(out, attack{group: g, name: "batch of 1001", method: "POST", path: "/v1/touchpoints/batch", header: hb, body: bb, want: want4xx, rejected: true})
	m = mk.next()
	nb := append([]byte(`{"touchpoints":[`), append(nested(50000, `[`, `]`, `"`+m+`"`), ']', '}')...)
	out = append(out, attack{group: g, name: "batch nested 50k deep", method: "POST", path: "/v1/touchpoints/batch", header: signTouchpoint(nb, "msg_batch_nest", now, webhookKey), body: nb, want: want4xx, rejected: true})
	m = mk.next()
	body = tpBody(m, m, nil)
	h = signTouchpoint(body, "msg_idem", now, webhookKey)
	h.Set("Idempotency-Key", strings.Repeat("k", 300))
	add("Idempotency-Key of 300 characters", body, h, want4xx)
	m = mk.next()
	body = tpBody(m, m, nil)
	h = signTouchpoint(body, "msg_idem2", now, webhookKey)
	h.Set("Idempotency-Key", "clé-ключ")
	add("Idempotency-Key with non-ASCII characters", body, h, want4xx)
	return out
}

// nulTouchpoint puts an escaped NUL into one field of an otherwise valid touchpoint.
func nulTouchpoint(m, field string) []byte {
	nul := "a\u0000b"
	tp := map[string]any{"id": m, "type": "order_delivered", "survey": "nps"}
	cust := map[string]any{"id": "cus_" + m, "telegram_chat_id": 4_000_001}
	switch field {
	case "id":
		tp["id"] = m + nul
	case "type":
		tp["type"] = "order_delivered" + nul
	case "survey":
		tp["survey"] = "nps" + nul
	case "customer.id":
		cust["id"] = "cus_" + m + nul
	case "customer.name":
		cust["name"] = nul
	case "customer.locale":
		cust["locale"] = "en" + nul
	case "customer.timezone":
		cust["timezone"] = "UTC" + nul
	case "attributes":
		tp["attributes"] = map[string]any{"agent" + nul: nul}
	}
	tp["customer"] = cust
	b, _ := json.Marshal(tp)
	return b
}

// --- /telegram/webhook (X-Telegram-Bot-Api-Secret-Token) ---

func telegramAttacks(mk *markers) []attack {
	const g = "/telegram/webhook"
	var out []attack
	upd := 900000
	message := func(text string) []byte {
		upd++
		b, _ := json.Marshal(map[string]any{"update_id": upd, "message": map[string]any{
			"message_id": upd, "date": time.Now().Unix(), "text": text,
			"chat": map[string]any{"id": 4_000_001, "type": "private"},
			"from": map[string]any{"id": 4_000_001, "is_bot": false, "first_name": text, "language_code": "en"}}})
		return b
	}
	callback := func(data string) []byte {
		upd++
		b, _ := json.Marshal(map[string]any{"update_id": upd, "callback_query": map[string]any{
			"id": "cq" + strconv.Itoa(upd), "data": data, "chat_instance": "ci",
			"from":    map[string]any{"id": 4_000_001, "is_bot": false, "first_name": "x"},
			"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": map[string]any{"id": 4_000_001, "type": "private"}}}})
		return b
	}
	add := func(name string, body []byte, secret string, want expectation) {
		h := http.Header{"Content-Type": {"application/json"}}
		if secret != "" {
			h.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		out = append(out, attack{group: g, name: name, method: "POST", path: "/telegram/webhook", header: h, body: body, want: want,
			rejected: want == want401 || want == want4xx})
	}
	add("no secret", message("/stop "+mk.next()), "", want401)
	add("wrong secret", message("/stop "+mk.next()), "not-the-secret", want401)
	add("secret with different case", message("/stop "+mk.next()), strings.ToUpper(tgHookSecret), want401)
	add("secret plus a suffix", message("/stop "+mk.next()), tgHookSecret+"x", want401)
	add("garbage JSON", []byte(`{"update_id":`), tgHookSecret, wantNo5xx)
	add("not JSON", []byte("\x00\x01\x02"), tgHookSecret, wantNo5xx)
	add("oversized 2 MiB", message(strings.Repeat("x", 2<<20)), tgHookSecret, wantNo5xx)
	add("nested JSON 100k deep", append([]byte(`{"update_id":1,"message":`), nested(100000, `{"a":`, `}`, `1`)...), tgHookSecret, wantNo5xx)
	add("callback data of 100 KB", callback(strings.Repeat("9", 100<<10)), tgHookSecret, wantNo5xx)
	add("forged callback data", callback("v1|n999999|9"), tgHookSecret, wantNo5xx)
	for i, hs := range hostileStrings {
		add(fmt.Sprintf("callback data hostile string %d", i), callback(hs), tgHookSecret, wantNo5xx)
		add(fmt.Sprintf("text hostile string %d", i), message(hs), tgHookSecret, wantNo5xx)
	}
	add("text with NUL", message("a\u0000b"), tgHookSecret, wantNo5xx)
	add("/start with NUL payload", message("/start a\u0000b"), tgHookSecret, wantNo5xx)
	add("/start with SQL payload", message("/start '; DROP TABLE customers; --"), tgHookSecret, wantNo5xx)
	add("/language with markup", message("/language <script>"), tgHookSecret, wantNo5xx)
	raw := message("x")
	raw = bytes.Replace(raw, []byte(`"x"`), []byte("\"\xff\xfe\xed\xa0\x80\""), 1)
	add("invalid UTF-8 text", raw, tgHookSecret, wantNo5xx)
	dup := message("/help")
	add("update", dup, tgHookSecret, wantNo5xx)
	add("same update_id again (Telegram retry)", dup, tgHookSecret, wantNo5xx)
	add("update_id as a string", []byte(`{"update_id":"1; DROP","message":{"text":"x"}}`), tgHookSecret, wantNo5xx)
	add("chat id out of range", []byte(`{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":1e40,"type":"private"},"text":"x"}}`), tgHookSecret, wantNo5xx)
	return out
}

// --- /slack/* (X-Slack-Signature) ---

func slackSign(body []byte, at time.Time, secret string) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	return http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {"v0=" + hex.EncodeToString(mac.Sum(nil))}}
}

func slackAttacks(mk *markers) []attack {
	const g = "/slack/*"
	now := time.Now()
	var out []attack
	add := func(name, path, ctype string, body []byte, h http.Header, want expectation) {
		if h == nil {
			h = http.Header{}
		}
		h.Set("Content-Type", ctype)
		out = append(out, attack{group: g, name: name, method: "POST", path: path, header: h, body: body, want: want,
			rejected: want == want401 || want == want4xx})
	}
	eventIn := func(channel, text string) []byte {
		b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0VOCBOT", "event_id": "Ev" + mk.next(), "event_time": now.Unix(),
			"event": map[string]any{"type": "message", "channel_type": "im", "channel": channel, "user": "U0BENCH000", "text": text, "ts": "1700000000.000100"}})
		return b
	}
	event := func(text string) []byte { return eventIn("D0BENCH000", text) }
	form := func(kv ...string) []byte {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return []byte(v.Encode())
	}
	const js, fm = "application/json", "application/x-www-form-urlencoded"
	for _, path := range []string{"/slack/events", "/slack/interactivity", "/slack/commands"} {
		m := mk.next()
		body := event(m)
		if path != "/slack/events" {
			body = form("payload", `{"type":"block_actions","user":{"id":"U0BENCH000"},"actions":[{"value":"`+m+`"}]}`, "text", m, "command", "/survey", "user_id", "U0BENCH000")
		}
		ct := js
		if path != "/slack/events" {
			ct = fm
		}
		add(path+" unsigned", path, ct, body, nil, want401)
		add(path+" forged signature", path, ct, body, slackSign(body, now, "not-the-signing-secret-0000"), want401)
		add(path+" stale timestamp (replay after 6 min)", path, ct, body, slackSign(body, now.Add(-6*time.Minute), slackSigning), want401)
		other := append(append([]byte(nil), body...), []byte(" ")...)
		add(path+" signature of another body", path, ct, other, slackSign(body, now, slackSigning), want401)
		h := slackSign(body, now, slackSigning)
		h.Set("X-Slack-Signature", "v0=zz")
		add(path+" malformed signature", path, ct, body, h, want401)
		big := append(append([]byte(nil), body...), bytes.Repeat([]byte("x"), 2<<20)...)
		add(path+" oversized 2 MiB signed", path, ct, big, slackSign(big, now, slackSigning), wantNo5xx)
		garbage := []byte("\x00{]\xff")
		add(path+" garbage signed", path, ct, garbage, slackSign(garbage, now, slackSigning), wantNo5xx)
	}
	signedJSON := func(name string, body []byte) {
		add(name, "/slack/events", js, body, slackSign(body, now, slackSigning), wantNo5xx)
		out[len(out)-1].pause = 1100 * time.Millisecond
	}
	signedForm := func(name, path string, body []byte) {
		add(name, path, fm, body, slackSign(body, now, slackSigning), wantNo5xx)
	}
	ch, _ := json.Marshal(map[string]any{"type": "url_verification", "challenge": "<script>alert(1)</script>\u0000"})
	signedJSON("url_verification with markup challenge", ch)
	signedJSON("events nested 100k deep", append([]byte(`{"type":"event_callback","event":`), nested(100000, `{"a":`, `}`, `1`)...))
	signedJSON("event text with NUL", event("a\u0000b"))
	signedJSON("message in a DM Slack reports as channel_not_found", eventIn("D0GONE0000", "hello"))
	for i := range 3 {
		b := event(fmt.Sprintf("burst %d", i))
		add(fmt.Sprintf("burst of 3 messages in one DM, #%d (replies rate-limited)", i+1), "/slack/events", js, b, slackSign(b, now, slackSigning), wantNo5xx)
	}
	raw := bytes.Replace(event("x"), []byte(`"text":"x"`), []byte("\"text\":\"\xff\xfe\""), 1)
	signedJSON("event text invalid UTF-8", raw)
	for i, hs := range hostileStrings {
		signedJSON(fmt.Sprintf("event text hostile string %d", i), event(hs))
		signedForm(fmt.Sprintf("/survey command hostile string %d", i), "/slack/commands",
			form("command", "/survey", "text", "send nps "+hs, "user_id", "U0BENCH000", "team_id", "T0VOCBOT", "channel_id", "C0X", "response_url", "http://127.0.0.1:1/"+url.PathEscape(hs), "trigger_id", hs))
		signedForm(fmt.Sprintf("block action value hostile string %d", i), "/slack/interactivity",
			form("payload", `{"type":"block_actions","user":{"id":"U0BENCH000"},"team":{"id":"T0VOCBOT"},"channel":{"id":"D0BENCH000"},"container":{"message_ts":"1.2"},"actions":[{"action_id":"`+jsonEsc(hs)+`","block_id":"`+jsonEsc(hs)+`","value":"`+jsonEsc(hs)+`"}]}`))
	}
	signedForm("interactivity payload not JSON", "/slack/interactivity", form("payload", "{"))
	signedForm("interactivity payload 100k deep", "/slack/interactivity", form("payload", string(nested(100000, `[`, `]`, ``))))
	signedForm("interactivity payload with NUL", "/slack/interactivity", form("payload", `{"type":"block_actions","user":{"id":"U0\u0000"},"actions":[{"value":"a\u0000b"}]}`))
	signedForm("view_submission with huge value", "/slack/interactivity", form("payload", `{"type":"view_submission","user":{"id":"U0BENCH000"},"view":{"callback_id":"x","private_metadata":"`+strings.Repeat("9", 200000)+`","state":{"values":{"a":{"b":{"value":"x"}}}}}}`))
	signedForm("command with NUL text", "/slack/commands", form("command", "/survey", "text", "stats\x00", "user_id", "U0BENCH000"))
	signedForm("command with invalid UTF-8", "/slack/commands", []byte("command=%2Fsurvey&text=%FF%FE&user_id=U0BENCH000"))
	return out
}

func jsonEsc(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// --- the other /v1 routes (bearer token) ---

func otherAttacks() []attack {
	const g = "other /v1 routes"
	auth := http.Header{"Authorization": {"Bearer " + apiToken}}
	var out []attack
	get := func(name, path string, want expectation) {
		out = append(out, attack{group: g, name: name, method: "GET", path: path, header: auth, want: want})
	}
	q := url.QueryEscape
	get("responses survey SQL", "/v1/responses?survey="+q(`'; DROP TABLE responses; --`), wantNo5xx)
	get("responses since garbage", "/v1/responses?since="+q("yesterday'; --"), want4xx)
	get("responses since NUL", "/v1/responses?since="+q("2026\x00"), want4xx)
	get("responses limit huge", "/v1/responses?limit=99999999999999999999", want4xx)
	get("responses limit negative", "/v1/responses?limit=-1", want4xx)
	get("responses cursor garbage", "/v1/responses?cursor="+q("<script>"), want4xx)
	get("responses cursor base64 junk", "/v1/responses?cursor=eyJpZCI6IjEnIE9SIDE9MSJ9", want4xx)
	get("responses unknown parameter", "/v1/responses?order="+q("id;DROP"), want4xx)
	get("scores window garbage", "/v1/scores?window="+q("-1d'"), want4xx)
	get("scores by markup", "/v1/scores?by="+q("<script>"), want4xx)
	get("scores survey NUL", "/v1/scores?survey="+q("nps\x00"), wantNo5xx)
	get("audit since SQL", "/v1/audit?since="+q("' OR 1=1 --"), want4xx)
	get("alerts status markup", "/v1/alerts?status="+q("<b>"), want4xx)
	get("alerts id SQL", "/v1/alerts/"+url.PathEscape("1 OR 1=1"), want4xx)
	get("alerts id huge", "/v1/alerts/99999999999999999999999", want4xx)
	get("unknown /v1 route", "/v1/"+url.PathEscape("../../etc/passwd"), want4xx)
	get("path with NUL", "/v1/responses%00", want4xx)
	out = append(out,
		attack{group: g, name: "link for SQL customer id", method: "POST", path: "/v1/customers/" + url.PathEscape(`' OR '1'='1`) + "/links", header: auth, want: want4xx},
		attack{group: g, name: "link with NUL customer id", method: "POST", path: "/v1/customers/a%00b/links", header: auth, want: want4xx},
		attack{group: g, name: "delete SQL customer id", method: "DELETE", path: "/v1/customers/" + url.PathEscape(`x'; DELETE FROM customers; --`), header: auth, want: wantNo5xx},
		attack{group: g, name: "delete NUL customer id", method: "DELETE", path: "/v1/customers/a%00b", header: auth, want: wantNo5xx},
		attack{group: g, name: "delete customer id of 10 KB", method: "DELETE", path: "/v1/customers/" + strings.Repeat("a", 10000), header: auth, want: wantNo5xx},
		attack{group: g, name: "responses without token", method: "GET", path: "/v1/responses", want: want401},
		attack{group: g, name: "responses with a token's prefix", method: "GET", path: "/v1/responses", header: http.Header{"Authorization": {"Bearer " + apiToken[:10]}}, want: want401},
		attack{group: g, name: "responses with Basic auth", method: "GET", path: "/v1/responses", header: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("x:"+apiToken))}}, want: want401},
	)
	return out
}
