package chart_test

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/chart"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// twoSurveys is a trend of an NPS survey and a CSAT survey that started 40
// days into a 90-day window, with a gap (too few answers) in the CSAT line.
func twoSurveys() chart.Trend {
	start := time.Date(2026, 8, 26, 0, 0, 0, 0, time.UTC)
	t := chart.Trend{Title: "Customer voice: NPS, CSAT, to Nov 23, 2026", YLabel: "Rolling 28-day score, band: 95% interval",
		NLabel: "Responses per day", XLabel: "Day",
		Series: []chart.Series{{Name: "NPS  38 (24 to 51)"}, {Name: "CSAT · support  81 (74 to 87)"}}}
	for i := range 90 {
		d := start.AddDate(0, 0, i)
		nps, csat := chart.Point{Date: d}, chart.Point{Date: d}
		if i >= 40 {
			nps.N, csat.N = 3+i%4, 1+i%3
			v := float64(i-40) * 0.8
			nps.HasScore, nps.Value, nps.Lo, nps.Hi = true, v, v-30+float64(i-40)*0.3, v+30-float64(i-40)*0.3
			if i < 60 || i > 66 {
				c := 70 + float64(i-40)*0.2
				csat.HasScore, csat.Value, csat.Lo, csat.Hi = true, c, c-8, c+6
			}
		}
		t.Series[0].Points = append(t.Series[0].Points, nps)
		t.Series[1].Points = append(t.Series[1].Points, csat)
	}
	return t
}

func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestPNGGolden compares the PNG with a reviewed one, allowing a few
// differing pixels (font rasterisation may shift an edge between
// platforms) while a moved line or label fails.
func TestPNGGolden(t *testing.T) {
	t.Parallel()
	for name, trend := range map[string]chart.Trend{"two_surveys": twoSurveys(), "digest_en": chart.FromDigest(surveystest.SampleDigest("en"))} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := chart.PNG(trend)
			if err != nil {
				t.Fatal(err)
			}
			want := golden(t, name+".golden.png", got)
			if n, total := pixelDiff(t, want, got); n > total/500 {
				t.Errorf("%d of %d pixels differ from testdata/%s.golden.png (over 0.2%%); look at both and rerun with -update", n, total, name)
			}
		})
	}
}

func TestSVGGolden(t *testing.T) {
	t.Parallel()
	got, err := chart.SVG(twoSurveys())
	if err != nil {
		t.Fatal(err)
	}
	want := golden(t, "two_surveys.golden.svg", got)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("SVG (-want +got):\n%s", diff)
	}
}

// pixelDiff counts pixels whose colour differs by more than a little in
// any channel.
func pixelDiff(t *testing.T, a, b []byte) (diff, total int) {
	t.Helper()
	ia, ib := decodeRGBA(t, a), decodeRGBA(t, b)
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("size %v, want %v", ib.Bounds(), ia.Bounds())
	}
	for i := 0; i < len(ia.Pix); i += 4 {
		for c := range 3 {
			if d := int(ia.Pix[i+c]) - int(ib.Pix[i+c]); d > 8 || d < -8 {
				diff++
				break
			}
		}
	}
	return diff, len(ia.Pix) / 4
}

func decodeRGBA(t *testing.T, b []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// The time axis starts with the first day that has data: a survey that
// began 40 days into the window does not get 40 empty days of chart.
func TestTimeAxisFitsTheData(t *testing.T) {
	t.Parallel()
	svg, err := chart.SVG(twoSurveys())
	if err != nil {
		t.Fatal(err)
	}
	for _, early := range []string{">Aug ", ">Sep ", ">Oct 4<"} {
		if strings.Contains(string(svg), early) {
			t.Errorf("the time axis shows %q, before the first day with data (Oct 5)", early)
		}
	}
	for _, want := range []string{">Oct 5<", ">Nov 23<", ">Day<", ">Responses per day<", ">NPS  38 (24 to 51)<"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
}

func TestNothingToDraw(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	empty := chart.Trend{Series: []chart.Series{{Name: "NPS", Points: []chart.Point{{Date: day}, {Date: day.AddDate(0, 0, 1)}}}}}
	for name, tr := range map[string]chart.Trend{"no series": {}, "no responses": empty} {
		if _, err := chart.PNG(tr); !errors.Is(err, chart.ErrNoData) {
			t.Errorf("%s: PNG error %v, want ErrNoData", name, err)
		}
		if _, err := chart.SVG(tr); !errors.Is(err, chart.ErrNoData) {
			t.Errorf("%s: SVG error %v, want ErrNoData", name, err)
		}
	}
	if b, err := chart.DigestPNG(surveys.Digest{}); b != nil || err != nil {
		t.Errorf("DigestPNG of an empty digest = %d bytes, %v; want none", len(b), err)
	}
}

func TestSeriesMustShareTheirDays(t *testing.T) {
	t.Parallel()
	tr := twoSurveys()
	tr.Series[1].Points = tr.Series[1].Points[1:]
	if _, err := chart.PNG(tr); err == nil || !strings.Contains(err.Error(), "days") {
		t.Errorf("PNG of series with different days: %v, want an error naming it", err)
	}
}

// Edge shapes still draw: one day with a score, and days with answers but
// no score yet (fewer than 5 in 28 days).
func TestSparseTrends(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	one := chart.Trend{Title: "one day", Series: []chart.Series{{Name: "NPS", Points: []chart.Point{
		{Date: day, N: 6, HasScore: true, Value: 20, Lo: -10, Hi: 50}}}}}
	unscored := chart.Trend{Title: "no score", Series: []chart.Series{{Name: "CSAT", Points: []chart.Point{{Date: day, N: 1}, {Date: day.AddDate(0, 0, 1), N: 2}}}}}
	for name, tr := range map[string]chart.Trend{"one day": one, "no score yet": unscored} {
		b, err := chart.PNG(tr)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != chart.Width || img.Bounds().Dy() != chart.Height {
			t.Fatalf("%s: %v, %v", name, img.Bounds(), err)
		}
	}
	svg, err := chart.SVG(unscored)
	if err != nil || !strings.Contains(string(svg), "No scores yet") {
		t.Errorf("a trend without scores should say so: %v", err)
	}
}

// Telegram refuses photos whose sides add up to more than 10,000 pixels or
// whose ratio exceeds 20.
func TestSizeFitsChatApps(t *testing.T) {
	if chart.Width+chart.Height > 10000 || chart.Width > 20*chart.Height || chart.Height > 20*chart.Width {
		t.Errorf("%d × %d does not fit Telegram's photo limits", chart.Width, chart.Height)
	}
}
