package slack

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// What vocbot serve sees of Slack: Start, then the Request URLs (Mount),
// the Socket Mode connection (Receivers) and the send limits (Limits).

// Start builds the Bot and checks its token with auth.test, so a wrong
// token or API URL stops vocbot at start with a message naming the variable
// to fix.
func Start(ctx context.Context, cfg Config) (*Bot, error) {
	b, err := New(cfg)
	if err != nil {
		return nil, err
	}
	id, err := b.Identity(ctx)
	if err != nil {
		return nil, fmt.Errorf("slack: %w (check VOCBOT_SLACK_BOT_TOKEN and VOCBOT_SLACK_API_URL)", err)
	}
	b.log.Info("slack connected", "team", id.Team, "bot_user", id.UserID, "socket_mode", b.appToken != "")
	return b, nil
}

// Name is surveys.Slack.
func (b *Bot) Name() surveys.Platform { return surveys.Slack }

// Mount adds Slack's three Request URLs. Each verifies the request's
// signature with the signing secret (without one, every request gets 401).
func (b *Bot) Mount(mux *http.ServeMux, in surveys.Inbox) {
	mux.Handle("POST /slack/events", b.EventsHandler(in))
	mux.Handle("POST /slack/interactivity", b.InteractivityHandler(in))
	mux.Handle("POST /slack/commands", b.CommandsHandler(in))
}

// Receivers is the Socket Mode connection when an app token is set. It is
// not exclusive: Slack spreads an app's envelopes over all its connections
// (up to 10), each to one of them, so every replica may hold one.
func (b *Bot) Receivers() []surveys.Receiver {
	if b.appToken == "" {
		return nil
	}
	return []surveys.Receiver{{
		Name: "slack-socket-mode",
		Run: func(ctx context.Context, in surveys.Inbox) error {
			return b.RunSocketMode(ctx, b.appToken, in, in)
		},
	}}
}

// Limits: chat.postMessage allows about one message per second per channel
// (short bursts tolerated); the bot as a whole is kept to 50 a second.
func (b *Bot) Limits() surveys.SendLimits {
	return surveys.SendLimits{
		Global:  surveys.Rate{Interval: 20 * time.Millisecond, Burst: 20},
		PerChat: surveys.Rate{Interval: time.Second, Burst: 1},
	}
}
