package discord

import (
	"bytes"
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// Discord's embed limits (per message: 6,000 characters in all embeds).
const (
	maxEmbedTitle  = 256
	maxEmbedDesc   = 4096
	maxEmbedFields = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
)

// Embed colors: Discord's blurple for digests, and an alert's state.
const (
	colorDigest   = 0x5865F2
	colorOpen     = 0xED4245
	colorClaimed  = 0xFEE75C
	colorResolved = 0x57F287
)

var (
	_ surveys.DigestPoster = (*Bot)(nil)
	_ surveys.AlertPoster  = (*Bot)(nil)
	_ surveys.ThreadPoster = (*Bot)(nil)
)

// embedBuilder fills an embed within Discord's limits: each part cut at
// whole lines to its own limit, and fields dropped once the message's
// 6,000 characters would be exceeded.
type embedBuilder struct {
	e      *discordgo.MessageEmbed
	locale string
	used   int
}

func newEmbed(locale string, color int) *embedBuilder {
	return &embedBuilder{e: &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: color}, locale: locale}
}

// text is outside text as embed markdown: escaped, RTL lines anchored, cut.
func (b *embedBuilder) text(s string, max int) string {
	return truncate(scoring.AnchorRTL(b.locale, escapeMarkdown(s)), max)
}

func (b *embedBuilder) take(s string) string {
	b.used += utf16Len(s)
	return s
}

// title is plain text: Discord shows no markdown in embed titles.
func (b *embedBuilder) title(s string) {
	b.e.Title = b.take(truncate(scoring.AnchorRTL(b.locale, s), maxEmbedTitle))
}

// description is markdown already made safe (escaped by the caller).
func (b *embedBuilder) description(md string) {
	b.e.Description = b.take(truncate(scoring.AnchorRTL(b.locale, md), maxEmbedDesc))
}

func (b *embedBuilder) footer(s string) {
	if strings.TrimSpace(s) != "" {
		b.e.Footer = &discordgo.MessageEmbedFooter{Text: b.take(truncate(scoring.AnchorRTL(b.locale, s), maxFooter))}
	}
}

// field adds a field of markdown value unless the embed is full; it
// reports whether it did.
func (b *embedBuilder) field(name, md string, reserve int) bool {
	name = b.text(name, maxFieldName)
	value := truncate(scoring.AnchorRTL(b.locale, md), maxFieldValue)
	if strings.TrimSpace(name) == "" || strings.TrimSpace(value) == "" {
		return true
	}
	if len(b.e.Fields) >= maxEmbedFields || b.used+reserve+utf16Len(name)+utf16Len(value) > maxEmbedTotal {
		return false
	}
	b.e.Fields = append(b.e.Fields, &discordgo.MessageEmbedField{Name: b.take(name), Value: b.take(value)})
	return true
}

// PostDigest posts the digest to to.ChatID as one embed (a field per
// survey with its numbers, one with its quotes) with the trend chart
// attached and shown as the embed's image: one request, multipart, so the
// digest and its chart arrive together. The nonce is made from the
// channel, date and title, so a retried post shows once.
func (b *Bot) PostDigest(ctx context.Context, to surveys.Address, d surveys.Digest, chart []byte) (surveys.MessageRef, error) {
	channel, err := b.channel(ctx, to)
	if err != nil {
		return "", err
	}
	c := d.Card()
	filename := "trend-" + d.Date.Format("2006-01-02") + ".png"
	m := renderDigest(c, len(chart) > 0, filename)
	m.Nonce, m.EnforceNonce = nonce(channel, "", "digest\x00"+d.Date.Format("2006-01-02")+"\x00"+c.Title), true
	var files []*discordgo.File
	if len(chart) > 0 {
		files = []*discordgo.File{{Name: filename, ContentType: "image/png", Reader: bytes.NewReader(chart)}}
		m.Attachments = []attachment{{ID: 0, Filename: filename}}
	}
	return b.post(ctx, channel, m, files)
}

