package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Telegram's callback_data is 1–64 bytes, unchecked by the SDK. Ours is
// "<ref>|<value>|<mac>": ref ≤ 24 and value ≤ 8 printable ASCII bytes
// without '|', and a 128-bit HMAC in unpadded base64url (22 bytes): at most
// 56 bytes.
const (
	maxRefLen      = 24
	maxValueLen    = 8
	macLen         = 16
	macEncodedLen  = 22 // base64.RawURLEncoding.EncodedLen(macLen)
	maxCallbackLen = 64
	callbackSep    = '|'
)

// errBadCallback is wrapped by every reason a button press is refused.
var errBadCallback = errors.New("telegram: callback data is not a valid vocbot button")

// callbackKey is the HMAC key for button data: the configured secret, or one
// derived from the bot token (stable across replicas and restarts; a new
// token invalidates the buttons already sent).
func callbackKey(secret []byte, token string) []byte {
	if len(secret) > 0 {
		return secret
	}
	m := hmac.New(sha256.New, []byte("vocbot telegram callback key v1"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

// callbackMAC authenticates ref and value for one chat and, when the
// prompt named one, one user ("" lets anyone in the chat answer).
func callbackMAC(key []byte, chat, user, ref, value string) []byte {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{"tg-cb-v1", chat, user, ref, value} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)[:macLen]
}

// validToken reports whether s is 1..max printable ASCII bytes without the separator.
func validToken(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' || s[i] == callbackSep {
			return false
		}
	}
	return true
}

// packCallback builds the button data for one choice of a prompt sent to chat/user.
func packCallback(key []byte, chat, user, ref, value string) (string, error) {
	if !validToken(ref, maxRefLen) {
		return "", fmt.Errorf("telegram: prompt ref %q must be 1–%d printable ASCII bytes without %q", ref, maxRefLen, callbackSep)
	}
	if !validToken(value, maxValueLen) {
		return "", fmt.Errorf("telegram: choice value %q must be 1–%d printable ASCII bytes without %q", value, maxValueLen, callbackSep)
	}
	mac := base64.RawURLEncoding.EncodeToString(callbackMAC(key, chat, user, ref, value))
	return ref + string(callbackSep) + value + string(callbackSep) + mac, nil
}

// parseCallback splits button data into its parts; it checks the shape only.
func parseCallback(data string) (ref, value string, mac []byte, err error) {
	if len(data) > maxCallbackLen {
		return "", "", nil, fmt.Errorf("%w: %d bytes", errBadCallback, len(data))
	}
	parts := strings.Split(data, string(callbackSep))
	if len(parts) != 3 || !validToken(parts[0], maxRefLen) || !validToken(parts[1], maxValueLen) || len(parts[2]) != macEncodedLen {
		return "", "", nil, fmt.Errorf("%w: wrong shape", errBadCallback)
	}
	mac, err = base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(mac) != macLen {
		return "", "", nil, fmt.Errorf("%w: bad mac encoding", errBadCallback)
	}
	return parts[0], parts[1], mac, nil
}

// verifyCallback checks that data is a button vocbot sent to chat, and to
// user or to the whole chat, and returns its ref and value.
func verifyCallback(key []byte, chat, user, data string) (ref, value string, err error) {
	ref, value, mac, err := parseCallback(data)
	if err != nil {
		return "", "", err
	}
	if hmac.Equal(mac, callbackMAC(key, chat, user, ref, value)) || hmac.Equal(mac, callbackMAC(key, chat, "", ref, value)) {
		return ref, value, nil
	}
	return "", "", fmt.Errorf("%w: mac does not match chat %s", errBadCallback, chat)
}
