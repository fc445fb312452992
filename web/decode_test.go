package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
)

const exampleBody = `{"id":"evt_123","type":"order_delivered","occurred_at":"2026-11-22T10:00:00Z",
 "survey":"nps-delivery",
 "customer":{"id":"cus_42","name":"Dana","locale":"he","timezone":"Asia/Jerusalem",
             "telegram_chat_id":123456789,"slack_user_id":"U0123","discord_user_id":"812345678901234567"},
 "attributes":{"agent":"yossi","channel":"phone","product":"checkout","region":"north"}}`

func TestDecodeTouchpointReadsInterfaceExample(t *testing.T) {
	t.Parallel()
	tp, hash, err := DecodeTouchpoint([]byte(exampleBody))
	if err != nil {
		t.Fatal(err)
	}
	want := surveys.Touchpoint{
		ExternalID: "evt_123",
		Type:       "order_delivered",
		OccurredAt: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		SurveyID:   "nps-delivery",
		Customer: surveys.Customer{
			ExternalID: "cus_42", Name: "Dana", Locale: "he", TimeZone: "Asia/Jerusalem",
			Identities: []surveys.Address{
				{Platform: surveys.Telegram, ChatID: "123456789", UserID: "123456789"},
				{Platform: surveys.Slack, UserID: "U0123"},
				{Platform: surveys.Discord, UserID: "812345678901234567"},
			},
		},
		Attributes: map[string]string{"agent": "yossi", "channel": "phone", "product": "checkout", "region": "north"},
	}
	if diff := cmp.Diff(want, tp); diff != "" {
		t.Errorf("decoded touchpoint (-want +got):\n%s", diff)
	}
	// The same event with other spacing and key order is the same request.
	reordered := `{"type":"order_delivered","id":"evt_123","survey":"nps-delivery","occurred_at":"2026-11-22T10:00:00Z",
	"attributes":{"region":"north","product":"checkout","channel":"phone","agent":"yossi"},
	"customer":{"discord_user_id":"812345678901234567","slack_user_id":"U0123","telegram_chat_id":123456789,
	"timezone":"Asia/Jerusalem","locale":"he","name":"Dana","id":"cus_42"}}`
	_, hash2, err := DecodeTouchpoint([]byte(reordered))
	if err != nil {
		t.Fatal(err)
	}
	if hash != hash2 {
		t.Error("key order or spacing changed the request hash")
	}
	_, hash3, _ := DecodeTouchpoint([]byte(strings.Replace(exampleBody, "yossi", "dana", 1)))
	if hash3 == hash {
		t.Error("a different body hashed the same")
	}
}

func TestDecodeTouchpointErrorsNameTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		status     int
		field      string
		inMessage  string
	}{
		{"empty", ``, 400, "", "empty"},
		{"not json", `{"type":`, 400, "", "ends too early"},
		{"syntax", `{"type" "x"}`, 400, "", "malformed JSON at byte"},
		{"array", `[1,2]`, 400, "", "expected a JSON object"},
		{"two values", `{"type":"a","customer":{"id":"c"}} {}`, 400, "", "more than one JSON value"},
		{"unknown field", `{"type":"a","custmer":{}}`, 422, "custmer", "unknown field"},
		{"unknown nested field", `{"type":"a","customer":{"id":"c","phone":"1"}}`, 422, "phone", "unknown field"},
		{"wrong type", `{"type":5}`, 422, "type", "type: expected a string, got a number"},
		{"wrong nested type", `{"type":"a","customer":{"id":42}}`, 422, "customer.id", "customer.id: expected a string, got a number"},
		{"object for a string", `{"type":"a","customer":{"id":"c","name":{"first":"D"}}}`, 422, "customer.name", "expected a string, got an object"},
		{"boolean for an object", `{"type":"a","customer":true}`, 422, "customer", "expected an object, got a boolean"},
		{"array for attributes", `{"type":"a","customer":{"id":"c"},"attributes":[1]}`, 422, "attributes", "expected an object, got an array"},
		{"huge number for a string", `{"type":"a","customer":{"id":1e999}}`, 422, "customer.id", "expected a string, got a number"},
		{"word for a chat id", `{"type":"a","customer":{"id":"c","telegram_chat_id":"abc"}}`, 422, "customer.telegram_chat_id", "expected a number"},
		{"boolean for a chat id", `{"type":"a","customer":{"id":"c","telegram_chat_id":true}}`, 422, "customer.telegram_chat_id", "got a boolean"},
		{"invalid UTF-8 in the name", "{\"type\":\"a\",\"customer\":{\"id\":\"c\",\"name\":\"D\xffana\"}}", 422, "customer.name", "not valid UTF-8"},
		{"invalid UTF-8 in an attribute", "{\"type\":\"a\",\"customer\":{\"id\":\"c\"},\"attributes\":{\"agent\":\"\xc3\"}}", 422, "attributes.agent", "not valid UTF-8"},
		{"invalid UTF-8 in an attribute key", "{\"type\":\"a\",\"customer\":{\"id\":\"c\"},\"attributes\":{\"a\xfe\":\"x\"}}", 422, "attributes", "key that is not valid UTF-8"},
		{"invalid UTF-8 in the type", "{\"type\":\"\xed\xa0\x80\"}", 422, "type", "not valid UTF-8"},
		{"invalid UTF-8 in a top-level key", "{\"\xff\":1}", 422, "body", "key that is not valid UTF-8"},
		{"bad time", `{"type":"a","occurred_at":"yesterday","customer":{"id":"c"}}`, 422, "occurred_at", "RFC 3339"},
		{"bad chat id", `{"type":"a","customer":{"id":"c","telegram_chat_id":1.5}}`, 422, "customer.telegram_chat_id", "integer"},
		{"nested attribute", `{"type":"a","customer":{"id":"c"},"attributes":{"x":{"y":1}}}`, 422, "attributes.x", "flat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := DecodeTouchpoint([]byte(tt.body))
			status, field, msg := describeErr(err)
			if status != tt.status || field != tt.field || !strings.Contains(msg, tt.inMessage) {
				t.Errorf("got %d %q %q; want %d %q containing %q", status, field, msg, tt.status, tt.field, tt.inMessage)
			}
			if leaksGo(msg) {
				t.Errorf("message %q names Go internals", msg)
			}
		})
	}
}

