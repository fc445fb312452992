package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// TestWebLinkHook posts a handoff to receivers answering each status: the
// POST verifies as Standard Webhooks with the same key (the code that
// checks /v1/touchpoints), the body is the documented JSON, and the
// answer is classified for the job: 2xx taken, 408/429/5xx retried, any
// other 4xx or a redirect refused. Errors never quote the URL.
func TestWebLinkHook(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	expires := time.Date(2026, 12, 10, 9, 30, 0, 0, time.UTC)
	handoff := surveys.WebLinkHandoff{ID: "vocbot-web-link-812", InvitationID: 812, CustomerID: "cus_42", SurveyID: "csat-support",
		WebURL: "https://vocbot.example.com/answer/812.Xq3", ExpiresAt: expires, Reason: "undeliverable"}
	tests := []struct {
		status     int
		retryAfter string
		kind       surveys.SendFailure // for a status that is not 2xx
		wait       time.Duration
	}{
		{status: http.StatusOK},
		{status: http.StatusNoContent},
		{status: http.StatusInternalServerError, kind: surveys.Failed},
		{status: http.StatusServiceUnavailable, kind: surveys.Failed},
		{status: http.StatusRequestTimeout, kind: surveys.Failed},
		{status: http.StatusTooManyRequests, retryAfter: "7", kind: surveys.RateLimited, wait: 7 * time.Second},
		{status: http.StatusBadRequest, kind: surveys.Unreachable},
		{status: http.StatusUnauthorized, kind: surveys.Unreachable},
		{status: http.StatusGone, kind: surveys.Unreachable},
		{status: http.StatusFound, kind: surveys.Unreachable},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			var verified bool
			var body map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				id, err := verifyWebhook(key, r.Header, raw, time.Now())
				verified = err == nil && id == handoff.ID && r.Method == http.MethodPost && r.URL.Path == "/hooks/vocbot" &&
					r.URL.RawQuery == "token=q-s3cret" && r.Header.Get("Content-Type") == "application/json"
				_ = json.Unmarshal(raw, &body)
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.status == http.StatusFound {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tt.status)
			}))
			t.Cleanup(srv.Close)
			hook, err := NewWebLinkHook(srv.URL+"/hooks/vocbot?token=q-s3cret", key, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = hook.HandOff(context.Background(), handoff)
			if !verified {
				t.Errorf("the receiver could not verify the POST as Standard Webhooks")
			}
			want := map[string]any{"type": "invitation.web_link", "invitation_id": float64(812), "customer_id": "cus_42", "survey": "csat-support",
				"web_url": handoff.WebURL, "expires_at": "2026-12-10T09:30:00Z", "reason": "undeliverable"}
			for k, v := range want {
				if body[k] != v {
					t.Errorf("body %s: got %v, want %v", k, body[k], v)
				}
			}
			if len(body) != len(want) {
				t.Errorf("body: got %v, want exactly the keys of %v", body, want)
			}
			if tt.status < 300 {
				if err != nil {
					t.Errorf("got %v, want the link taken", err)
				}
				return
			}
			kind, wait := surveys.FailureOf(err)
			var se *surveys.SendError
			if err == nil || !errors.As(err, &se) || kind != tt.kind || wait != tt.wait {
				t.Errorf("got %v (kind %v, wait %s), want kind %v, wait %s", err, kind, wait, tt.kind, tt.wait)
			}
			if err != nil && (strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), srv.URL)) {
				t.Errorf("the error quotes the URL: %v", err)
			}
		})
	}
}

// A receiver that does not answer is retried; the error names no URL.
func TestWebLinkHookUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	addr := srv.URL
	srv.Close()
	hook, err := NewWebLinkHook(addr+"/hooks?token=q-s3cret", []byte("0123456789abcdef0123456789abcdef"), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = hook.HandOff(context.Background(), surveys.WebLinkHandoff{ID: "vocbot-web-link-1", InvitationID: 1})
	if kind, _ := surveys.FailureOf(err); err == nil || kind != surveys.Failed {
		t.Fatalf("got %v, want a failure to retry", err)
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), addr) {
		t.Errorf("the error quotes the URL: %v", err)
	}
}
