package slack

import (
	"context"
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

var (
	_ surveys.AlertPoster  = (*Bot)(nil)
	_ surveys.ThreadPoster = (*Bot)(nil)
)

// alertStyle writes outside text escaped for mrkdwn and people as mentions.
var alertStyle = surveys.AlertStyle{
	Escape:  escape,
	Mention: func(a surveys.Address) string { return "<@" + a.UserID + ">" },
}

// PostAlert posts the alert card to to.ChatID: the score and comment, the
// customer and touchpoint, who has it, and its buttons. The message carries
// the alert's ref as delivery metadata.
func (b *Bot) PostAlert(ctx context.Context, to surveys.Address, v surveys.AlertView) (surveys.MessageRef, error) {
	blocks, fallback, err := renderAlert(v.Card(alertStyle))
	if err != nil {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	channel, err := b.channel(ctx, to)
	if err != nil {
		return "", err
	}
	var ch, ts string
	err = b.call(ctx, func(ctx context.Context) (err error) {
		ch, ts, err = b.api.PostMessageContext(ctx, channel, slackgo.MsgOptionBlocks(blocks...),
			slackgo.MsgOptionText(fallback, false), slackgo.MsgOptionMetadata(deliveryMetadata(v.Alert.Ref())))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("slack chat.postMessage (alert): %w", err)
	}
	return messageRef(ch, ts), nil
}

// UpdateAlert redraws a posted alert in place (chat.update).
func (b *Bot) UpdateAlert(ctx context.Context, to surveys.Address, ref surveys.MessageRef, v surveys.AlertView) error {
	channel, ts, ok := parseMessageRef(ref)
	if !ok {
		return &surveys.SendError{Kind: surveys.Failed, Err: fmt.Errorf("slack: message ref %q is not channel:ts", ref)}
	}
	if channel == "" {
		channel = to.ChatID
	}
	blocks, fallback, err := renderAlert(v.Card(alertStyle))
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	err = b.call(ctx, func(ctx context.Context) error {
		_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slackgo.MsgOptionBlocks(blocks...),
			slackgo.MsgOptionText(fallback, false), slackgo.MsgOptionMetadata(deliveryMetadata(v.Alert.Ref())))
		return err
	})
	if err != nil {
		return fmt.Errorf("slack chat.update (alert): %w", err)
	}
	return nil
}

// PostInThread posts text in the alert message's thread (thread_ts): the
// customer's answers read under their alert. The text is escaped for mrkdwn.
func (b *Bot) PostInThread(ctx context.Context, to surveys.Address, alertRef surveys.MessageRef, text string) error {
	channel, ts, ok := parseMessageRef(alertRef)
	if !ok {
		return &surveys.SendError{Kind: surveys.Failed, Err: fmt.Errorf("slack: message ref %q is not channel:ts", alertRef)}
	}
	if channel == "" {
		channel = to.ChatID
	}
	err := b.call(ctx, func(ctx context.Context) error {
		_, _, err := b.api.PostMessageContext(ctx, channel, slackgo.MsgOptionText(truncate(escape(text), maxSectionText), false),
			slackgo.MsgOptionTS(ts))
		return err
	})
	if err != nil {
		return fmt.Errorf("slack chat.postMessage (alert thread): %w", err)
	}
	return nil
}

// renderAlert turns a worded alert into blocks: the title and comment, the
// customer's fields, a context line with the status and how to reply, and
// the buttons. The card has escaped outside text already.
func renderAlert(c surveys.AlertCard) ([]slackgo.Block, string, error) {
	anchor := func(s string) string { return scoring.AnchorRTL(c.Locale, s) }
	blocks := sections("*" + anchor(c.Title) + "*\n" + anchor(c.Comment))
	if len(c.Fields) > 0 {
		blocks = append(blocks, sections(anchor(strings.Join(c.Fields, "\n")))...)
	}
	// A section, not a context block: status and hint read as part of the card.
	status := "_" + anchor(c.Status) + "_"
	if c.Hint != "" {
		status += "\n" + anchor(c.Hint)
	}
	blocks = append(blocks, sections(status)...)
	if len(c.Choices) > 0 {
		elems := make([]slackgo.BlockElement, 0, len(c.Choices))
		for _, ch := range c.Choices {
			value, err := encodeButton(button{Ref: c.Ref, Value: ch.Value})
			if err != nil {
				return nil, "", err
			}
			btn := slackgo.NewButtonBlockElement("vocbot_alert_"+strings.ReplaceAll(ch.Value, ":", "_"), value,
				slackgo.NewTextBlockObject(slackgo.PlainTextType, truncate(ch.Label, maxButtonText), false, false))
			if ch.Value == surveys.AlertClaimValue {
				btn.Style = slackgo.StylePrimary
			}
			elems = append(elems, btn)
		}
		blocks = append(blocks, slackgo.NewActionBlock("vocbot_alert_actions", elems...))
	}
	if len(blocks) > maxBlocks {
		return nil, "", fmt.Errorf("slack: alert needs %d blocks, over Slack's %d", len(blocks), maxBlocks)
	}
	return blocks, truncate(c.Text(), maxFallback), nil
}
