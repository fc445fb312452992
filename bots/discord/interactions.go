package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// InteractionsPath is where Discord posts interactions in HTTP mode: set
// the application's Interactions Endpoint URL to VOCBOT_PUBLIC_URL + it.
const InteractionsPath = "/discord/interactions"

const (
	maxBody = 1 << 20
	// signatureWindow bounds how old (or early) a signed request may be,
	// so a recorded one cannot be replayed later.
	signatureWindow = 5 * time.Minute
	// workTimeout bounds work that outlives its interaction's first answer:
	// the interaction token, needed to say how it ended, lasts 15 minutes.
	workTimeout = 14 * time.Minute
)

// Mount serves POST /discord/interactions when a public key is configured
// (HTTP interactions mode); without one it adds nothing and the gateway
// receives instead.
func (b *Bot) Mount(mux *http.ServeMux, in surveys.Inbox) {
	if b.publicKey == nil {
		return
	}
	mux.Handle("POST "+InteractionsPath, b.InteractionsHandler(in))
}

// InteractionsHandler verifies and answers Discord's interaction POSTs:
// an Ed25519 signature over timestamp and body by the application's public
// key, made within the last 5 minutes, or 401; PING is answered PONG.
// Everything else is answered within Discord's 3 seconds, inline; work
// that takes longer is deferred and finished through the interaction's
// webhook. It keeps no state: any replica may receive any interaction.
func (b *Bot) InteractionsHandler(in surveys.Inbox) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !b.fresh(r.Header.Get("X-Signature-Timestamp")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if b.publicKey == nil || !discordgo.VerifyInteraction(r, b.publicKey) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		it, err := decodeInteraction(body)
		if err != nil {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		answered := make(chan struct{})
		defer close(answered) // the response is out when the handler returns
		resp := b.interact(r.Context(), in, it, answered)
		if resp == nil {
			http.Error(w, "unsupported interaction type", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json") // Discord requires it
		_ = json.NewEncoder(w).Encode(resp)
	})
}

// fresh reports whether a signature timestamp (Unix seconds) is within
// the window around now.
func (b *Bot) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 || sec > math.MaxInt64/int64(time.Second) {
		return false
	}
	d := b.now().Sub(time.Unix(sec, 0))
	return d <= signatureWindow && d >= -signatureWindow
}

// decodeInteraction reads an interaction's JSON; it refuses what vocbot
// cannot act on safely (no id, token or type).
func decodeInteraction(body []byte) (*discordgo.Interaction, error) {
	var it discordgo.Interaction
	if err := json.Unmarshal(body, &it); err != nil {
		return nil, fmt.Errorf("decode interaction: %w", err)
	}
	if it.Type == 0 || (it.Type != discordgo.InteractionPing && (it.ID == "" || it.Token == "")) {
		return nil, errors.New("decode interaction: no type, id or token")
	}
	if it.Data == nil && it.Type != discordgo.InteractionPing {
		switch it.Type {
		case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
			return nil, errors.New("decode interaction: no data")
		}
	}
	return &it, nil
}

// invoker is who acted, and their roles in the guild (none in DMs).
func invoker(it *discordgo.Interaction) (user string, roles []string) {
	if it.Member != nil && it.Member.User != nil {
		return it.Member.User.ID, it.Member.Roles
	}
	if it.User != nil {
		return it.User.ID, nil
	}
	return "", nil
}

