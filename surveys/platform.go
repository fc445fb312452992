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
//
// With Late set, the bucket is a schedule instead, for a platform that
// counts sends in a sliding window: a send books the next free time on it
// (times Interval apart, shared by every replica, booked at most a second
// ahead), waits for that time and sends then; a sender that is not ready
// within Late of its time gives the time up and books another. Booking
// ahead keeps the schedule when senders are a little late (a bucket of one
// restarts it from each late take), and giving up late times keeps a
// delayed send from landing next to its successors. A platform allowing N
// sends in any window W declares Interval ≥ (W + D) / N, D being the most
// a send may arrive after its time (Late, plus the variation of what the
// send does between the check and the platform receiving it): every
// window then holds at most N sends.
type Rate struct {
	Interval time.Duration
	Burst    int
	Late     time.Duration
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
