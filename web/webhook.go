package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// webhookTolerance is how far webhook-timestamp may be from now (replays).
const webhookTolerance = 5 * time.Minute

// verifyWebhook checks a Standard Webhooks signature
// (github.com/standard-webhooks/standard-webhooks): base64(HMAC-SHA256(key,
// id + "." + timestamp + "." + body)) in webhook-signature as "v1,<sig>",
// several separated by spaces during key rotation. It returns webhook-id.
func verifyWebhook(key []byte, h http.Header, body []byte, now time.Time) (string, error) {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return "", errors.New("missing webhook-id, webhook-timestamp or webhook-signature: VOCBOT_WEBHOOK_SECRET requires Standard Webhooks signatures")
	}
	if !validIdempotencyKey(id) {
		// It is the request's idempotency key, stored like Idempotency-Key.
		return "", errors.New("webhook-id must be 1–255 printable ASCII characters")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", fmt.Errorf("webhook-timestamp %s is not Unix seconds", surveys.Quote(ts))
	}
	if d := now.Sub(time.Unix(secs, 0)); d > webhookTolerance || d < -webhookTolerance {
		return "", fmt.Errorf("webhook-timestamp is %s away from our clock (tolerance %s): check the sender's clock, or this is a replay", d.Round(time.Second), webhookTolerance)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return id, nil
		}
	}
	return "", errors.New("webhook-signature does not match: sign id.timestamp.body with the key of VOCBOT_WEBHOOK_SECRET")
}

// signWebhook is the sender's side: WebLinkHook signs with it.
func signWebhook(key []byte, id string, ts time.Time, body []byte) http.Header {
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", id, ts.Unix())
	mac.Write(body)
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return h
}

// WebLinkHook posts the web links of invitations a chat refused to the
// company's web_link_fallback URL, signed per Standard Webhooks with the
// key of VOCBOT_WEB_LINK_FALLBACK_SECRET: webhook-id is stable per
// invitation, so the receiver dedupes the retries of one link.
type WebLinkHook struct {
	url    string
	key    []byte
	client *http.Client
	now    func() time.Time
}

var _ surveys.WebLinkHook = (*WebLinkHook)(nil)

// webLinkTimeout bounds one call to the receiver; a timeout is retried.
const webLinkTimeout = 15 * time.Second

// NewWebLinkHook posts to url with key. client nil is a default client
// that does not follow redirects (a redirect is refused: the receiver's
// address is configured, not discovered).
func NewWebLinkHook(url string, key []byte, client *http.Client) (*WebLinkHook, error) {
	if url == "" || len(key) == 0 {
		return nil, errors.New("web link fallback: needs web_link_fallback.url and VOCBOT_WEB_LINK_FALLBACK_SECRET")
	}
	if client == nil {
		client = &http.Client{
			Timeout:       webLinkTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &WebLinkHook{url: url, key: key, client: client, now: time.Now}, nil
}

// webLinkEvent is the JSON the receiver gets.
type webLinkEvent struct {
	Type         string `json:"type"`
	InvitationID int64  `json:"invitation_id"`
	CustomerID   string `json:"customer_id"`
	Survey       string `json:"survey"`
	WebURL       string `json:"web_url"`
	ExpiresAt    string `json:"expires_at"`
	Reason       string `json:"reason"`
}

// HandOff implements surveys.WebLinkHook. The body is the same on every
// retry of one invitation; only webhook-timestamp (and so the signature)
// changes. Errors never quote the URL or the key.
func (h *WebLinkHook) HandOff(ctx context.Context, l surveys.WebLinkHandoff) error {
	body, err := json.Marshal(webLinkEvent{Type: "invitation.web_link", InvitationID: l.InvitationID, CustomerID: l.CustomerID,
		Survey: l.SurveyID, WebURL: l.WebURL, ExpiresAt: l.ExpiresAt.UTC().Format(time.RFC3339), Reason: l.Reason})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return &surveys.SendError{Kind: surveys.Unreachable, Err: errors.New("web_link_fallback.url is not a valid URL")}
	}
	for k, v := range signWebhook(h.key, l.ID, h.now(), body) {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vocbot")
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may carry a token
		}
		return &surveys.SendError{Kind: surveys.Failed, Err: fmt.Errorf("web_link_fallback did not answer: %w", err)}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusTooManyRequests:
		wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &surveys.SendError{Kind: surveys.RateLimited, RetryAfter: time.Duration(max(wait, 0)) * time.Second,
			Err: fmt.Errorf("web_link_fallback answered HTTP %d", code)}
	case code == http.StatusRequestTimeout || code >= 500:
		return &surveys.SendError{Kind: surveys.Failed, Err: fmt.Errorf("web_link_fallback answered HTTP %d", code)}
	}
	return &surveys.SendError{Kind: surveys.Unreachable, Err: fmt.Errorf("web_link_fallback answered HTTP %d (only 2xx takes the link; 408, 429 and 5xx are retried)", code)}
}
