package discord

import (
	"testing"

	"github.com/vocbot/vocbot/surveys/surveystest"
)

// BenchmarkRenderDiscordDigest writes a busy workspace's digest card
// (surveystest.BusyDigest, more than one embed holds) as an embed message
// with the chart attached. One op is renderDigest: a field per survey and
// one for its quotes, escaped for markdown, RTL lines anchored, each part
// cut to its limit and fields dropped past 6,000 characters. The card is
// worded before the timed loop (BenchmarkRenderDigestCard in surveys
// measures that).
func BenchmarkRenderDiscordDigest(b *testing.B) {
	const filename = "trend-2026-11-23.png"
	for _, locale := range []string{"he", "en"} {
		b.Run(locale, func(b *testing.B) {
			c := surveystest.BusyDigest(locale).Card()
			e := renderDigest(c, true, filename).Embeds[0]
			total := utf16Len(e.Title) + utf16Len(e.Footer.Text)
			for _, f := range e.Fields {
				total += utf16Len(f.Name) + utf16Len(f.Value)
			}
			if len(c.Sections) < 5 || len(e.Fields) < 4 || total > maxEmbedTotal || total < maxEmbedTotal/2 || e.Image == nil {
				b.Fatalf("%d sections, %d fields, %d characters, image %v: want a busy digest near the embed's limit", len(c.Sections), len(e.Fields), total, e.Image)
			}
			b.ReportAllocs()
			for b.Loop() {
				if m := renderDigest(c, true, filename); len(m.Embeds[0].Fields) != len(e.Fields) {
					b.Fatalf("%d fields, then %d", len(e.Fields), len(m.Embeds[0].Fields))
				}
			}
		})
	}
}
