package slack

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

var _ surveys.DigestPoster = (*Bot)(nil)

// maxHeaderText is Slack's limit on a header block's plain text.
const maxHeaderText = 150

// PostDigest posts the digest to to.ChatID as Block Kit (a header, a section
// per survey, its quotes as a block quote, and where to find more), then
// uploads the chart into the message's thread. The chart is best effort:
// once the digest is out, failing the call would post it again.
func (b *Bot) PostDigest(ctx context.Context, to surveys.Address, d surveys.Digest, chart []byte) (surveys.MessageRef, error) {
	blocks, fallback := renderDigest(d.Card())
	channel, err := b.channel(ctx, to)
	if err != nil {
		return "", err
	}
	var ch, ts string
	err = b.call(ctx, func(ctx context.Context) (err error) {
		ch, ts, err = b.api.PostMessageContext(ctx, channel, slackgo.MsgOptionBlocks(blocks...), slackgo.MsgOptionText(fallback, false))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("slack chat.postMessage (digest): %w", err)
	}
	if len(chart) > 0 {
		err := b.call(ctx, func(ctx context.Context) error {
			_, err := b.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
				Reader: bytes.NewReader(chart), FileSize: len(chart), Filename: "trend-" + d.Date.Format("2006-01-02") + ".png",
				Title: "Trend", AltTxt: "Rolling 28-day score with its 95% interval and daily responses, last 90 days",
				Channel: ch, ThreadTimestamp: ts,
			})
			return err
		})
		if err != nil {
			b.log.Warn("digest posted without its chart", "channel", ch, "err", err)
		}
	}
	return messageRef(ch, ts), nil
}

// renderDigest turns a worded digest into blocks and the notification text.
// Slack has no paragraph direction, so every piece of RTL text is anchored
// line by line.
func renderDigest(c surveys.DigestCard) ([]slackgo.Block, string) {
	anchor := func(s string) string { return scoring.AnchorRTL(c.Locale, s) }
	mrkdwn := func(s string) *slackgo.TextBlockObject {
		return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
	}
	blocks := []slackgo.Block{slackgo.NewHeaderBlock(
		slackgo.NewTextBlockObject(slackgo.PlainTextType, truncate(anchor(c.Title), maxHeaderText), false, false))}
	if c.Quiet != "" {
		blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(escape(anchor(c.Quiet)))))
	}
	// Two to three blocks per survey; keep the footer within 50.
	for _, s := range c.Sections {
		if len(blocks)+4 > maxBlocks {
			break
		}
		blocks = append(blocks, slackgo.NewDividerBlock())
		text := "*" + escape(anchor(s.Title)) + "*\n" + escape(anchor(strings.Join(s.Lines, "\n")))
		blocks = append(blocks, sections(text)...)
		if len(s.Quotes) > 0 {
			var q strings.Builder
			q.WriteString(escape(anchor(s.QuotesTitle)))
			for _, line := range s.Quotes {
				q.WriteString("\n> ")
				q.WriteString(escape(anchor(line)))
			}
			blocks = append(blocks, sections(q.String())...)
		}
	}
	blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(escape(anchor(c.Footer)))))
	if len(blocks) > maxBlocks {
		blocks = append(blocks[:maxBlocks-1], blocks[len(blocks)-1])
	}
	return blocks, truncate(c.Text(), maxFallback)
}

func sections(text string) []slackgo.Block {
	var out []slackgo.Block
	for _, chunk := range split(text, maxSectionText) {
		out = append(out, slackgo.NewSectionBlock(slackgo.NewTextBlockObject(slackgo.MarkdownType, chunk, false, false), nil, nil))
	}
	return out
}
