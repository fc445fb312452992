package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlTags are the tags Telegram's HTML parse mode supports (Bot API 5.5).
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"span": true, "tg-spoiler": true,
}

// namedEntities are the only named entities Telegram accepts.
var namedEntities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`}

// parseHTML checks text the way Telegram's HTML parse mode does and
// returns the plain text the user sees. It is stricter than Telegram in one
// way: a bare "&" that starts no entity, or a bare ">", is an error, so unescaped text is
// caught in tests.
func parseHTML(s string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				name = strings.ToLower(strings.TrimSpace(name))
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("unexpected end tag at byte offset %d", i)
				}
				open = open[:len(open)-1]
			} else {
				name, attrs, _ := strings.Cut(tag, " ")
				name = strings.ToLower(name)
				if !htmlTags[name] {
					return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
				}
				if name == "span" && strings.TrimSpace(attrs) != `class="tg-spoiler"` {
					return "", fmt.Errorf("tag \"span\" must have class \"tg-spoiler\" at byte offset %d", i)
				}
				open = append(open, name)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", fmt.Errorf("unescaped \"&\" at byte offset %d", i)
			}
			text, ok := entity(s[i+1 : i+end])
			if !ok {
				return "", fmt.Errorf("unsupported entity %q at byte offset %d", s[i:i+end+1], i)
			}
			out.WriteString(text)
			i += end + 1
		case '>':
			return "", fmt.Errorf("unescaped \">\" at byte offset %d", i)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return "", fmt.Errorf("text must be encoded in UTF-8")
			}
			out.WriteRune(r)
			i += size
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", open[len(open)-1])
	}
	return out.String(), nil
}

func entity(name string) (string, bool) {
	if text, ok := namedEntities[name]; ok {
		return text, true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return "", false
	}
	base := 10
	if hex, ok := strings.CutPrefix(num, "x"); ok {
		num, base = hex, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return "", false
	}
	return string(rune(n)), true
}
