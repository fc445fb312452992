package surveys

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/vocbot/vocbot/scoring"
)

// The trend chart attached to a digest: the rolling 28-day score of its
// first NPS survey (else its first survey) with the 95% interval as a band,
// over the last 90 days, above the daily response counts. It is drawn with
// the standard library alone, at a size that stays legible on a phone.
//
// Labels are numbers and day/month dates only, in the digest's digits
// (Latin, Persian ۰–۹ or Arabic-Indic ٠–٩) from a small built-in bitmap
// font: the standard library and golang.org/x/image cannot shape Arabic
// script or lay out right-to-left words, and numbers read the same in every
// direction. The words belong in the digest's text, which says what the
// chart shows.

// Chart geometry, in pixels.
const (
	chartW, chartH        = 1080, 720
	chartLeft, chartRight = 120, 1050
	lineTop, lineBottom   = 40, 470
	barTop, barBottom     = 520, 650
	chartGlyphScale       = 3
)

var (
	chartBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	chartGrid       = color.RGBA{0xe3, 0xe6, 0xea, 0xff}
	chartAxis       = color.RGBA{0x9a, 0xa1, 0xa9, 0xff}
	chartBand       = color.RGBA{0xc6, 0xdc, 0xf5, 0xff}
	chartLine       = color.RGBA{0x1f, 0x5f, 0xae, 0xff}
	chartBar        = color.RGBA{0x8c, 0x96, 0xa3, 0xff}
	chartText       = color.RGBA{0x33, 0x3a, 0x42, 0xff}
)

// DigestChart draws d's trend chart as a PNG; nil when d has no survey.
func DigestChart(d Digest) ([]byte, error) {
	var s *DigestSurvey
	for i := range d.Surveys {
		if sc := d.Surveys[i].Scale; sc == scoring.NPS || sc == scoring.ENPS {
			s = &d.Surveys[i]
			break
		}
	}
	if s == nil && len(d.Surveys) > 0 {
		s = &d.Surveys[0]
	}
	if s == nil || len(s.Daily) < 2 {
		return nil, nil
	}
	img := drawChart(s.Daily, s.Scale == scoring.NPS || s.Scale == scoring.ENPS, digitsOf(d.Locale))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// digitsOf picks the chart's digit set from the digest's locale the way
// the text does (fa and ar native unless -u-nu-latn).
func digitsOf(locale string) rune {
	f := NewDigestFormat(locale)
	switch f.printer.Sprint(7) {
	case "۷":
		return '۰'
	case "٧":
		return '٠'
	}
	return '0'
}

func drawChart(days []DigestDay, nps bool, zero rune) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	fillRect(img, img.Rect, chartBackground)
	n := len(days)
	x := func(i int) int { return chartLeft + i*(chartRight-chartLeft)/(n-1) }

	lo, hi := 0.0, 100.0
	if nps {
		lo, hi = 100.0, -100.0
		for _, d := range days {
			if d.Rolling.HasScore() {
				lo, hi = math.Min(lo, d.Rolling.CI.Lo), math.Max(hi, d.Rolling.CI.Hi)
			}
		}
		if lo > hi {
			lo, hi = -20, 20
		}
		lo, hi = math.Floor(lo/20)*20, math.Ceil(hi/20)*20
		if hi-lo < 40 {
			hi = lo + 40
		}
		lo, hi = math.Max(lo, -100), math.Min(hi, 100)
	}
	y := func(v float64) int {
		return lineBottom - int(math.Round((v-lo)/(hi-lo)*float64(lineBottom-lineTop)))
	}
	step := 20.0
	if hi-lo > 100 {
		step = 40
	}
	for v := math.Ceil(lo/step) * step; v <= hi+1e-9; v += step {
		c := chartGrid
		if v == 0 && nps {
			c = chartAxis
		}
		fillRect(img, image.Rect(chartLeft, y(v), chartRight+1, y(v)+2), c)
		label := formatChartInt(int(v), zero)
		drawText(img, chartLeft-14-textWidth(label), y(v)-chartGlyphScale*7/2, label, chartText)
	}

	// The interval band, then the score line over it; days without a score
	// (fewer than 5 answers) leave a gap.
	for i := 0; i+1 < n; i++ {
		a, b := days[i].Rolling, days[i+1].Rolling
		if !a.HasScore() || !b.HasScore() {
			continue
		}
		for px := x(i); px <= x(i+1); px++ {
			t := float64(px-x(i)) / float64(x(i+1)-x(i))
			top := y(a.CI.Hi + t*(b.CI.Hi-a.CI.Hi))
			bottom := y(a.CI.Lo + t*(b.CI.Lo-a.CI.Lo))
			fillRect(img, image.Rect(px, top, px+1, bottom+1), chartBand)
		}
	}
	for i := 0; i+1 < n; i++ {
		a, b := days[i].Rolling, days[i+1].Rolling
		if a.HasScore() && b.HasScore() {
			drawLine(img, x(i), y(float64(a.Value)), x(i+1), y(float64(b.Value)), 2, chartLine)
		}
	}

	// Daily responses as bars, with the busiest day's count.
	most := 0
	for _, d := range days {
		most = max(most, d.Responses)
	}
	fillRect(img, image.Rect(chartLeft, barBottom, chartRight+1, barBottom+2), chartAxis)
	if most > 0 {
		w := max(1, (chartRight-chartLeft)/n-2)
		for i, d := range days {
			h := d.Responses * (barBottom - barTop) / most
			fillRect(img, image.Rect(x(i)-w/2, barBottom-h, x(i)-w/2+w, barBottom), chartBar)
		}
		label := formatChartInt(most, zero)
		drawText(img, chartLeft-14-textWidth(label), barTop, label, chartText)
	}
	// Dates every 14 days, counted back from the last, as day/month.
	for i := n - 1; i >= 0; i -= 14 {
		_, m, dd := days[i].Date.Date()
		label := formatChartInt(dd, zero) + "/" + formatChartInt(int(m), zero)
		lx := min(max(x(i)-textWidth(label)/2, 0), chartW-textWidth(label))
		fillRect(img, image.Rect(x(i), barBottom, x(i)+2, barBottom+10), chartAxis)
		drawText(img, lx, barBottom+18, label, chartText)
	}
	return img
}

