package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"

	"github.com/vocbot/vocbot/surveys"
)

// Telegram's callback_data is 1–64 bytes, unchecked by the SDK. Ours is
// surveys.ButtonData with values of at most 8 bytes: at most 56 bytes.
var callbacks = surveys.ButtonData{
	Domain:   "tg-cb-v1", // part of every button already sent: never change it
	MaxValue: 8,
	MaxLen:   64,
	Err:      errBadCallback,
	Platform: "telegram",
}

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
