package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
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

// signWebhook is the sender's side, for tests and for documentation.
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
