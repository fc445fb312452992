package slack

import (
	"testing"

	"github.com/vocbot/vocbot/surveys/surveystest"
)

// BenchmarkRenderSlackDigest writes a busy workspace's digest card
// (surveystest.BusyDigest) as Block Kit. One op is renderDigest: the
// header, a divider, sections and a quote block per survey, the footer,
// every RTL line anchored and all of it escaped for mrkdwn, and the
// notification text. The card is worded before the timed loop
// (BenchmarkRenderDigestCard in surveys measures that).
func BenchmarkRenderSlackDigest(b *testing.B) {
	for _, locale := range []string{"he", "en"} {
		b.Run(locale, func(b *testing.B) {
			c := surveystest.BusyDigest(locale).Card()
			if len(c.Sections) < 5 {
				b.Fatalf("%d sections: not a busy digest", len(c.Sections))
			}
			b.ReportAllocs()
			for b.Loop() {
				blocks, fallback := renderDigest(c)
				if len(blocks) < 3*len(c.Sections) || len(blocks) > maxBlocks || len(fallback) == 0 {
					b.Fatalf("%d blocks for %d sections, fallback of %d bytes", len(blocks), len(c.Sections), len(fallback))
				}
			}
		})
	}
}
