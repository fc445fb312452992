package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/vocbot/vocbot/surveys"
)

// Receivers is the gateway when no public key is configured: one
// connection per bot, so it runs on one replica at a time (a second one
// would see every event twice). In HTTP interactions mode there is none.
func (b *Bot) Receivers() []surveys.Receiver {
	if b.publicKey != nil {
		return nil
	}
	return []surveys.Receiver{{Name: "discord-gateway", Exclusive: true, Run: b.RunGateway}}
}

// RunGateway holds a gateway session open until ctx ends: interactions
// arrive as INTERACTION_CREATE and are answered through the REST callback;
// a DM typed to the bot (MESSAGE_CREATE without a guild) is an Incoming,
// so customers may type their score or comment. discordgo's Session does
// hello, identify, heartbeats, and reconnects with resume on its own.
// It returns an error when the first connection fails (a refused token
// says which variable to fix).
func (b *Bot) RunGateway(ctx context.Context, in surveys.Inbox) error {
	s, err := discordgo.New("Bot " + b.token)
	if err != nil {
		return fmt.Errorf("discord gateway: %w", err)
	}
	s.Client = b.s.Client
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.LogLevel = -1 // its debug log prints the IDENTIFY packet, token included
	s.StateEnabled = false
	s.Identify.Intents = discordgo.IntentsDirectMessages // DMs need no privileged intent
	s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic.Interaction != nil {
			b.gatewayInteraction(ctx, in, ic.Interaction)
		}
	})
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		if m.Message != nil {
			b.gatewayMessage(ctx, in, m.Message)
		}
	})
	if err := s.Open(); err != nil {
		return b.gatewayError(err)
	}
	b.log.Info("discord gateway connected")
	<-ctx.Done()
	s.Lock()
	s.ShouldReconnectOnError = false
	s.Unlock()
	if err := s.Close(); err != nil && !errors.Is(err, discordgo.ErrWSNotFound) {
		b.log.Warn("discord gateway close", "err", b.scrub(err.Error()))
	}
	return nil
}

// gatewayError words a failed first connection.
func (b *Bot) gatewayError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return errors.New("discord gateway: Discord refused the bot token (close 4004): check VOCBOT_DISCORD_TOKEN")
		case 4013, 4014:
			return fmt.Errorf("discord gateway: Discord refused the intents (close %d): enable what the bot needs in the Developer Portal", ce.Code)
		}
	}
	var se *surveys.SendError
	if errors.As(err, &se) {
		return fmt.Errorf("discord gateway: %v (check VOCBOT_DISCORD_API_URL and VOCBOT_DISCORD_TOKEN)", err)
	}
	return fmt.Errorf("discord gateway: %s", b.scrub(err.Error()))
}

// gatewayInteraction answers an interaction through the REST callback.
func (b *Bot) gatewayInteraction(ctx context.Context, in surveys.Inbox, it *discordgo.Interaction) {
	if it.ID == "" || it.Token == "" {
		return
	}
	answered := make(chan struct{})
	defer close(answered)
	resp := b.interact(ctx, in, it, answered)
	if resp == nil {
		return
	}
	err := b.call(ctx, http.MethodPost, discordgo.EndpointInteractionResponse(it.ID, it.Token),
		"/interactions/{interaction}/{token}/callback", resp, nil)
	if err != nil {
		b.log.Error("interaction answer refused", "interaction_id", it.ID, "err", err)
	}
}

// gatewayMessage turns a DM typed to the bot into an Incoming. The bot's
// own messages come back too and are ignored, or the "why?" question would
// become the comment.
func (b *Bot) gatewayMessage(ctx context.Context, in surveys.Inbox, m *discordgo.Message) {
	msg, ok := b.decodeMessage(m)
	if !ok {
		return
	}
	if err := in.Handle(ctx, msg); err != nil {
		b.log.Error("message not handled", "message_id", m.ID, "err", err)
	}
}

// decodeMessage is a DM from a person, as vocbot reads it.
func (b *Bot) decodeMessage(m *discordgo.Message) (surveys.Incoming, bool) {
	if m.GuildID != "" || m.Author == nil || m.Author.Bot || m.Author.ID == "" || m.Author.ID == b.self ||
		m.ChannelID == "" || m.ID == "" || strings.TrimSpace(m.Content) == "" {
		return surveys.Incoming{}, false
	}
	return surveys.Incoming{
		ID:   "discord:msg:" + m.ID,
		From: surveys.Address{Platform: surveys.Discord, ChatID: m.ChannelID, UserID: m.Author.ID},
		Text: m.Content,
	}, true
}
