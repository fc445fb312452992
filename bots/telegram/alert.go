package telegram

import (
	"context"

	"github.com/vocbot/vocbot/surveys"
)

var _ surveys.AlertPoster = (*Bot)(nil)

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
