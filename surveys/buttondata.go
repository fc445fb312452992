package surveys

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ButtonData signs the data a chat button carries back when it is pressed
// (Telegram's callback_data, Discord's custom_id): "<ref>|<value>|<mac>",
// where ref (≤ 24) and value (≤ MaxValue) are printable ASCII without '|'
// and mac is a 128-bit HMAC in unpadded base64url (22 bytes) over both and
// the chat (and user) the message went to. A press is believed only when
// the MAC matches the chat and user it came from, or the chat alone for a
// button anyone there may press.
type ButtonData struct {
	// Domain separates one platform's MACs from another's. It is part of
	// every button already sent: changing it breaks them.
	Domain string
	// MaxValue bounds the value; MaxLen the whole data (the platform's limit).
	MaxValue, MaxLen int
	// Err is wrapped by every reason a press is refused.
	Err error
	// Platform names the data in errors ("telegram", "discord").
	Platform string
}

const (
	// MaxButtonRef is the longest prompt ref a button can carry.
	MaxButtonRef    = 24
	buttonMACLen    = 16
	buttonMACText   = 22 // base64.RawURLEncoding.EncodedLen(buttonMACLen)
	buttonSeparator = '|'
)

// ErrBadButton is what ButtonData wraps when it has no Err of its own.
var ErrBadButton = errors.New("button data is not a valid vocbot button")

func (d ButtonData) err() error {
	if d.Err != nil {
		return d.Err
	}
	return ErrBadButton
}

func (d ButtonData) mac(key []byte, chat, user, ref, value string) []byte {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{d.Domain, chat, user, ref, value} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)[:buttonMACLen]
}

// ValidPart reports whether s is 1..max printable ASCII bytes without the separator.
func ValidPart(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' || s[i] == buttonSeparator {
			return false
		}
	}
	return true
}

// Pack builds the data of one choice of a prompt sent to chat, for user
// ("" lets anyone in the chat press it).
func (d ButtonData) Pack(key []byte, chat, user, ref, value string) (string, error) {
	if !ValidPart(ref, MaxButtonRef) {
		return "", fmt.Errorf("%s: prompt ref %q must be 1–%d printable ASCII bytes without %q", d.Platform, ref, MaxButtonRef, buttonSeparator)
	}
	if !ValidPart(value, d.MaxValue) {
		return "", fmt.Errorf("%s: choice value %q must be 1–%d printable ASCII bytes without %q", d.Platform, value, d.MaxValue, buttonSeparator)
	}
	mac := base64.RawURLEncoding.EncodeToString(d.mac(key, chat, user, ref, value))
	return ref + string(buttonSeparator) + value + string(buttonSeparator) + mac, nil
}

// Parse splits button data into its parts; it checks the shape only.
func (d ButtonData) Parse(data string) (ref, value string, mac []byte, err error) {
	if len(data) > d.MaxLen {
		return "", "", nil, fmt.Errorf("%w: %d bytes", d.err(), len(data))
	}
	parts := strings.Split(data, string(buttonSeparator))
	if len(parts) != 3 || !ValidPart(parts[0], MaxButtonRef) || !ValidPart(parts[1], d.MaxValue) || len(parts[2]) != buttonMACText {
		return "", "", nil, fmt.Errorf("%w: wrong shape", d.err())
	}
	mac, err = base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(mac) != buttonMACLen {
		return "", "", nil, fmt.Errorf("%w: bad mac encoding", d.err())
	}
	return parts[0], parts[1], mac, nil
}

// Verify checks that data is a button vocbot sent to chat, for user or for
// everyone there, and returns its ref and value.
func (d ButtonData) Verify(key []byte, chat, user, data string) (ref, value string, err error) {
	ref, value, mac, err := d.Parse(data)
	if err != nil {
		return "", "", err
	}
	if hmac.Equal(mac, d.mac(key, chat, user, ref, value)) || hmac.Equal(mac, d.mac(key, chat, "", ref, value)) {
		return ref, value, nil
	}
	return "", "", fmt.Errorf("%w: mac does not match chat %s", d.err(), chat)
}
