package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/vocbot/vocbot/surveys"
)

// maxBody is the largest inbound request read: 1 MiB, far above any real Slack payload.
const maxBody = 1 << 20

// EventsHandler serves the Events API Request URL (/slack/events): it
// answers url_verification and turns DMs to the bot (message.im) into
// Incoming with ID "slack:"+event_id.
//
// Retries (X-Slack-Retry-Num) are passed on like first deliveries, with the
// same ID: the Engine dedupes by ID, and a retry after a failed or slow
// first attempt may be the only delivery that gets through. A handler error
// answers 500 so Slack retries. Messages from bots (ours included), edits,
// joins and other subtypes are ignored.
func (b *Bot) EventsHandler(h surveys.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		ev, err := decodeEvent(body)
		if err != nil {
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		switch {
		case ev.challenge != "":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"challenge": ev.challenge})
		case ev.rateLimited:
			b.log.Warn("slack app_rate_limited: Slack is dropping events for this app for up to a minute")
		case ev.incoming != nil:
			// Slack hangs up after 3 s and retries; finish the work anyway.
			ctx := context.WithoutCancel(r.Context())
			if err := h.Handle(ctx, *ev.incoming); err != nil {
				b.log.Error("slack event not handled; Slack will retry", "event_id", ev.incoming.ID,
					"retry", r.Header.Get("X-Slack-Retry-Num"), "err", err)
				http.Error(w, "not handled", http.StatusInternalServerError)
				return
			}
		}
	})
}

// InteractivityHandler serves the Interactivity Request URL
// (/slack/interactivity): a press of one of our prompt buttons
// (block_actions) becomes Incoming with Value and Ref. Slack expects 200
// within 3 s and does not retry; a handler error answers 500, which shows
// the person a warning so they can press again. Other interactions and
// buttons that are not ours are acknowledged and ignored.
func (b *Bot) InteractivityHandler(h surveys.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		ins, err := decodeInteraction(body)
		if err != nil {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		ctx := context.WithoutCancel(r.Context())
		for _, in := range ins {
			if err := h.Handle(ctx, in); err != nil {
				b.log.Error("slack button press not handled", "id", in.ID, "err", err)
				http.Error(w, "not handled", http.StatusInternalServerError)
				return
			}
		}
	})
}

// commandFailed is the reply when a command fails on vocbot's side.
const commandFailed = "Sorry, that command failed on vocbot's side. Try again in a minute; if it keeps failing, tell your vocbot operator."

// CommandsHandler serves the slash command Request URL (/slack/commands)
// and answers with c's reply as an ephemeral message. c gets the text
// after /survey with Slack's escaping of &, < and > undone; user mentions
// stay as Slack writes them (<@U0123ABC|dana>, with "Escape channels,
// users, and links" on). An error is logged and answered with a generic
// apology.
func (b *Bot) CommandsHandler(c surveys.Commander) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		cmd, err := decodeCommand(body)
		if err != nil {
			http.Error(w, "malformed command", http.StatusBadRequest)
			return
		}
		answer := b.answerCommand(context.WithoutCancel(r.Context()), c, cmd)
		if answer == nil {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
	})
}

// runCommand runs a slash command and returns the ephemeral answer as
// Slack takes it in the HTTP response, the Socket Mode ack or a POST to
// response_url; nil when the handler has nothing to say.
func (b *Bot) runCommand(ctx context.Context, c surveys.Commander, cmd slackgo.SlashCommand) map[string]string {
	from := surveys.Address{Platform: surveys.Slack, ChatID: cmd.ChannelID, UserID: cmd.UserID}
	r, err := c.Command(ctx, surveys.CommandRequest{From: from, Text: unescape(cmd.Text)})
	reply := r.Text
	if err != nil {
		b.log.Error("slack command failed", "command", cmd.Command, "err", err)
		reply = commandFailed
	}
	if reply == "" {
		return nil
	}
	return map[string]string{"response_type": slackgo.ResponseTypeEphemeral, "text": escape(reply)}
}

