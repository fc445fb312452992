// Package chart draws vocbot's trend chart: each survey's rolling score as a
// line inside its 95% interval band, the responses per day as bars below,
// with a title, a legend and labelled axes. One layout is rendered two ways:
// PNG for chat apps and SVG for web pages.
//
// The package takes plain data (Trend); FromDigest turns a digest into it.
// Text is set in the Go fonts (golang.org/x/image/font/gofont, BSD licence,
// see GOFONTS-LICENSE), which cover Latin, Greek and Cyrillic but cannot
// shape Arabic script, so every label is Latin letters and Latin digits;
// the digest's text, in the reader's language, says what the chart shows.
package chart

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"
)

// Trend is one chart: several series over the same days.
type Trend struct {
	Title string
	// YLabel names the score axis; NLabel the responses panel.
	YLabel, NLabel string
	// XLabel names the time axis.
	XLabel string
	Series []Series
}

// Series is one survey's line. Every series of a Trend has the same days.
type Series struct {
	Name   string
	Points []Point // oldest first, one per day
}

// Point is one day: its responses and, when one may be shown, the score
// and its 95% interval (Lo ≤ Value ≤ Hi).
type Point struct {
	Date          time.Time
	N             int
	HasScore      bool
	Value, Lo, Hi float64
}

// ErrNoData is returned for a trend without a day that has a response or
// a score: there is nothing to draw.
var ErrNoData = errors.New("chart: no day has responses or a score")

// Size of the chart in pixels (PNG) and user units (SVG).
const (
	Width, Height = 1200, 720
)

// Layout, in pixels from the top left.
const (
	left, right          = 86.0, Width - 32.0
	titleY               = 42.0
	legendY              = 78.0
	yLabelY              = 114.0
	scoreTop, scoreBot   = 128.0, 470.0
	nLabelY              = 506.0
	countTop, countBot   = 518.0, 632.0
	xTickY               = 656.0
	xLabelY              = 694.0
	titleSize, labelSize = 26.0, 16.0
	smallSize            = 14.0
)

// Colours: Okabe–Ito, distinguishable with the common colour-vision
// deficiencies; the band is the line's colour, transparent.
var (
	palette    = []color.RGBA{{0x00, 0x72, 0xb2, 0xff}, {0xd5, 0x5e, 0x00, 0xff}, {0x00, 0x9e, 0x73, 0xff}, {0xcc, 0x79, 0xa7, 0xff}, {0xe6, 0x9f, 0x00, 0xff}}
	background = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink        = color.RGBA{0x22, 0x28, 0x30, 0xff}
	muted      = color.RGBA{0x5f, 0x68, 0x73, 0xff}
	grid       = color.RGBA{0xe3, 0xe6, 0xea, 0xff}
	axis       = color.RGBA{0x9a, 0xa1, 0xa9, 0xff}
)

const bandAlpha, barAlpha = 0.2, 0.55

// pt is a point in chart coordinates.
type pt struct{ X, Y float64 }

// anchor is where a text's x is: its start, middle or end.
type anchor int

const (
	start anchor = iota
	middle
	end
)

// shape is one drawing operation; PNG and SVG draw the same list.
type shape struct {
	fill   [][]pt // closed polygons, filled
	stroke [][]pt // open polylines, stroked with width
	width  float64
	color  color.RGBA
	alpha  float64 // 0..1, applied on top of color
	text   string
	at     pt // text baseline position
	size   float64
	bold   bool
	anchor anchor
}

// scene is a laid-out chart.
type scene struct{ shapes []shape }

func (s *scene) add(sh shape) {
	if sh.alpha == 0 {
		sh.alpha = 1
	}
	s.shapes = append(s.shapes, sh)
}

func (s *scene) text(text string, at pt, size float64, bold bool, a anchor, c color.RGBA) {
	s.add(shape{text: text, at: at, size: size, bold: bold, anchor: a, color: c})
}

