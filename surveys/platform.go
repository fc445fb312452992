package surveys

import (
	"context"
	"time"
)

// A chat platform is, to vocbot, an adapter that delivers what people do
// into an Inbox, sends what vocbot says through Sender (and the optional
// capabilities: Editor, DigestPoster, AlertPoster, …), and declares how fast
// it may send. This file is that seam's vocabulary; the adapters live in
// bots/, one folder each.

// Commander runs the /survey commands people give in any chat: the alert
// commands (reply, resolve) and the ambassadors' commands. The request
// carries the platform, the user, the chat and, on Discord, the caller's
// roles, so authorization works the same for every platform.
type Commander interface {
	Command(ctx context.Context, req CommandRequest) (CommandReply, error)
}

// Inbox is where an adapter delivers what it receives: messages and button
// presses to Handle, slash commands to Command.
type Inbox interface {
	Handler
	Commander
}

// Rate is a token bucket: one token every Interval, up to Burst at once.
type Rate struct {
	Interval time.Duration
	Burst    int
}

// SendLimits are what a platform lets one bot send: one bucket for the
// whole bot and one per chat. The delivery workers enforce them through a
// limiter shared by every replica.
type SendLimits struct {
	Global  Rate
	PerChat Rate
}

// Receiver is a long-lived inbound connection an adapter holds open:
// Telegram's long polling, Discord's gateway, Slack's Socket Mode.
type Receiver struct {
	// Name appears in logs and names the lock of an exclusive receiver.
	Name string
	// Exclusive receivers run on one replica at a time (a second Telegram
	// poller gets 409s; a second gateway session would see every event
	// twice); the others stand by and take over when it stops.
	Exclusive bool
	// Run receives until ctx ends or the connection fails for good.
	Run func(ctx context.Context, in Inbox) error
}