// formatChartInt writes n with the digit set starting at zero and "−".
func formatChartInt(n int, zero rune) string {
	s := fmt.Sprint(n)
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r == '-':
			out = append(out, '−')
		case r >= '0' && r <= '9':
			out = append(out, zero+(r-'0'))
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			img.SetRGBA(px, py, c)
		}
	}
}

// drawLine draws a segment as squares of half-width w along it.
func drawLine(img *image.RGBA, x0, y0, x1, y1, w int, c color.RGBA) {
	steps := max(chartAbs(x1-x0), chartAbs(y1-y0), 1)
	for i := 0; i <= steps; i++ {
		px := x0 + (x1-x0)*i/steps
		py := y0 + (y1-y0)*i/steps
		fillRect(img, image.Rect(px-w, py-w, px+w+1, py+w+1), c)
	}
}

func chartAbs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func textWidth(s string) int {
	n := 0
	for range s {
		n++
	}
	return n * 6 * chartGlyphScale
}

// drawText draws s left to right in the built-in font; unknown runes are
// blank.
func drawText(img *image.RGBA, x, y int, s string, c color.RGBA) {
	for _, r := range s {
		if g, ok := chartGlyphs[r]; ok {
			for row, line := range g {
				for col, bit := range line {
					if bit == '#' {
						fillRect(img, image.Rect(x+col*chartGlyphScale, y+row*chartGlyphScale,
							x+(col+1)*chartGlyphScale, y+(row+1)*chartGlyphScale), c)
					}
				}
			}
		}
		x += 6 * chartGlyphScale
	}
}

// chartGlyphs is a 5×7 bitmap font of the characters chart labels use:
// Latin, Persian and Arabic-Indic digits, minus, slash and percent.
var chartGlyphs = map[rune][7]string{
	'0': {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
	'1': {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},
	'2': {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},
	'3': {"####.", "....#", "....#", ".###.", "....#", "....#", "####."},
	'4': {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},
	'5': {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
	'6': {".###.", "#....", "#....", "####.", "#...#", "#...#", ".###."},
	'7': {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},
	'8': {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
	'9': {".###.", "#...#", "#...#", ".####", "....#", "....#", ".###."},
	'−': {".....", ".....", ".....", "#####", ".....", ".....", "....."},
	'/': {"....#", "....#", "...#.", "..#..", ".#...", "#....", "#...."},
	'%': {"##..#", "##..#", "...#.", "..#..", ".#...", "#..##", "#..##"},
	// Arabic-Indic digits ٠–٩.
	'٠': {".....", ".....", ".###.", ".#.#.", ".###.", ".....", "....."},
	'١': {".#...", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
	'٢': {"#..#.", ".##..", ".#...", ".#...", ".#...", ".#...", ".#..."},
	'٣': {"#.#.#", ".#.#.", ".#...", ".#...", ".#...", ".#...", ".#..."},
	'٤': {"..##.", ".#...", "..#..", ".#...", "#....", ".###.", "....."},
	'٥': {".....", "..#..", ".#.#.", "#...#", "#...#", ".###.", "....."},
	'٦': {"####.", "...#.", "...#.", "...#.", "...#.", "...#.", "...#."},
	'٧': {"#...#", "#...#", ".#.#.", ".#.#.", "..#..", "..#..", "....."},
	'٨': {".....", "..#..", "..#..", ".#.#.", ".#.#.", "#...#", "#...#"},
	'٩': {".##..", "#..#.", "#..#.", ".###.", "...#.", "...#.", "...#."},
	// Persian digits ۰–۹: ۰ ۱ ۲ ۳ ۷ ۸ ۹ as Arabic-Indic, ۴ ۵ ۶ their own.
	'۰': {".....", ".....", ".###.", ".#.#.", ".###.", ".....", "....."},
	'۱': {".#...", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
	'۲': {"#..#.", ".##..", ".#...", ".#...", ".#...", ".#...", ".#..."},
	'۳': {"#.#.#", ".#.#.", ".#...", ".#...", ".#...", ".#...", ".#..."},
	'۴': {"#.#.#", "##.#.", "#....", ".#...", "..#..", "..#..", "..#.."},
	'۵': {"..#..", ".#.#.", "#...#", "#...#", "#.#.#", ".#.#.", "....."},
	'۶': {"..##.", ".#...", "..#..", "...#.", "..#..", ".#...", "#...."},
	'۷': {"#...#", "#...#", ".#.#.", ".#.#.", "..#..", "..#..", "....."},
	'۸': {".....", "..#..", "..#..", ".#.#.", ".#.#.", "#...#", "#...#"},
	'۹': {".##..", "#..#.", "#..#.", ".###.", "...#.", "...#.", "...#."},
}
