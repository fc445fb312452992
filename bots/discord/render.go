package discord

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// Discord's limits that rendering keeps to.
const (
	maxContent     = 2000
	maxRowButtons  = 5
	maxRows        = 5
	maxButtonLabel = 80
	maxModalTitle  = 45
	maxInputLabel  = 45
	maxPlaceholder = 100
	maxCommentLen  = 2000
)

// valueWrite is the value of the button under a "why?" question that
// opens a modal for the answer; valueText marks that modal's custom_id.
// Neither is ever passed on as a Choice value.
const (
	valueWrite = "+write"
	valueText  = "+text"
	// valueReply marks the modal of an alert's Reply button.
	valueReply = "+reply"
)

// rtlLocale asks scoring.AnchorRTL for right-to-left anchoring; any RTL
// locale gives the same marks.
const rtlLocale = "he"

// renderPrompt turns p into a message for b: markdown-escaped content and
// the choices as buttons, at most five a row. A "why?" question also gets
// a button that opens a modal, since over HTTP interactions vocbot does
// not see typed messages.
func renderPrompt(key []byte, b binding, p surveys.Prompt) (message, error) {
	text := escapeMarkdown(p.Text)
	if p.Dir == surveys.RTL {
		text = scoring.AnchorRTL(rtlLocale, text)
	}
	text = truncate(text, maxContent)
	if strings.TrimSpace(text) == "" {
		return message{}, errors.New("discord: prompt has no text")
	}
	m := message{Content: &text, AllowedMentions: noMentions}
	choices := numericOrder(p.Choices)
	if ref, err := surveys.ParseRef(p.Ref); err == nil && ref.Question == surveys.QuestionWhy && len(choices) > 0 {
		lang, _ := scoring.DetectLanguage(p.Text, "en")
		choices = append([]surveys.Choice{{Label: wording(lang).write, Value: valueWrite}}, choices...)
	}
	rows, err := buttonRows(key, b, p.Ref, choices, func(c surveys.Choice) discordgo.ButtonStyle {
		if c.Value == valueWrite {
			return discordgo.PrimaryButton
		}
		return discordgo.SecondaryButton
	})
	if err != nil {
		return message{}, err
	}
	m.Components = &rows
	return m, nil
}

// buttonRows lays choices out as buttons in as few rows as Discord allows,
// the first rows one longer when they don't divide evenly: 0–10 as 4+4+3,
// 1–7 as 4+3, 1–5 in one row.
func buttonRows(key []byte, b binding, ref string, choices []surveys.Choice, style func(surveys.Choice) discordgo.ButtonStyle) ([]discordgo.MessageComponent, error) {
	if len(choices) == 0 {
		return []discordgo.MessageComponent{}, nil
	}
	if len(choices) > maxRows*maxRowButtons {
		return nil, fmt.Errorf("discord: %d choices, over Discord's %d buttons a message", len(choices), maxRows*maxRowButtons)
	}
	buttons := make([]discordgo.MessageComponent, 0, len(choices))
	for _, c := range choices {
		id, err := packCustomID(key, b, ref, c.Value)
		if err != nil {
			return nil, err
		}
		label := c.Label
		if label == "" {
			label = c.Value
		}
		buttons = append(buttons, discordgo.Button{Label: truncate(label, maxButtonLabel), Style: style(c), CustomID: id})
	}
	n := len(buttons)
	count := (n + maxRowButtons - 1) / maxRowButtons
	rows := make([]discordgo.MessageComponent, 0, count)
	for i := range count {
		size := n / count
		if i < n%count {
			size++
		}
		rows = append(rows, discordgo.ActionsRow{Components: buttons[:size]})
		buttons = buttons[size:]
	}
	return rows, nil
}

// numericOrder sorts choices by value when all values are integers (a
// scale reads low to high, left to right, in RTL clients too); otherwise
// the order is kept.
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

// markdown is what Discord reads as formatting anywhere in a line; a
// backslash shows the character as it is.
var markdown = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`,
	`>`, `\>`, `#`, `\#`, `[`, `\[`, `]`, `\]`, `<`, `\<`,
)

var urlPattern = regexp.MustCompile(`https?://[^\s<>]+`)

// escapeMarkdown makes text show as written: no formatting, links,
// mentions or lists from anything a configuration or a customer wrote.
func escapeMarkdown(s string) string {
	// URLs stay as written: Discord links them, and a backslash would break them.
	var b strings.Builder
	for {
		loc := urlPattern.FindStringIndex(s)
		if loc == nil {
			b.WriteString(markdown.Replace(s))
			break
		}
		b.WriteString(markdown.Replace(s[:loc[0]]))
		b.WriteString(s[loc[0]:loc[1]])
		s = s[loc[1]:]
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		// "- x", "+ x" and "1. x" start lists only at the beginning of a line.
		trimmed := strings.TrimLeft(l, " ")
		pad := l[:len(l)-len(trimmed)]
		switch {
		case strings.HasPrefix(trimmed, "- "), strings.HasPrefix(trimmed, "+ "):
			lines[i] = pad + `\` + trimmed
		default:
			if j := strings.IndexFunc(trimmed, func(r rune) bool { return r < '0' || r > '9' }); j > 0 && strings.HasPrefix(trimmed[j:], ". ") {
				lines[i] = pad + trimmed[:j] + `\` + trimmed[j:]
			}
		}
	}
	return strings.Join(lines, "\n")
}

// utf16Len is the length Discord counts.
func utf16Len(s string) int { return scoring.UTF16Len(s) }

// truncate cuts s to Discord's limit max, in UTF-16 units, marked with "…",
// never leaving a Markdown escape dangling at the cut.
func truncate(s string, max int) string { return scoring.CutUTF16(s, max, `\`) }
