package discord

import (
	"errors"

	"github.com/vocbot/vocbot/surveys"
)

// A button's custom_id (1–100 characters, echoed back by Discord when the
// button is pressed) is surveys.ButtonData with values of at most 16 bytes:
// at most 64 characters.
var customIDs = surveys.ButtonData{
	Domain:   "dc-cid-v1", // part of every button already sent: never change it
	MaxValue: 16,
	MaxLen:   100,
	Err:      errBadCustomID,
	Platform: "discord",
}

// errBadCustomID is wrapped by every reason a press is refused.
var errBadCustomID = errors.New("discord: custom_id is not a valid vocbot button")

// binding is who a message's buttons are valid for: the channel, and the
// user when the address names one ("" lets anyone in the channel press).
type binding struct{ channel, user string }

// packCustomID builds the custom_id of one button.
func packCustomID(key []byte, b binding, ref, value string) (string, error) {
	return customIDs.Pack(key, b.channel, b.user, ref, value)
}
