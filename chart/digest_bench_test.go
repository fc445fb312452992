package chart_test

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/vocbot/vocbot/chart"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// BenchmarkRenderChartPNG draws the trend chart of a busy workspace's
// digest (surveystest.BusyDigest: four series of 90 days, one of them
// starting 60 days ago, with bands and stacked daily bars). One op is
// DigestPNG: the trend taken from the digest, the fonts parsed, the layout,
// the rasterising and the PNG encoding. The chart's labels are Latin
// whatever the digest's locale (see the package documentation), so he and
// en draw the same picture; both are measured so that a localised chart
// would show its cost here.
func BenchmarkRenderChartPNG(b *testing.B) {
	for _, locale := range []string{"he", "en"} {
		b.Run(locale, func(b *testing.B) {
			d := surveystest.BusyDigest(locale)
			first, err := chart.DigestPNG(d)
			if err != nil {
				b.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(first))
			if err != nil || cfg.Width != chart.Width || cfg.Height != chart.Height {
				b.Fatalf("PNG %dx%d, %v; want %dx%d", cfg.Width, cfg.Height, err, chart.Width, chart.Height)
			}
			if series := len(chart.FromDigest(d).Series); series != len(d.Surveys) || series < 4 {
				b.Fatalf("%d series for %d surveys", series, len(d.Surveys))
			}
			b.ReportAllocs()
			for b.Loop() {
				img, err := chart.DigestPNG(d)
				if err != nil || len(img) == 0 {
					b.Fatalf("%d bytes, %v", len(img), err)
				}
			}
			b.ReportMetric(float64(len(first)), "png-bytes")
		})
	}
}
