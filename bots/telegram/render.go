package telegram

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// Telegram's limits that rendering keeps to.
const (
	maxTextLen    = 4096 // characters after entity parsing, counted in UTF-16 units
	maxRowButtons = 8
)

const (
	rlm      = '\u200F' // RIGHT-TO-LEFT MARK
	ellipsis = "…"
)

// binding is who a prompt's buttons are valid for: the chat, and the user
// when the address names one.
type binding struct{ chat, user string }

// rendered is a Prompt as Telegram takes it: HTML text and an optional
// inline keyboard.
type rendered struct {
	html     string
	keyboard *tgbotapi.InlineKeyboardMarkup
}

// render turns p into an HTML message for b. All of p's text is escaped:
// nothing a customer or a configuration wrote can become markup.
func render(key []byte, b binding, p surveys.Prompt) (rendered, error) {
	text := p.ChatText()
	if p.Dir == surveys.RTL {
		text = markRTL(text)
	}
	text = truncate(text, maxTextLen)
	if strings.TrimSpace(text) == "" {
		return rendered{}, errors.New("telegram: prompt has no text")
	}
	out := rendered{html: escapeHTML(text)}
	if len(p.Choices) == 0 {
		return out, nil
	}
	buttons := make([]tgbotapi.InlineKeyboardButton, 0, len(p.Choices))
	for _, c := range numericOrder(p.Choices) {
		data, err := callbacks.Pack(key, b.chat, b.user, p.Ref, c.Value)
		if err != nil {
			return rendered{}, err
		}
		label := c.Label
		if label == "" {
			label = c.Value
		}
		buttons = append(buttons, tgbotapi.NewInlineKeyboardButtonData(label, data))
	}
	m := tgbotapi.NewInlineKeyboardMarkup(rows(buttons)...)
	out.keyboard = &m
	return out, nil
}

// escapeHTML escapes what Telegram's HTML parse mode treats as markup.
var escapeHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// markRTL starts every non-empty line that does not begin with a
// right-to-left letter with RLM, so clients lay the paragraph out RTL even
// when it opens with a number, a Latin brand or an emoji.
func markRTL(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		r, _ := utf8.DecodeRuneInString(l)
		if l != "" && r != rlm && !isRTLLetter(r) {
			lines[i] = string(rlm) + l
		}
	}
	return strings.Join(lines, "\n")
}

func isRTLLetter(r rune) bool {
	return unicode.IsLetter(r) && unicode.In(r, unicode.Hebrew, unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Nko)
}

// utf16Len is the length Telegram counts.
func utf16Len(s string) int { return scoring.UTF16Len(s) }

// truncate cuts s to Telegram's limit max, in UTF-16 units, marked with "…".
func truncate(s string, max int) string { return scoring.CutUTF16(s, max, "") }

// numericOrder sorts choices by value when all values are integers (an NPS
// keyboard reads 0→10 left to right, in RTL clients too); otherwise the
// order is kept.
func numericOrder(cs []surveys.Choice) []surveys.Choice {
	nums := make(map[string]int, len(cs))
	for _, c := range cs {
		n, err := strconv.Atoi(c.Value)
		if err != nil {
			return cs
		}
		nums[c.Value] = n
	}
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(a, b surveys.Choice) int { return cmp.Compare(nums[a.Value], nums[b.Value]) })
	return sorted
}

// rows lays buttons out in as few rows as Telegram allows, the first rows
// one longer when they don't divide evenly: 1–5 and 1–7 in one row, 0–10 as
// 0–5 over 6–10.
func rows(buttons []tgbotapi.InlineKeyboardButton) [][]tgbotapi.InlineKeyboardButton {
	n := len(buttons)
	count := (n + maxRowButtons - 1) / maxRowButtons
	out := make([][]tgbotapi.InlineKeyboardButton, 0, count)
	for i := range count {
		size := n / count
		if i < n%count {
			size++
		}
		out = append(out, buttons[:size])
		buttons = buttons[size:]
	}
	return out
}
