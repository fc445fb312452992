package telegram

import (
	"strings"
	"testing"

	"github.com/vocbot/vocbot/surveys/surveystest"
)

// BenchmarkRenderTelegramDigest writes a busy workspace's digest card
// (surveystest.BusyDigest, longer than one message) as Telegram HTML. One
// op is renderDigest: every line escaped and anchored, titles in bold, cut
// at a whole line to 4,096 UTF-16 units. The card is worded before the
// timed loop (BenchmarkRenderDigestCard in surveys measures that).
func BenchmarkRenderTelegramDigest(b *testing.B) {
	for _, locale := range []string{"he", "en"} {
		b.Run(locale, func(b *testing.B) {
			c := surveystest.BusyDigest(locale).Card()
			want := renderDigest(c)
			if n := utf16Len(want); len(c.Sections) < 5 || n > maxTextLen || n < maxTextLen/2 || !strings.HasSuffix(want, ellipsis) {
				b.Fatalf("%d sections, %d UTF-16 units: want a busy digest cut near %d", len(c.Sections), n, maxTextLen)
			}
			b.ReportAllocs()
			for b.Loop() {
				if text := renderDigest(c); len(text) != len(want) {
					b.Fatalf("%d bytes, then %d", len(want), len(text))
				}
			}
		})
	}
}
