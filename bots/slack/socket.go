package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/vocbot/vocbot/surveys"
)

// RunSocketMode receives DMs, button presses and slash commands over Slack's
// Socket Mode instead of the HTTP Request URLs: it opens a websocket with
// the app-level token (xapp-…, connections:write) through
// apps.connections.open on the configured Web API and reconnects whenever
// Slack or the network drops it, until ctx ends (then it returns nil).
//
// Envelopes are decoded exactly like their HTTP counterparts and
// acknowledged the same way: an event or a press is acked once h has taken
// it (no ack makes Slack redeliver the event, or show the person a warning
// for a press, as a 500 does over HTTP); a slash command is acked with its
// reply as payload; anything vocbot does not use is acked at once. Each
// envelope is handled on its own goroutine, so a slow one delays no other
// ack. Slack spreads envelopes over up to 10 connections of an app, so
// every replica may run this at the same time.
//
// It returns an error only when Slack refuses the token for good
// (invalid_auth, not_authed, account_inactive, token_revoked).
func (b *Bot) RunSocketMode(ctx context.Context, appToken string, h surveys.Handler, c surveys.Commander) error {
	if !strings.HasPrefix(appToken, "xapp-") {
		return errors.New("slack socket mode: the app-level token must start with xapp- (Basic Information → App-Level Tokens, scope connections:write)")
	}
	// Same Web API URL and HTTP client as the bot; apps.connections.open
	// takes the app-level token instead of the bot token. slack.Client is
	// plain data, so a copy is a second client.
	api := *b.api
	slackgo.OptionAppLevelToken(appToken)(&api)
	sm := socketmode.New(&api, socketmode.OptionLog(slog.NewLogLogger(b.log.Handler(), slog.LevelDebug)))

	run, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-run.Done():
				return
			case evt := <-sm.Events:
				b.socketEvent(run, sm, evt, h, c, &wg)
			}
		}
	})
	err := sm.RunContext(run)
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("slack socket mode: %w (check VOCBOT_SLACK_APP_TOKEN)", err)
}

// socketEvent reacts to one event of the socketmode client; envelopes are
// handled on goroutines counted by wg.
func (b *Bot) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event, h surveys.Handler, c surveys.Commander, wg *sync.WaitGroup) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		if ce, ok := evt.Data.(*socketmode.ConnectedEvent); ok && ce.ConnectionCount > 0 {
			b.log.Info("slack socket mode reconnected", "connection", ce.ConnectionCount+1)
		} else {
			b.log.Info("slack socket mode connected")
		}
	case socketmode.EventTypeConnectionError:
		if ce, ok := evt.Data.(*slackgo.ConnectionErrorEvent); ok {
			b.log.Warn("slack socket mode: cannot connect; retrying", "attempt", ce.Attempt, "backoff", ce.Backoff.String(), "err", ce.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack socket mode: the app-level token was refused; check VOCBOT_SLACK_APP_TOKEN")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		b.log.Warn("slack socket mode: websocket trouble", "event", evt.Type, "data", fmt.Sprint(evt.Data))
	case socketmode.EventTypeErrorBadMessage:
		// An envelope slack-go could not parse (an event type it does not
		// know, say): ack it anyway, or Slack delivers it again and again.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var req socketmode.Request
			if json.Unmarshal(bad.Message, &req) == nil && req.EnvelopeID != "" {
				b.ack(ctx, sm, req.EnvelopeID, nil)
			}
			b.log.Warn("slack socket mode: unreadable envelope acked and dropped", "err", bad.Cause)
		}
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		req := *evt.Request
		wg.Go(func() { b.envelope(ctx, sm, req, h, c) })
	}
}

// envelope handles one Socket Mode envelope and acks it (or, when h fails,
// leaves it for Slack to redeliver).
func (b *Bot) envelope(ctx context.Context, sm *socketmode.Client, req socketmode.Request, h surveys.Handler, c surveys.Commander) {
	// Like an HTTP request whose client hung up: finish the work anyway.
	work := context.WithoutCancel(ctx)
	switch req.Type {
	case socketmode.RequestTypeEventsAPI:
		ev, err := decodeEvent(req.Payload)
		switch {
		case err != nil:
			b.log.Warn("slack socket mode: malformed event dropped", "envelope_id", req.EnvelopeID, "err", err)
		case ev.rateLimited:
			b.log.Warn("slack app_rate_limited: Slack is dropping events for this app for up to a minute")
		case ev.incoming != nil:
			if err := h.Handle(work, *ev.incoming); err != nil {
				b.log.Error("slack event not handled; Slack will redeliver", "event_id", ev.incoming.ID,
					"retry", req.RetryAttempt, "err", err)
				return
			}
		}
		b.ack(ctx, sm, req.EnvelopeID, nil)
	case socketmode.RequestTypeInteractive:
		ins, err := decodeInteractionPayload(req.Payload)
		if err != nil {
			b.log.Warn("slack socket mode: malformed interaction dropped", "envelope_id", req.EnvelopeID, "err", err)
		}
		for _, in := range ins {
			if err := h.Handle(work, in); err != nil {
				b.log.Error("slack button press not handled", "id", in.ID, "err", err)
				return
			}
		}
		b.ack(ctx, sm, req.EnvelopeID, nil)
	case socketmode.RequestTypeSlashCommands:
		cmd, err := decodeCommandPayload(req.Payload)
		if err != nil {
			b.log.Warn("slack socket mode: malformed command dropped", "envelope_id", req.EnvelopeID, "err", err)
			b.ack(ctx, sm, req.EnvelopeID, nil)
			return
		}
		b.ack(ctx, sm, req.EnvelopeID, b.answerCommand(work, c, cmd))
	}
}

// ack acknowledges an envelope, with the payload Slack shows for a slash
// command (nil for none).
func (b *Bot) ack(ctx context.Context, sm *socketmode.Client, envelopeID string, payload map[string]string) {
	var p any
	if payload != nil {
		p = payload
	}
	if err := sm.AckCtx(ctx, envelopeID, p); err != nil && ctx.Err() == nil {
		b.log.Warn("slack socket mode: ack not sent", "envelope_id", envelopeID, "err", err)
	}
}
