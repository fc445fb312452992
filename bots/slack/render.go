package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/vocbot/vocbot/surveys"
)

// Block Kit limits that rendering keeps to.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxButtonText  = 75
	maxButtonValue = 2000
	maxFallback    = 40000
	// buttonsPerRow wraps choices for readability: Slack allows 25 per
	// actions block, but 0–10 reads better as 6 + 5.
	buttonsPerRow = 6
)

// render turns a prompt into Block Kit blocks and the fallback text that
// notifications and screen readers use.
func render(p surveys.Prompt) ([]slackgo.Block, string, error) {
	// Slack has no paragraph direction: p.Dir is not rendered. RTL prompts
	// arrive with every line already anchored (scoring.AnchorRTL).
	text := escape(p.ChatText())
	var blocks []slackgo.Block
	for _, chunk := range split(text, maxSectionText) {
		blocks = append(blocks, slackgo.NewSectionBlock(slackgo.NewTextBlockObject(slackgo.MarkdownType, chunk, false, false), nil, nil))
	}
	rows := rowSizes(len(p.Choices), buttonsPerRow)
	next := 0
	for r, size := range rows {
		elems := make([]slackgo.BlockElement, 0, size)
		for _, c := range p.Choices[next : next+size] {
			value, err := encodeButton(button{Ref: p.Ref, Value: c.Value})
			if err != nil {
				return nil, "", err
			}
			label := truncate(c.Label, maxButtonText)
			if label == "" {
				label = c.Value
			}
			btn := slackgo.NewButtonBlockElement(fmt.Sprintf("vocbot_choice_%d", next), value,
				slackgo.NewTextBlockObject(slackgo.PlainTextType, label, false, false))
			elems = append(elems, btn)
			next++
		}
		blocks = append(blocks, slackgo.NewActionBlock(fmt.Sprintf("vocbot_choices_%d", r), elems...))
	}
	switch {
	case len(blocks) == 0:
		return nil, "", errors.New("slack: empty prompt: no text and no choices")
	case len(blocks) > maxBlocks:
		return nil, "", fmt.Errorf("slack: prompt needs %d blocks, over Slack's %d: shorten its text", len(blocks), maxBlocks)
	}
	return blocks, truncate(text, maxFallback), nil
}

// rowSizes splits n buttons into as few rows of at most perRow as possible,
// balanced, the longer rows first: 11 → 6+5, 7 → 4+3, 5 → 5.
func rowSizes(n, perRow int) []int {
	if n == 0 {
		return nil
	}
	rows := (n + perRow - 1) / perRow
	sizes := make([]int, rows)
	for i := range sizes {
		sizes[i] = n / rows
		if i < n%rows {
			sizes[i]++
		}
	}
	return sizes
}

// escape makes text safe as Slack mrkdwn: only &, < and > are special
// (they start entities, mentions and links).
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// unescape undoes Slack's escaping of what people type.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func unescape(s string) string { return unescaper.Replace(s) }

// split cuts text into pieces of at most limit characters, at line breaks
// where it can and never inside a character or before a combining mark.
func split(s string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(s) > limit {
		cut := cutIndex(s, limit)
		if nl := strings.LastIndexByte(s[:cut], '\n'); nl > 0 {
			out = append(out, s[:nl])
			s = s[nl+1:]
			continue
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

// cutIndex is the byte offset after at most limit runes, moved back so that
// a combining mark or joiner stays with its base character.
func cutIndex(s string, limit int) int {
	i, n := 0, 0
	for i < len(s) && n < limit {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	for i > 0 && i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		if !unicode.In(r, unicode.Mn, unicode.Me) && r != '\u200D' && !unicode.Is(unicode.Variation_Selector, r) {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	if i == 0 { // a single grapheme longer than limit: cut it anyway
		return cutIndexRunes(s, limit)
	}
	// Do not cut an escaped &amp; &lt; &gt; in two.
	if amp := strings.LastIndexByte(s[max(0, i-4):i], '&'); amp >= 0 {
		if start := max(0, i-4) + amp; start > 0 && !strings.Contains(s[start:i], ";") {
			i = start
		}
	}
	return i
}

func cutIndexRunes(s string, limit int) int {
	i := 0
	for n := 0; n < limit && i < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// truncate shortens s to at most limit characters, ending with "…".
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return s[:cutIndex(s, limit-1)] + "…"
}

// button is what a choice button carries back to us when pressed.
type button struct {
	Ref   string `json:"r"`
	Value string `json:"v"`
}

// buttonVersion prefixes the button value so its format can change later.
const buttonVersion = "v1:"

func encodeButton(b button) (string, error) {
	j, err := json.Marshal(b)
	if err != nil {
		return "", err
	}
	v := buttonVersion + string(j)
	if n := utf8.RuneCountInString(v); n > maxButtonValue {
		return "", fmt.Errorf("slack: button value is %d characters, over Slack's %d: shorten the prompt ref", n, maxButtonValue)
	}
	return v, nil
}

// decodeButton reads a button value of ours; ok is false for anything else
// (buttons of other apps, forged payloads).
func decodeButton(v string) (button, bool) {
	rest, ok := strings.CutPrefix(v, buttonVersion)
	if !ok {
		return button{}, false
	}
	var b button
	if err := json.Unmarshal([]byte(rest), &b); err != nil || b.Value == "" {
		return button{}, false
	}
	return b, true
}