// interact answers one interaction: the returned response is the first
// answer, due within 3 seconds; nil for types vocbot does not take. Work
// that outlasts it finishes through the interaction's webhook once
// answered is closed (the first answer is out).
func (b *Bot) interact(ctx context.Context, in surveys.Inbox, it *discordgo.Interaction, answered <-chan struct{}) *discordgo.InteractionResponse {
	user, roles := invoker(it)
	if it.Type == discordgo.InteractionPing {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}
	}
	if user == "" || it.ChannelID == "" {
		return ephemeral(wording(string(it.Locale)).refused)
	}
	from := surveys.Address{Platform: surveys.Discord, ChatID: it.ChannelID, UserID: user}
	id := "discord:" + it.ID
	switch it.Type {
	case discordgo.InteractionMessageComponent:
		return b.press(ctx, answered, in, it, from, id)
	case discordgo.InteractionModalSubmit:
		return b.submit(ctx, answered, in, it, from, id)
	case discordgo.InteractionApplicationCommand:
		data := it.ApplicationCommandData()
		if data.Name == surveyCommand {
			return b.command(ctx, answered, in, it, surveys.CommandRequest{ID: id, From: from, Roles: roles, Text: commandText(data)})
		}
		text, ok := customerCommandText(data)
		if !ok {
			return ephemeral(wording(string(it.Locale)).refused)
		}
		return b.customerCommand(ctx, answered, in, it, surveys.Incoming{ID: id, From: from, Text: text, Locale: string(it.Locale)})
	}
	return nil
}

// press is a button: a choice of a prompt, or "write an answer", which
// opens a modal.
func (b *Bot) press(ctx context.Context, answered <-chan struct{}, in surveys.Inbox, it *discordgo.Interaction, from surveys.Address, id string) *discordgo.InteractionResponse {
	t := wording(string(it.Locale))
	ref, value, err := customIDs.Verify(b.key, from.ChatID, from.UserID, it.MessageComponentData().CustomID)
	if err != nil {
		b.log.Warn("button press refused", "interaction_id", it.ID, "err", err)
		return ephemeral(t.refused)
	}
	if value == valueWrite {
		return b.modal(it, from, ref)
	}
	if _, alert := surveys.ParseAlertRef(ref); alert && value == surveys.AlertReplyValue {
		return b.replyModal(it, from, ref)
	}
	msg := surveys.Incoming{ID: id, From: from, Value: value, Ref: ref, Locale: string(it.Locale)}
	if it.Message != nil && it.Message.ID != "" {
		msg.Message = messageRef(it.ChannelID, it.Message.ID)
	}
	inTime, err := b.within(ctx, answered, func(ctx context.Context) error { return in.Handle(ctx, msg) }, func(ctx context.Context, err error) {
		if err != nil {
			b.log.Error("button press not handled", "interaction_id", it.ID, "err", err)
			b.followUp(ctx, it, t.failed)
		}
	})
	switch {
	case !inTime:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	case err != nil:
		b.log.Error("button press not handled", "interaction_id", it.ID, "err", err)
		return ephemeral(t.failed)
	}
	// The Engine has edited the prompt already; the press needs only its ack.
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
}

// modal asks for the answer to a "why?" question: its first line as the
// field's label when it fits, else as the placeholder.
func (b *Bot) modal(it *discordgo.Interaction, from surveys.Address, ref string) *discordgo.InteractionResponse {
	question := ""
	if it.Message != nil {
		question = firstLine(unescapeMarkdown(it.Message.Content))
	}
	lang, _ := scoring.DetectLanguage(question, baseLanguage(string(it.Locale)))
	t := wording(lang)
	id, err := packCustomID(b.key, binding{channel: from.ChatID, user: from.UserID}, ref, valueText)
	if err != nil { // the ref verified a moment ago
		return ephemeral(t.failed)
	}
	label := t.answer
	if question != "" && utf16Len(question) <= maxInputLabel {
		label = question
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: id,
			Title:    truncate(t.modalTitle, maxModalTitle),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: "text", Label: label, Style: discordgo.TextInputParagraph,
					Placeholder: truncate(question, maxPlaceholder), Required: true, MaxLength: maxCommentLen},
			}}},
		},
	}
}