// renderDigest is the digest card as an embed message.
func renderDigest(c surveys.DigestCard, chart bool, filename string) message {
	eb := newEmbed(c.Locale, colorDigest)
	eb.title(c.Title)
	if c.Quiet != "" {
		eb.description(escapeMarkdown(c.Quiet))
	}
	footer := c.Footer
	reserve := utf16Len(footer)
	for _, s := range c.Sections {
		if !eb.field(s.Title, escapeMarkdown(strings.Join(s.Lines, "\n")), reserve) {
			break
		}
		if len(s.Quotes) > 0 {
			// No "> " block quotes: an RTL line needs its direction mark
			// first, which would stop Discord from reading the ">".
			if !eb.field(s.QuotesTitle, escapeMarkdown(strings.Join(s.Quotes, "\n")), reserve) {
				break
			}
		}
	}
	eb.footer(footer)
	if chart {
		eb.e.Image = &discordgo.MessageEmbedImage{URL: "attachment://" + filename}
	}
	empty := ""
	return message{Content: &empty, Embeds: []*discordgo.MessageEmbed{eb.e}, AllowedMentions: noMentions,
		Components: &[]discordgo.MessageComponent{}}
}

// alertStyle escapes outside text for markdown and names staff by mention.
var alertStyle = surveys.AlertStyle{
	Escape:  escapeMarkdown,
	Mention: func(a surveys.Address) string { return "<@" + a.UserID + ">" },
}

// PostAlert posts the alert card to to.ChatID as an embed with its
// buttons, which anyone in the channel may press; Reply opens a modal for
// the text the customer receives.
func (b *Bot) PostAlert(ctx context.Context, to surveys.Address, v surveys.AlertView) (surveys.MessageRef, error) {
	channel, err := b.channel(ctx, surveys.Address{Platform: to.Platform, ChatID: to.ChatID})
	if err != nil {
		return "", err
	}
	m, err := renderAlert(b.key, channel, v.Card(alertStyle), v.Alert.State)
	if err != nil {
		return "", &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	m.Nonce, m.EnforceNonce = nonce(channel, v.Alert.Ref(), ""), true
	return b.post(ctx, channel, m, nil)
}

// PostInThread replies to the alert message in its channel with text, as
// plain content that pings nobody: the customer's answers read under their
// alert. A deleted alert message still gets the text, without the reply.
func (b *Bot) PostInThread(ctx context.Context, to surveys.Address, alertRef surveys.MessageRef, text string) error {
	channel, id, err := parseMessageRef(alertRef)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	content := truncate(escapeMarkdown(text), maxContent)
	keep := false
	m := message{Content: &content, AllowedMentions: noMentions,
		Reference: &discordgo.MessageReference{MessageID: id, ChannelID: channel, FailIfNotExists: &keep}}
	_, err = b.post(ctx, channel, m, nil)
	return err
}

// UpdateAlert redraws a posted alert in place.
func (b *Bot) UpdateAlert(ctx context.Context, to surveys.Address, ref surveys.MessageRef, v surveys.AlertView) error {
	channel, id, err := parseMessageRef(ref)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	m, err := renderAlert(b.key, channel, v.Card(alertStyle), v.Alert.State)
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	return b.patch(ctx, channel, id, m)
}

// renderAlert is an alert card (its outside text escaped already) as an
// embed: the title, the comment, the customer's fields, and the status and
// how to reply in italics; colored by state.
func renderAlert(key []byte, channel string, c surveys.AlertCard, state surveys.AlertState) (message, error) {
	color := colorOpen
	switch state {
	case surveys.AlertClaimed:
		color = colorClaimed
	case surveys.AlertResolved:
		color = colorResolved
	}
	eb := newEmbed(c.Locale, color)
	eb.title(unescapeMarkdown(c.Title)) // the card escaped it for markdown
	parts := []string{c.Comment}
	if len(c.Fields) > 0 {
		parts = append(parts, strings.Join(c.Fields, "\n"))
	}
	status := "*" + c.Status + "*"
	if c.Hint != "" {
		status += "\n" + c.Hint
	}
	eb.description(strings.Join(append(parts, status), "\n\n"))
	rows, err := buttonRows(key, binding{channel: channel}, c.Ref, c.Choices, alertButtonStyle)
	if err != nil {
		return message{}, err
	}
	empty := ""
	return message{Content: &empty, Embeds: []*discordgo.MessageEmbed{eb.e}, Components: &rows, AllowedMentions: noMentions}, nil
}

func alertButtonStyle(c surveys.Choice) discordgo.ButtonStyle {
	switch c.Value {
	case surveys.AlertClaimValue:
		return discordgo.PrimaryButton
	case "done": // resolve as handled
		return discordgo.SuccessButton
	}
	return discordgo.SecondaryButton
}