// leaksGo reports whether an error message shows Go's view of the data
// (type names, struct fields) instead of the sender's JSON.
func leaksGo(msg string) bool {
	for _, w := range []string{"Go struct", "Go value", "main.", "json.Number", "interface {}", "map[string]", "unmarshal", "json: "} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

func describeErr(err error) (int, string, string) {
	var de *decodeError
	var ve *surveys.ValidationError
	switch {
	case errors.As(err, &de):
		return de.status, de.field, de.msg
	case errors.As(err, &ve):
		return 422, ve.Fields[0].Field, ve.Fields[0].Message
	case err == nil:
		return 0, "", ""
	}
	return -1, "", err.Error()
}

// fuzzSeeds reach deep: valid documents, then each of the ways a sender
// breaks them (NUL, invalid UTF-8, deep nesting, huge numbers, wrong types).
var fuzzSeeds = []string{
	exampleBody,
	`{"type":"a","customer":{"id":"c","telegram_chat_id":"-100"}}`,
	`{"type":"a","customer":{"id":"c","telegram_chat_id":"42"}}`,
	`{"attributes":{"a":[1]}}`,
	`{"customer":{"telegram_chat_id":1e400}}`,
	`{"type":"order_delivered","customer":{"id":"c","name":"a\u0000b"}}`,
	"{\"type\":\"order_delivered\",\"customer\":{\"id\":\"c\",\"name\":\"a\xffb\"}}",
	"{\"type\":\"order_delivered\",\"customer\":{\"id\":\"c\"},\"attributes\":{\"k\xc3\":\"v\"}}",
	`{"type":"order_delivered","customer":{"id":"c"},"attributes":{"k\u0000":"v\ud800"}}`,
	`{"type":"order_delivered","customer":{"id":"c","telegram_chat_id":123456789012345678901234567890}}`,
	`{"type":"order_delivered","customer":{"id":"c","telegram_chat_id":-0.0e-0}}`,
	`{"type":"order_delivered","customer":{"id":"c","telegram_chat_id":null,"name":null},"attributes":null}`,
	`{"type":["order_delivered"],"customer":{"id":{"x":1}}}`,
	`{"type":"a","customer":{"id":"c"},"attributes":{"x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}}`,
	strings.Repeat(`{"customer":`, 100) + "1" + strings.Repeat("}", 100),
	`{"id":"x'); DROP TABLE touchpoints;--","type":"<script>","customer":{"id":"c"}}`,
	`{"type":"a","customer":{"id":"c"}} {}`,
}

func FuzzDecodeTouchpoint(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tp, hash, err := DecodeTouchpoint(body)
		if err != nil {
			status, _, msg := describeErr(err)
			if status != 400 && status != 422 {
				t.Fatalf("error %v maps to status %d", err, status)
			}
			if msg == "" {
				t.Fatal("empty error message")
			}
			if leaksGo(msg) {
				t.Fatalf("message %q names Go internals", msg)
			}
			return
		}
		if len(hash) != 64 {
			t.Fatalf("hash %q", hash)
		}
		// Whatever decodes must also be safe to validate and decide, and
		// whatever validates must be storable on PostgreSQL.
		s := &surveys.Settings{Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS}}, Enabled: surveys.Platforms}
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		if s.Validate(&tp, now) == nil {
			texts := []string{tp.ExternalID, tp.Type, tp.SurveyID, tp.Customer.ExternalID, tp.Customer.Name, tp.Customer.Locale, tp.Customer.TimeZone}
			for k, v := range tp.Attributes {
				texts = append(texts, k, v)
			}
			for _, id := range tp.Customer.Identities {
				texts = append(texts, id.ChatID, id.UserID)
			}
			for _, x := range texts {
				if p := surveys.TextProblem(x); p != "" {
					t.Fatalf("validated text %q %s", x, p)
				}
			}
			d := s.Decide(tp, surveys.CustomerState{Identities: tp.Customer.Identities}, now)
			if !utf8.ValidString(d.Detail) {
				t.Fatalf("detail not UTF-8: %q", d.Detail)
			}
		}
	})
}

func FuzzDecodeBatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(`{"touchpoints":[` + s + `]}`))
	}
	f.Add([]byte(`{"touchpoints":[` + exampleBody + `,` + exampleBody + `,null,1,"x"]}`))
	f.Add([]byte(`{"touchpoints":[]}`))
	f.Add([]byte(`{"touchpoints":{"a":1},"extra":true}`))
	f.Add([]byte(`{"touchpoints":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`))
	f.Add([]byte("{\"touchpoints\":[{\"type\":\"\xff\"}]}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := decodeBatch(body)
		if err != nil {
			status, _, msg := describeErr(err)
			if (status != 400 && status != 422) || msg == "" || leaksGo(msg) {
				t.Fatalf("error %v: status %d, message %q", err, status, msg)
			}
			return
		}
		if len(items) == 0 || len(items) > maxBatch {
			t.Fatalf("%d items accepted", len(items))
		}
		for _, raw := range items {
			if _, _, err := DecodeTouchpoint(raw); err != nil {
				if status, _, msg := describeErr(err); (status != 400 && status != 422) || leaksGo(msg) {
					t.Fatalf("item error %v: status %d", err, status)
				}
			}
		}
	})
}

