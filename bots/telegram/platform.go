package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// What vocbot serve sees of Telegram: Start, then either the webhook route
// (Mount) or long polling (Receivers), and the send limits (Limits).

// Start builds the Bot (checking the token with getMe), registers the
// customer command menu and, in webhook mode, points Telegram at
// PublicURL + WebhookPath. Telegram retries deliveries it could not make,
// so registering before the HTTP server listens loses nothing.
func Start(ctx context.Context, cfg Config) (*Bot, error) {
	b, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := b.SetCommands(ctx); err != nil {
		// The menu is a convenience; commands work without it.
		b.log.Warn("telegram: could not register the command menu", "err", err)
	}
	mode := "polling"
	if b.webhook {
		if err := b.RegisterWebhook(ctx, b.publicURL, b.webhookSecret); err != nil {
			return nil, err
		}
		mode = "webhook"
		b.log.Info("telegram webhook registered", "url", b.publicURL+WebhookPath)
	}
	b.log.Info("telegram connected", "bot", b.Username(), "mode", mode)
	return b, nil
}

// Name is surveys.Telegram.
func (b *Bot) Name() surveys.Platform { return surveys.Telegram }

// Mount adds POST /telegram/webhook in webhook mode, and nothing when
// polling.
func (b *Bot) Mount(mux *http.ServeMux, in surveys.Inbox) {
	if b.webhook {
		mux.Handle("POST "+WebhookPath, b.WebhookHandler(commandsFirst{bot: b, in: in}, b.webhookSecret))
	}
}

// Receivers is long polling, unless in webhook mode. It is exclusive: one
// bot token allows one poller (a second one gets 409s).
func (b *Bot) Receivers() []surveys.Receiver {
	if b.webhook {
		return nil
	}
	return []surveys.Receiver{{
		Name:      "telegram-polling",
		Exclusive: true,
		Run: func(ctx context.Context, in surveys.Inbox) error {
			return b.Poll(ctx, commandsFirst{bot: b, in: in})
		},
	}}
}

// Limits are Telegram's own: 30 messages a second for the bot, one a
// second per chat (storage slows groups further, to 20 a minute). A 429
// still blocks the chat's bucket for its retry_after.
//
// Telegram counts the bot's sends in any one-second window, so the bot's
// bucket is a schedule (Rate.Late): each send books a time, sends
// are globalInterval apart on every replica, and a sender more than
// globalLate behind its time gives it up. A send may then arrive up to
// sendSpread after its time (globalLate, plus the variation of the claim's
// commit and the HTTP call after the check), and 30 times spaced
// globalInterval = (1 s + sendSpread) / 30 apart span more than a second
// plus that spread: no window holds a 31st send (TestGlobalScheduleFitsTheWindow
// replays the worst case through the fake's limiter). Earlier forms: a
// bucket of 30 sent up to 60 in the first second (0.88 of the limit, 45 ×
// 429 over 300 recipients); a bucket of one restarted its schedule from
// each late take, losing about 2 ms a send (0.93–0.95 of the limit); a
// bucket of two let 31–32 sends into some seconds (0.85–0.90, 11–12 × 429).
func (b *Bot) Limits() surveys.SendLimits {
	return surveys.SendLimits{
		Global:  surveys.Rate{Interval: globalInterval, Burst: 1, Late: globalLate},
		PerChat: surveys.Rate{Interval: time.Second, Burst: 1},
	}
}

// The bot's schedule: see Limits.
const (
	telegramPerSecond = 30
	globalLate        = 10 * time.Millisecond
	sendSpread        = 30 * time.Millisecond
	// Rounded up to a whole microsecond: the schedule is kept in microseconds.
	globalInterval = ((time.Second+sendSpread)/telegramPerSecond/time.Microsecond + 1) * time.Microsecond
)

// commandFailed is the reply when a command fails on vocbot's side.
const commandFailed = "Sorry, that command failed on vocbot's side. Try again in a minute; if it keeps failing, tell your vocbot operator."

// commandsFirst is the Handler updates go to. Telegram has no slash
// commands apart from messages, so a message "/survey …" (typed in a staff
// chat) goes to the Inbox's Command and its reply is sent back to that
// chat; every other message and press goes on to the Inbox's Handle.
type commandsFirst struct {
	bot *Bot
	in  surveys.Inbox
}

func (c commandsFirst) Handle(ctx context.Context, msg surveys.Incoming) error {
	if msg.Value != "" || !surveys.IsAmbassadorCommand(msg.Text) {
		return c.in.Handle(ctx, msg)
	}
	reply, err := c.in.Command(ctx, surveys.CommandRequest{ID: msg.ID, From: msg.From, Text: msg.Text})
	if err != nil {
		reply = surveys.CommandReply{Text: commandFailed}
	}
	if reply.Text == "" {
		return err
	}
	to := surveys.Address{Platform: msg.From.Platform, ChatID: msg.From.ChatID}
	if to.ChatID == "" {
		to.UserID = msg.From.UserID
	}
	if _, serr := c.bot.Send(ctx, to, surveys.Prompt{Text: reply.Text, Dir: reply.Dir}); serr != nil {
		return errors.Join(err, fmt.Errorf("reply to /survey: %w", serr))
	}
	return err
}