// layout places everything. measure returns a text's advance width, so
// labels can be kept apart.
func layout(t Trend, measure func(s string, size float64, bold bool) float64) (scene, error) {
	if len(t.Series) == 0 {
		return scene{}, ErrNoData
	}
	days := len(t.Series[0].Points)
	for _, s := range t.Series[1:] {
		if len(s.Points) != days {
			return scene{}, fmt.Errorf("chart: series %q has %d days, %q has %d", s.Name, len(s.Points), t.Series[0].Name, days)
		}
		for i, p := range s.Points {
			if !p.Date.Equal(t.Series[0].Points[i].Date) {
				return scene{}, fmt.Errorf("chart: series %q and %q differ on day %d", s.Name, t.Series[0].Name, i)
			}
		}
	}
	// Fit the time axis to the data: drop leading days where nothing
	// happened, so a new survey's chart is not three-quarters empty.
	first := -1
	for i := range days {
		for _, s := range t.Series {
			if p := s.Points[i]; p.N > 0 || p.HasScore {
				first = i
				break
			}
		}
		if first >= 0 {
			break
		}
	}
	if first < 0 {
		return scene{}, ErrNoData
	}
	n := days - first
	dates := make([]time.Time, n)
	for i := range n {
		dates[i] = t.Series[0].Points[first+i].Date
	}
	// x places day i in the middle of its slot, so one day is not a zero-width chart.
	slot := (right - left) / float64(n)
	x := func(i int) float64 { return left + slot*(float64(i)+0.5) }

	var sc scene
	sc.add(shape{fill: [][]pt{rect(0, 0, Width, Height)}, color: background})
	sc.text(t.Title, pt{left, titleY}, titleSize, true, start, ink)

	// Legend: a line swatch, the band behind it, the name.
	lx := left
	for k, s := range t.Series {
		c := palette[k%len(palette)]
		sc.add(shape{fill: [][]pt{rect(lx, legendY-13, 28, 16)}, color: c, alpha: bandAlpha})
		sc.add(shape{stroke: [][]pt{{{lx, legendY - 5}, {lx + 28, legendY - 5}}}, width: 3, color: c})
		sc.text(s.Name, pt{lx + 36, legendY}, labelSize, false, start, ink)
		lx += 36 + measure(s.Name, labelSize, false) + 28
	}

	// Score axis: a range that holds every interval, in round steps.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range t.Series {
		for _, p := range s.Points[first:] {
			if p.HasScore {
				lo, hi = math.Min(lo, p.Lo), math.Max(hi, p.Hi)
			}
		}
	}
	scored := !math.IsInf(lo, 1)
	if !scored {
		lo, hi = 0, 100
	}
	step := niceStep(hi - lo)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	if hi-lo < 2*step {
		hi = lo + 2*step
	}
	lo, hi = math.Max(lo, -100), math.Min(hi, 100)
	y := func(v float64) float64 { return scoreBot - (v-lo)/(hi-lo)*(scoreBot-scoreTop) }

	sc.text(t.YLabel, pt{left, yLabelY}, smallSize, false, start, muted)
	var gridLines [][]pt
	for v := lo; v <= hi+1e-9; v += step {
		gridLines = append(gridLines, []pt{{left, y(v)}, {right, y(v)}})
		sc.text(number(v), pt{left - 10, y(v) + 5}, smallSize, false, end, muted)
	}
	sc.add(shape{stroke: gridLines, width: 1, color: grid})
	if lo < 0 && hi > 0 {
		sc.add(shape{stroke: [][]pt{{{left, y(0)}, {right, y(0)}}}, width: 1.5, color: axis})
	}
	if !scored {
		sc.text("No scores yet: a score needs at least 5 answers in 28 days", pt{(left + right) / 2, (scoreTop + scoreBot) / 2}, labelSize, false, middle, muted)
	}

	// Bands first, then lines on top, so no band hides a line. A day
	// without a score breaks both.
	for k, s := range t.Series {
		c := palette[k%len(palette)]
		for _, run := range runs(s.Points[first:]) {
			var band []pt
			for _, i := range run {
				band = append(band, pt{x(i), y(s.Points[first+i].Hi)})
			}
			for j := len(run) - 1; j >= 0; j-- {
				band = append(band, pt{x(run[j]), y(s.Points[first+run[j]].Lo)})
			}
			sc.add(shape{fill: [][]pt{band}, color: c, alpha: bandAlpha})
		}
	}
	for k, s := range t.Series {
		c := palette[k%len(palette)]
		var lines [][]pt
		for _, run := range runs(s.Points[first:]) {
			var line []pt
			for _, i := range run {
				line = append(line, pt{x(i), y(s.Points[first+i].Value)})
			}
			if len(line) == 1 { // a lone day: a short tick so it shows
				line = []pt{{line[0].X - 3, line[0].Y}, {line[0].X + 3, line[0].Y}}
			}
			lines = append(lines, line)
		}
		sc.add(shape{stroke: lines, width: 3, color: c})
	}

	// Responses per day, stacked by series.
	most := 0
	for i := range n {
		total := 0
		for _, s := range t.Series {
			total += s.Points[first+i].N
		}
		most = max(most, total)
	}
	nMax := float64(niceCeil(most))
	yn := func(v float64) float64 { return countBot - v/nMax*(countBot-countTop) }
	sc.text(t.NLabel, pt{left, nLabelY}, smallSize, false, start, muted)
	sc.add(shape{stroke: [][]pt{{{left, yn(nMax)}, {right, yn(nMax)}}}, width: 1, color: grid})
	sc.text(number(nMax), pt{left - 10, yn(nMax) + 5}, smallSize, false, end, muted)
	sc.text("0", pt{left - 10, countBot + 5}, smallSize, false, end, muted)
	barW := math.Max(1, slot*0.7)
	base := make([]int, n)
	for k, s := range t.Series {
		var bars [][]pt
		for i := range n {
			v := s.Points[first+i].N
			if v == 0 {
				continue
			}
			top, bottom := yn(float64(base[i]+v)), yn(float64(base[i]))
			bars = append(bars, rect(x(i)-barW/2, top, barW, bottom-top))
			base[i] += v
		}
		if len(bars) > 0 {
			sc.add(shape{fill: bars, color: palette[k%len(palette)], alpha: barAlpha})
		}
	}
	sc.add(shape{stroke: [][]pt{{{left, countBot}, {right, countBot}}}, width: 1.5, color: axis})

	// Dates: counted back from the last day in a step that keeps labels apart.
	every := dateStep(n, slot, measure)
	var ticks [][]pt
	for i := n - 1; i >= 0; i -= every {
		ticks = append(ticks, []pt{{x(i), countBot}, {x(i), countBot + 7}})
		label := dates[i].Format("Jan 2")
		w := measure(label, smallSize, false)
		cx := math.Min(math.Max(x(i), left+w/2), Width-8-w/2)
		sc.text(label, pt{cx, xTickY}, smallSize, false, middle, muted)
	}
	sc.add(shape{stroke: ticks, width: 1.5, color: axis})
	sc.text(t.XLabel, pt{(left + right) / 2, xLabelY}, smallSize, false, middle, muted)
	return sc, nil
}

// runs splits points into runs of consecutive days that have a score.
func runs(ps []Point) [][]int {
	var out [][]int
	var cur []int
	for i, p := range ps {
		if p.HasScore {
			cur = append(cur, i)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// niceStep is a round grid step that splits span into at most 6 parts.
func niceStep(span float64) float64 {
	for _, s := range []float64{5, 10, 20, 25, 50} {
		if span/s <= 6 {
			return s
		}
	}
	return 50
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}

// dateStep is how many days apart date labels are: 1, 2, 7, 14 or 28,
// the least whose labels do not touch.
func dateStep(n int, slot float64, measure func(string, float64, bool) float64) int {
	w := measure("Sep 30", smallSize, false) + 16
	for _, s := range []int{1, 2, 7, 14, 28} {
		if float64(s)*slot >= w {
			return s
		}
	}
	return max(28, n)
}

// number writes v as an integer with a true minus sign.
func number(v float64) string {
	s := strconv.Itoa(int(math.Round(v)))
	return strings.Replace(s, "-", "−", 1)
}

func rect(x, y, w, h float64) []pt {
	return []pt{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}
}
