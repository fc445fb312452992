package scoring

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// UTF16Len is the length of s in UTF-16 code units, the unit Telegram and
// Discord count their limits in.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// CutUTF16 shortens s to at most max UTF-16 units for a platform limit,
// marking the cut with "…": at the last whole line if that keeps at least
// half, else before a rune that would have continued a grapheme (a combining
// mark, a variation selector, a ZWJ). Bytes in avoid are not left at the end
// of the cut (a Markdown escape, say). s is returned whole when it fits.
func CutUTF16(s string, max int, avoid string) string {
	const ellipsis = "…"
	if UTF16Len(s) <= max {
		return s
	}
	budget := max - UTF16Len(ellipsis)
	cut, used := 0, 0
	for i, r := range s {
		n := utf16.RuneLen(r)
		if used+n > budget {
			break
		}
		used += n
		cut = i + utf8.RuneLen(r)
	}
	for cut > 0 {
		r, _ := utf8.DecodeRuneInString(s[cut:])
		if !unicode.In(r, unicode.Mn, unicode.Me, unicode.Variation_Selector) && r != '\u200D' {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:cut])
		cut -= size
	}
	for cut > 0 && avoid != "" && strings.IndexByte(avoid, s[cut-1]) >= 0 {
		cut--
	}
	if nl := strings.LastIndexByte(s[:cut], '\n'); nl > 0 && UTF16Len(s[:nl]) >= budget/2 {
		return s[:nl] + "\n" + ellipsis
	}
	return s[:cut] + ellipsis
}