// replyModal asks staff for the text of a reply to an alert's customer.
func (b *Bot) replyModal(it *discordgo.Interaction, from surveys.Address, ref string) *discordgo.InteractionResponse {
	t := wording(string(it.Locale))
	id, err := packCustomID(b.key, binding{channel: from.ChatID, user: from.UserID}, ref, valueReply)
	if err != nil {
		return ephemeral(t.failed)
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: id,
			Title:    truncate(t.reply, maxModalTitle),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: "text", Label: truncate(t.reply, maxInputLabel), Style: discordgo.TextInputParagraph,
					Required: true, MaxLength: maxCommentLen},
			}}},
		},
	}
}

// submit is a modal's answer: a customer's comment, as if typed in the
// DM (the prompt it answers loses its buttons), or staff's reply to an
// alert, run as /survey reply.
func (b *Bot) submit(ctx context.Context, answered <-chan struct{}, in surveys.Inbox, it *discordgo.Interaction, from surveys.Address, id string) *discordgo.InteractionResponse {
	t := wording(string(it.Locale))
	data := it.ModalSubmitData()
	ref, value, err := customIDs.Verify(b.key, from.ChatID, from.UserID, data.CustomID)
	if err != nil || (value != valueText && value != valueReply) {
		b.log.Warn("modal refused", "interaction_id", it.ID, "err", err)
		return ephemeral(t.refused)
	}
	text := strings.TrimSpace(modalText(data.Components))
	if text == "" {
		return ephemeral(t.refused)
	}
	if value == valueReply {
		_, roles := invoker(it)
		return b.command(ctx, answered, in, it, surveys.CommandRequest{ID: id, From: from, Roles: roles, Text: "reply " + ref + " " + text})
	}
	msg := surveys.Incoming{ID: id, From: from, Text: text, Locale: string(it.Locale)}
	inTime, err := b.within(ctx, answered, func(ctx context.Context) error { return in.Handle(ctx, msg) }, func(ctx context.Context, err error) {
		if err != nil {
			b.log.Error("answer not handled", "interaction_id", it.ID, "err", err)
			b.followUp(ctx, it, t.failed)
		}
	})
	switch {
	case !inTime:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	case err != nil:
		b.log.Error("answer not handled", "interaction_id", it.ID, "err", err)
		return ephemeral(t.failed)
	case it.Message == nil:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	// Keep the question, drop "write" and "skip": discordgo would send
	// content "" on an update, so the content is sent back as it was.
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: &discordgo.InteractionResponseData{
		Content: it.Message.Content, Components: []discordgo.MessageComponent{}, AllowedMentions: noMentions,
	}}
}

// modalText is the value of the first text input in a modal's rows.
func modalText(rows []discordgo.MessageComponent) string {
	for _, row := range rows {
		var inner []discordgo.MessageComponent
		switch r := row.(type) {
		case *discordgo.ActionsRow:
			inner = r.Components
		case discordgo.ActionsRow:
			inner = r.Components
		}
		for _, c := range inner {
			switch ti := c.(type) {
			case *discordgo.TextInput:
				return ti.Value
			case discordgo.TextInput:
				return ti.Value
			}
		}
	}
	return ""
}

// customerCommand is /stop, /resume, /language, /delete_my_data or /help
// in a DM: the Engine answers in the DM, so the interaction itself gets a
// private ✓.
func (b *Bot) customerCommand(ctx context.Context, answered <-chan struct{}, in surveys.Inbox, it *discordgo.Interaction, msg surveys.Incoming) *discordgo.InteractionResponse {
	t := wording(string(it.Locale))
	inTime, err := b.within(ctx, answered, func(ctx context.Context) error { return in.Handle(ctx, msg) }, func(ctx context.Context, err error) {
		text := t.done
		if err != nil {
			b.log.Error("command not handled", "interaction_id", it.ID, "err", err)
			text = t.failed
		}
		b.editOriginal(ctx, it, text, surveys.LTR)
	})
	switch {
	case !inTime:
		return deferred()
	case err != nil:
		b.log.Error("command not handled", "interaction_id", it.ID, "err", err)
		return ephemeral(t.failed)
	}
	return ephemeral(t.done)
}

