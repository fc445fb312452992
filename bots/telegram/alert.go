package telegram

import (
	"context"
	"fmt"
	"html"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vocbot/vocbot/surveys"
)

var (
	_ surveys.AlertPoster  = (*Bot)(nil)
	_ surveys.ThreadPoster = (*Bot)(nil)
)

// alertStyle leaves text as it is (render escapes all of it for HTML) and
// names staff by their Telegram user id.
var alertStyle = surveys.AlertStyle{Mention: func(a surveys.Address) string { return "#" + a.UserID }}

// PostAlert posts the alert card into a staff chat (to.ChatID) as one
// message with its buttons; any member of the chat may press them.
func (b *Bot) PostAlert(ctx context.Context, to surveys.Address, v surveys.AlertView) (surveys.MessageRef, error) {
	return b.Send(ctx, surveys.Address{Platform: to.Platform, ChatID: to.ChatID}, alertPrompt(v))
}

// UpdateAlert redraws a posted alert in place (editMessageText).
func (b *Bot) UpdateAlert(ctx context.Context, to surveys.Address, ref surveys.MessageRef, v surveys.AlertView) error {
	return b.Edit(ctx, surveys.Address{Platform: to.Platform, ChatID: to.ChatID}, ref, alertPrompt(v))
}

// alertPrompt is the card as a prompt: its text, and its buttons for the
// whole chat.
func alertPrompt(v surveys.AlertView) surveys.Prompt {
	c := v.Card(alertStyle)
	return surveys.Prompt{Text: c.Text(), Choices: c.Choices, Dir: c.Dir, Ref: c.Ref}
}

// PostInThread answers the alert message in its staff chat with text (a
// reply to the message: reply_to_message_id), so the customer's answers
// read under their alert. The text is escaped: it is the customer's.
func (b *Bot) PostInThread(ctx context.Context, to surveys.Address, alertRef surveys.MessageRef, text string) error {
	chatID, messageID, err := parseMessageRef(alertRef)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	msg := tgbotapi.NewMessage(chatID, html.EscapeString(truncate(text, maxTextLen)))
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	msg.ReplyToMessageID = messageID
	msg.AllowSendingWithoutReply = true // the alert message was deleted: still post in the chat
	_, err = b.call(ctx, "sendMessage", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(msg) })
	if err != nil {
		return fmt.Errorf("telegram sendMessage (alert thread): %w", err)
	}
	return nil
}