// verified reads the raw body once (≤ 1 MiB) and checks Slack's signature
// over it; on failure it has already answered (405, 413, 400 or 401).
func (b *Bot) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body over 1 MiB", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read body", http.StatusBadRequest)
		}
		return nil, false
	}
	sv, err := slackgo.NewSecretsVerifier(r.Header, b.secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		b.log.Warn("slack request rejected: bad or missing signature", "path", r.URL.Path, "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// event is what vocbot takes from an Events API delivery.
type event struct {
	challenge   string
	rateLimited bool
	incoming    *surveys.Incoming
}

// decodeEvent reads an Events API body. Event types vocbot does not use
// decode to the zero event; only malformed JSON is an error.
func decodeEvent(body []byte) (event, error) {
	var outer struct {
		Type      string          `json:"type"`
		Challenge string          `json:"challenge"`
		EventID   string          `json:"event_id"`
		Event     json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		return event{}, fmt.Errorf("decode event: %w", err)
	}
	switch outer.Type {
	case slackevents.URLVerification:
		if outer.Challenge == "" {
			return event{}, errors.New("decode event: url_verification without challenge")
		}
		return event{challenge: outer.Challenge}, nil
	case slackevents.AppRateLimited:
		return event{rateLimited: true}, nil
	case slackevents.CallbackEvent:
	default:
		return event{}, nil
	}
	var inner struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(outer.Event, &inner); err != nil {
		return event{}, fmt.Errorf("decode event: %w", err)
	}
	if inner.Type != string(slackevents.Message) {
		return event{}, nil
	}
	var m slackevents.MessageEvent
	if err := json.Unmarshal(outer.Event, &m); err != nil {
		return event{}, fmt.Errorf("decode message event: %w", err)
	}
	if m.ChannelType != "im" || m.SubType != "" || m.BotID != "" || m.User == "" || m.Channel == "" || outer.EventID == "" {
		return event{}, nil
	}
	in := surveys.Incoming{
		ID:   "slack:" + outer.EventID,
		From: surveys.Address{Platform: surveys.Slack, ChatID: m.Channel, UserID: m.User},
		Text: unescape(m.Text),
	}.Clean() // a NUL or broken UTF-8 in a signed event is cleaned, never a 500
	return event{incoming: &in}, nil
}

// decodeInteraction reads an interactivity body (form field payload) and
// returns one Incoming per press of a vocbot button.
func decodeInteraction(body []byte) ([]surveys.Incoming, error) {
	ic, err := slackgo.InteractionCallbackParse(formRequest(body))
	if err != nil {
		return nil, fmt.Errorf("decode interaction: %w", err)
	}
	return interactionIncoming(ic), nil
}

// decodeInteractionPayload reads an interaction as Socket Mode delivers it:
// the JSON that HTTP wraps in the form field payload.
func decodeInteractionPayload(payload []byte) ([]surveys.Incoming, error) {
	var ic slackgo.InteractionCallback
	if err := json.Unmarshal(payload, &ic); err != nil {
		return nil, fmt.Errorf("decode interaction: %w", err)
	}
	return interactionIncoming(ic), nil
}

// interactionIncoming is one Incoming per press of a vocbot button.
func interactionIncoming(ic slackgo.InteractionCallback) []surveys.Incoming {
	if ic.Type != slackgo.InteractionTypeBlockActions || ic.User.ID == "" {
		return nil
	}
	chat := ic.Container.ChannelID
	if chat == "" {
		chat = ic.Channel.ID
	}
	// The message the buttons are on: the Engine edits it even when the
	// press beats the delivery job's record of the sent message.
	var msg surveys.MessageRef
	msgTs := ic.Container.MessageTs
	if msgTs == "" {
		msgTs = ic.Message.Timestamp
	}
	if chat != "" && msgTs != "" {
		msg = messageRef(chat, msgTs)
	}
	var ins []surveys.Incoming
	for _, a := range ic.ActionCallback.BlockActions {
		if a == nil {
			continue
		}
		btn, ok := decodeButton(a.Value)
		if !ok {
			continue
		}
		ts := a.ActionTs
		if ts == "" {
			ts = ic.ActionTs
		}
		ins = append(ins, surveys.Incoming{
			ID:      "slack:action:" + ic.User.ID + ":" + ts + ":" + a.ActionID,
			From:    surveys.Address{Platform: surveys.Slack, ChatID: chat, UserID: ic.User.ID},
			Value:   btn.Value,
			Ref:     btn.Ref,
			Locale:  ic.User.Locale,
			Message: msg,
		}.Clean())
	}
	return ins
}

// decodeCommand reads a slash command body.
func decodeCommand(body []byte) (slackgo.SlashCommand, error) {
	cmd, err := slackgo.SlashCommandParse(formRequest(body))
	if err != nil {
		return cmd, fmt.Errorf("decode command: %w", err)
	}
	return checkCommand(cmd)
}

// decodeCommandPayload reads a slash command as Socket Mode delivers it:
// the form's fields as a JSON object.
func decodeCommandPayload(payload []byte) (slackgo.SlashCommand, error) {
	var cmd slackgo.SlashCommand
	if err := json.Unmarshal(payload, &cmd); err != nil {
		return cmd, fmt.Errorf("decode command: %w", err)
	}
	return checkCommand(cmd)
}

func checkCommand(cmd slackgo.SlashCommand) (slackgo.SlashCommand, error) {
	if cmd.UserID == "" {
		return cmd, errors.New("decode command: no user_id")
	}
	return cmd, nil
}

// formRequest wraps an already verified form body for slack-go's parsers,
// which read the request body themselves.
func formRequest(body []byte) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body)) // cannot fail: fixed method and URL
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
