package discord

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// A button's custom_id (1–100 characters, echoed back by Discord when the
// button is pressed) is "<ref>|<value>|<mac>": ref ≤ 24 and value ≤ 16
// printable ASCII bytes without '|', and a 128-bit HMAC over both and the
// channel (and user) the message went to, in unpadded base64url (22
// bytes): at most 64 characters. A press is believed only when the MAC
// matches the channel and user of the interaction.
const (
	maxRefLen      = 24
	maxValueLen    = 16
	macLen         = 16
	macEncodedLen  = 22 // base64.RawURLEncoding.EncodedLen(macLen)
	maxCustomIDLen = 100
	customIDSep    = '|'
)

// errBadCustomID is wrapped by every reason a press is refused.
var errBadCustomID = errors.New("discord: custom_id is not a valid vocbot button")

// binding is who a message's buttons are valid for: the channel, and the
// user when the address names one ("" lets anyone in the channel press).
type binding struct{ channel, user string }

func customIDMAC(key []byte, channel, user, ref, value string) []byte {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{"dc-cid-v1", channel, user, ref, value} {
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
		if s[i] <= ' ' || s[i] > '~' || s[i] == customIDSep {
			return false
		}
	}
	return true
}

// packCustomID builds the custom_id of one button.
func packCustomID(key []byte, b binding, ref, value string) (string, error) {
	if !validToken(ref, maxRefLen) {
		return "", fmt.Errorf("discord: prompt ref %q must be 1–%d printable ASCII bytes without %q", ref, maxRefLen, customIDSep)
	}
	if !validToken(value, maxValueLen) {
		return "", fmt.Errorf("discord: choice value %q must be 1–%d printable ASCII bytes without %q", value, maxValueLen, customIDSep)
	}
	mac := base64.RawURLEncoding.EncodeToString(customIDMAC(key, b.channel, b.user, ref, value))
	return ref + string(customIDSep) + value + string(customIDSep) + mac, nil
}

// parseCustomID splits a custom_id into its parts; it checks the shape only.
func parseCustomID(id string) (ref, value string, mac []byte, err error) {
	if len(id) > maxCustomIDLen {
		return "", "", nil, fmt.Errorf("%w: %d characters", errBadCustomID, len(id))
	}
	parts := strings.Split(id, string(customIDSep))
	if len(parts) != 3 || !validToken(parts[0], maxRefLen) || !validToken(parts[1], maxValueLen) || len(parts[2]) != macEncodedLen {
		return "", "", nil, fmt.Errorf("%w: wrong shape", errBadCustomID)
	}
	mac, err = base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(mac) != macLen {
		return "", "", nil, fmt.Errorf("%w: bad mac encoding", errBadCustomID)
	}
	return parts[0], parts[1], mac, nil
}

// verifyCustomID checks that id is a button vocbot sent to channel, for
// user or for everyone there, and returns its ref and value.
func verifyCustomID(key []byte, channel, user, id string) (ref, value string, err error) {
	ref, value, mac, err := parseCustomID(id)
	if err != nil {
		return "", "", err
	}
	if hmac.Equal(mac, customIDMAC(key, channel, user, ref, value)) || hmac.Equal(mac, customIDMAC(key, channel, "", ref, value)) {
		return ref, value, nil
	}
	return "", "", fmt.Errorf("%w: mac does not match channel %s", errBadCustomID, channel)
}
