package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

var _ surveys.DigestPoster = (*Bot)(nil)

// PostDigest posts the digest into a staff chat as one HTML message (the
// card's text, titles in bold, cut at a whole line to Telegram's 4,096
// characters), then the chart as a photo replying to it. The chart is best
// effort: once the digest is out, failing the call would post it again.
func (b *Bot) PostDigest(ctx context.Context, to surveys.Address, d surveys.Digest, chart []byte) (surveys.MessageRef, error) {
	chatID, _, err := target(to)
	if err != nil {
		return "", &surveys.SendError{Kind: surveys.Unreachable, Err: err}
	}
	msg := tgbotapi.NewMessage(chatID, renderDigest(d.Card()))
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	res, err := b.call(ctx, "sendMessage", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(msg) })
	if err != nil {
		return "", err
	}
	var sent tgbotapi.Message
	if err := json.Unmarshal(res.Result, &sent); err != nil || sent.MessageID == 0 {
		return "", &surveys.SendError{Kind: surveys.Ambiguous, Err: fmt.Errorf("telegram sendMessage: unreadable result: %v", err)}
	}
	if len(chart) > 0 {
		photo := tgbotapi.NewPhoto(chatID, tgbotapi.FileBytes{Name: "trend.png", Bytes: chart})
		photo.ReplyToMessageID = sent.MessageID
		if _, err := b.call(ctx, "sendPhoto", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(photo) }); err != nil {
			b.log.Warn("digest posted without its chart", "chat_id", chatID, "err", err)
		}
	}
	return messageRef(chatID, sent.MessageID), nil
}

// renderDigest writes the card as Telegram HTML: everything escaped, the
// title and each survey's title in bold, every RTL line anchored.
func renderDigest(c surveys.DigestCard) string { return renderDigestRoom(c, maxTextLen) }

// renderDigestRoom is renderDigest cut to limit UTF-16 units.
func renderDigestRoom(c surveys.DigestCard, limit int) string {
	line := func(s string) string { return escapeHTML(scoring.AnchorRTL(c.Locale, s)) }
	bold := func(s string) string {
		s = scoring.AnchorRTL(c.Locale, s)
		// Keep an RLM anchor outside the tag, where it starts the line.
		if rest, ok := strings.CutPrefix(s, string(rlm)); ok {
			return string(rlm) + "<b>" + escapeHTML(rest) + "</b>"
		}
		return "<b>" + escapeHTML(s) + "</b>"
	}
	var out []string
	out = append(out, bold(c.Title))
	if c.Quiet != "" {
		out = append(out, line(c.Quiet))
	}
	for _, s := range c.Sections {
		out = append(out, "", bold(s.Title))
		for _, l := range s.Lines {
			out = append(out, line(l))
		}
		if len(s.Quotes) > 0 {
			out = append(out, line(s.QuotesTitle))
			for _, q := range s.Quotes {
				out = append(out, line(q))
			}
		}
	}
	out = append(out, "", line(c.Footer))
	// Cut at whole lines, so no tag or entity is split. Lengths add up
	// line by line (counting the whole text again per line was quadratic).
	var text strings.Builder
	n, room := 0, limit-utf16Len(ellipsis)
	for _, l := range out {
		n += utf16Len(l) + 1
		if n > room {
			return text.String() + ellipsis
		}
		text.WriteString(l)
		text.WriteByte('\n')
	}
	return strings.TrimSuffix(text.String(), "\n")
}