// FuzzInvalidUTF8Field: the field named for a byte that is not UTF-8 is a
// path of the document, and valid documents have none.
func FuzzInvalidUTF8Field(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		field, _, ok := invalidUTF8Field(body)
		if ok == utf8.Valid(body) {
			if ok || json.Valid(body) {
				t.Fatalf("invalidUTF8Field(%q) = %q, %v; valid UTF-8: %v", body, field, ok, utf8.Valid(body))
			}
		}
		if ok && field == "" {
			t.Fatal("no field named")
		}
	})
}

// FuzzVerifyWebhook: any headers and body are refused with an error unless
// the signature is the HMAC of exactly that id, timestamp and body; the id
// returned is always usable as an idempotency key.
func FuzzVerifyWebhook(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_764_000_000, 0)
	good := signWebhook(key, "msg_1", now, []byte(exampleBody))
	f.Add("msg_1", good.Get("webhook-timestamp"), good.Get("webhook-signature"), []byte(exampleBody))
	f.Add("msg_1", good.Get("webhook-timestamp"), "v1,!!! v2,x "+good.Get("webhook-signature"), []byte(exampleBody))
	f.Add("msg\xff", "1764000000", "v1,", []byte{})
	f.Add("", "", "", []byte(nil))
	f.Add("msg_1", "99999999999999999999999", "v1,AAAA", []byte("{}"))
	f.Add("msg_1", "-1764000000", strings.Repeat("v1,AAAA ", 100), []byte("{}"))
	f.Add(strings.Repeat("i", 300), "1764000000", "v1,AAAA", []byte("{}"))
	f.Fuzz(func(t *testing.T, id, ts, sigs string, body []byte) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sigs)
		got, err := verifyWebhook(key, h, body, now)
		if err != nil {
			if got != "" || err.Error() == "" || !utf8.ValidString(err.Error()) || len(err.Error()) > 400 {
				t.Fatalf("refusal %q with id %q", err, got)
			}
			return
		}
		if got != id || !validIdempotencyKey(got) {
			t.Fatalf("accepted id %q", got)
		}
		want := signWebhook(key, id, time.Unix(mustParseInt(t, ts), 0), body).Get("webhook-signature")
		if !slices.Contains(strings.Fields(sigs), want) {
			t.Fatalf("accepted signatures %q; the valid one is %q", sigs, want)
		}
	})
}

func mustParseInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	other := []byte("fedcba9876543210fedcba9876543210")
	body := []byte(`{"type":"order_delivered"}`)
	now := time.Unix(1_764_000_000, 0)
	good := signWebhook(key, "msg_1", now, body)

	if id, err := verifyWebhook(key, good, body, now.Add(4*time.Minute)); err != nil || id != "msg_1" {
		t.Fatalf("valid signature: %q, %v", id, err)
	}
	rotated := good.Clone()
	rotated.Set("webhook-signature", signWebhook(other, "msg_1", now, body).Get("webhook-signature")+" "+good.Get("webhook-signature"))
	if _, err := verifyWebhook(key, rotated, body, now); err != nil {
		t.Fatalf("any matching signature of several must pass: %v", err)
	}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		now    time.Time
		want   string
	}{
		{"missing headers", http.Header{}, body, now, "missing webhook-id"},
		{"stale", good, body, now.Add(6 * time.Minute), "away from our clock"},
		{"from the future", good, body, now.Add(-6 * time.Minute), "away from our clock"},
		{"tampered body", good, []byte(`{"type":"order_cancelled"}`), now, "does not match"},
		{"wrong key", signWebhook(other, "msg_1", now, body), body, now, "does not match"},
		{"bad timestamp", func() http.Header { h := good.Clone(); h.Set("webhook-timestamp", "soon"); return h }(), body, now, "not Unix seconds"},
		{"not v1", func() http.Header {
			h := good.Clone()
			h.Set("webhook-signature", "v2,"+base64.StdEncoding.EncodeToString([]byte("x")))
			return h
		}(), body, now, "does not match"},
	}
	for _, tt := range tests {
		if _, err := verifyWebhook(key, tt.header, tt.body, tt.now); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want error containing %q", tt.name, err, tt.want)
		}
	}
}