// command runs an ambassador's /survey and shows the reply to them alone.
func (b *Bot) command(ctx context.Context, answered <-chan struct{}, in surveys.Inbox, it *discordgo.Interaction, req surveys.CommandRequest) *discordgo.InteractionResponse {
	var reply surveys.CommandReply
	inTime, err := b.within(ctx, answered, func(ctx context.Context) (err error) {
		reply, err = in.Command(ctx, req)
		return err
	}, func(ctx context.Context, err error) {
		if err != nil {
			b.log.Error("command failed", "interaction_id", it.ID, "err", err)
			b.editOriginal(ctx, it, commandFailed, surveys.LTR)
			return
		}
		b.editOriginal(ctx, it, reply.Text, reply.Dir)
	})
	switch {
	case !inTime:
		return deferred()
	case err != nil:
		b.log.Error("command failed", "interaction_id", it.ID, "err", err)
		return ephemeral(commandFailed)
	}
	return ephemeralText(reply.Text, reply.Dir)
}

// commandFailed is the reply when a command fails on vocbot's side.
const commandFailed = "Sorry, that command failed on vocbot's side. Try again in a minute; if it keeps failing, tell your vocbot operator."

// within runs work, with a context that outlives the request, and reports
// its result if it ends within the Bot's patience. Otherwise inTime is
// false, and late gets the result when it comes, to finish through the
// interaction's webhook.
func (b *Bot) within(ctx context.Context, answered <-chan struct{}, work func(context.Context) error, late func(context.Context, error)) (inTime bool, err error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), workTimeout)
	done := make(chan error, 1)
	go func() { done <- work(wctx) }()
	timer := time.NewTimer(b.patience)
	defer timer.Stop()
	select {
	case err := <-done:
		cancel()
		return true, err
	case <-timer.C:
	}
	go func() {
		defer cancel()
		err := <-done
		<-answered
		late(wctx, err)
	}()
	return false, nil
}

// editOriginal finishes a deferred reply (PATCH …/messages/@original).
func (b *Bot) editOriginal(ctx context.Context, it *discordgo.Interaction, text string, dir surveys.TextDirection) {
	content := replyContent(text, dir)
	err := b.call(ctx, http.MethodPatch, discordgo.EndpointInteractionResponseActions(b.appID, it.Token),
		"/webhooks/{application}/{token}/messages/@original", message{Content: &content, AllowedMentions: noMentions}, nil)
	if err != nil {
		b.log.Error("deferred reply lost", "interaction_id", it.ID, "err", err)
	}
}

// followUp says something privately after the first answer (POST /webhooks/…).
func (b *Bot) followUp(ctx context.Context, it *discordgo.Interaction, text string) {
	content := replyContent(text, surveys.LTR)
	err := b.call(ctx, http.MethodPost, discordgo.EndpointFollowupMessage(b.appID, it.Token),
		"/webhooks/{application}/{token}", message{Content: &content, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions}, nil)
	if err != nil {
		b.log.Error("follow-up lost", "interaction_id", it.ID, "err", err)
	}
}

func deferred() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}
}

func ephemeral(text string) *discordgo.InteractionResponse { return ephemeralText(text, surveys.LTR) }

func ephemeralText(text string, dir surveys.TextDirection) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: replyContent(text, dir), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions}}
}

// replyContent is plain text as message content: escaped, anchored, cut.
func replyContent(text string, dir surveys.TextDirection) string {
	s := escapeMarkdown(text)
	if dir == surveys.RTL {
		s = scoring.AnchorRTL(rtlLocale, s)
	}
	if strings.TrimSpace(s) == "" {
		s = "✓"
	}
	return truncate(s, maxContent)
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

var escaped = regexp.MustCompile(`\\([\\*_~` + "`" + `|>#\[\]<+.-])`)

// unescapeMarkdown undoes escapeMarkdown, for a prompt's text read back.
func unescapeMarkdown(s string) string { return escaped.ReplaceAllString(s, "$1") }
