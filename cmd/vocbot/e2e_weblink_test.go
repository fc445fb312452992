package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// hookRequest is one POST the company's receiver got, its signature checked.
type hookRequest struct {
	id, body string
	signed   bool
}

// webLinkReceiver is the company's endpoint: it checks each POST's
// Standard Webhooks signature with key, answers the scripted statuses
// first (then 204), and keeps what it got.
type webLinkReceiver struct {
	mu       sync.Mutex
	key      []byte
	statuses []int
	got      []hookRequest
}

func (rc *webLinkReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, ts, sig := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	mac := hmac.New(sha256.New, rc.key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	secs, _ := strconv.ParseInt(ts, 10, 64)
	fresh := time.Since(time.Unix(secs, 0)).Abs() < 5*time.Minute
	signed := r.Method == http.MethodPost && fresh && sig == "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)) &&
		r.Header.Get("Content-Type") == "application/json"
	rc.mu.Lock()
	rc.got = append(rc.got, hookRequest{id: id, body: string(body), signed: signed})
	status := http.StatusNoContent
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
}

func (rc *webLinkReceiver) requests() []hookRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookRequest(nil), rc.got...)
}

// A Telegram customer who blocked the bot (sends get 403, and vocbot was
// not told) gets a survey with web_link: the invitation becomes a web one,
// its signed link reaches the company's webhook (the first POST fails with
// a 503 and the retry carries the same id and body), the chat is not tried
// again, and the link takes the answer. A survey without web_link stays
// undeliverable and nothing is posted.
func TestServeWebLinkFallback(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			key := []byte("web-link-fallback-key-0123456789")
			secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
			rc := &webLinkReceiver{key: key, statuses: []int{http.StatusServiceUnavailable}}
			hook := httptest.NewServer(rc)
			t.Cleanup(hook.Close)

			tg := telegramtest.New("")
			t.Cleanup(tg.Close)
			tg.AddUser(4646, "en")
			tg.AddUser(4747, "en")
			tg.Block(4646)
			tg.Block(4747)
			cfg := filepath.Join(t.TempDir(), "vocbot.yaml")
			yaml := "product: Acme\nfatigue:\n  min_gap: 0s\nsurveys:\n  - id: csat-web\n    metric: csat\n    web_link: true\n" +
				"web_link_fallback:\n  url: " + hook.URL + "/hooks/vocbot\n"
			if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			const public = "https://vocbot.example.com"
			vars := telegramVars(t, storagetest.URL(t, e), tg)
			vars["VOCBOT_CONFIG"] = cfg
			vars["VOCBOT_PUBLIC_URL"] = public
			vars["VOCBOT_WEB_LINK_FALLBACK_SECRET"] = secret
			vars["VOCBOT_LOG_LEVEL"] = "info"
			base, stop, logs := startServe(t, vars)
			waitReady(t, base)
			f := apiFixture{url: base}
			touch := func(id, survey string, chat int) apiReply {
				return f.do(t, "POST", "/v1/touchpoints", fmt.Sprintf(`{"id":%q,"type":"ticket_closed","survey":%q,
					"customer":{"id":"cus_%d","telegram_chat_id":%d}}`, id, survey, chat, chat), nil)
			}
			r := touch("w_1", "csat-web", 4646)
			if r.status != http.StatusAccepted {
				t.Fatalf("touchpoint: %d %v\n%s", r.status, r.body, logs)
			}
			inv, _ := r.body["invitation"].(map[string]any)
			id := int64(inv["id"].(float64))
			if r := touch("w_2", "nps", 4747); r.status != http.StatusAccepted {
				t.Fatalf("touchpoint without web_link: %d %v\n%s", r.status, r.body, logs)
			}

			waitFor(t, 30*time.Second, func() bool { return len(rc.requests()) >= 2 }, logs)
			got := rc.requests()
			var event map[string]any
			if err := json.Unmarshal([]byte(got[0].body), &event); err != nil {
				t.Fatalf("webhook body %q: %v", got[0].body, err)
			}
			link, _ := event["web_url"].(string)
			expires, err := time.Parse(time.RFC3339, fmt.Sprint(event["expires_at"]))
			if err != nil || event["type"] != "invitation.web_link" || event["invitation_id"] != float64(id) || event["customer_id"] != "cus_4646" ||
				event["survey"] != "csat-web" || event["reason"] != "undeliverable" || !strings.HasPrefix(link, public+"/answer/") ||
				time.Until(expires) < 71*time.Hour || time.Until(expires) > 73*time.Hour {
				t.Errorf("webhook body: got %v, want the web link of invitation %d for cus_4646 expiring in 72 h", event, id)
			}
			for i, g := range got {
				if !g.signed || g.id != fmt.Sprint("vocbot-web-link-", id) || g.body != got[0].body {
					t.Errorf("POST %d: got id %q signed %v body %s; want every POST signed, with the same id and body", i+1, g.id, g.signed, g.body)
				}
			}
			if strings.Contains(logs.String(), secret[6:]) || strings.Contains(got[0].body, secret[6:]) {
				t.Errorf("the secret leaked into the logs or the body")
			}

			// The link answers, and the answer is stored as a web response.
			path := strings.TrimPrefix(link, public)
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `name="score" value="2"`) {
				t.Fatalf("GET the web link: %d\n%s", resp.StatusCode, page)
			}
			resp, err = http.PostForm(base+path, url.Values{"question": {"score"}, "score": {"2"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("answer on the web link: %d", resp.StatusCode)
			}
			rs := f.do(t, "GET", "/v1/responses?survey=csat-web", "", nil)
			items, _ := rs.body["responses"].([]any)
			if len(items) != 1 {
				t.Fatalf("responses: %v, want the one web answer", rs.body)
			}
			if it := items[0].(map[string]any); it["score"] != float64(2) || it["platform"] != "web" || it["customer_id"] != "cus_4646" {
				t.Errorf("response: got %v, want cus_4646's 2 on the web", it)
			}

			// The refused chat was tried once per touchpoint; the one without
			// web_link is undeliverable, and nothing more was posted.
			waitFor(t, 30*time.Second, func() bool {
				r := touch("w_2", "nps", 4747) // a replay: the invitation as it stands
				inv, _ := r.body["invitation"].(map[string]any)
				return inv["status"] == "undeliverable"
			}, logs)
			if n := tg.Calls("sendMessage"); n != 2 {
				t.Errorf("sendMessage calls: got %d, want 2 (one refused send per touchpoint, none again)", n)
			}
			if r := touch("w_1", "csat-web", 4646); r.body["invitation"].(map[string]any)["web_url"] != link {
				t.Errorf("replay of the touchpoint: got %v, want the same web_url", r.body)
			}
			metrics, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			text, _ := io.ReadAll(metrics.Body)
			metrics.Body.Close()
			for _, want := range []string{`vocbot_web_link_fallbacks_total{result="enqueued"} 1`, `vocbot_web_link_fallbacks_total{result="retried"} 1`,
				`vocbot_web_link_fallbacks_total{result="delivered"} 1`} {
				if !strings.Contains(string(text), want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			if n := len(rc.requests()); n != 2 {
				t.Errorf("webhook POSTs: got %d, want 2 (the 503 and its retry)", n)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
