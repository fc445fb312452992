package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// weeklyChart draws a survey's weekly scores from the report as inline SVG:
// the score line with its 95% interval as a band, weeks without a score
// left as gaps, labelled axes and a legend. Only the report's numbers are
// drawn.
func weeklyChart(f *surveys.DigestFormat, s surveys.ReportSurvey) template.HTML {
	const (
		width, height = 640, 260
		left, right   = 48, 28 // room for the last week's label, centred on the edge
		top, bottom   = 28, 44
	)
	lo, hi := 0.0, 100.0
	unit := "%"
	if s.Scale == scoring.NPS || s.Scale == scoring.ENPS {
		lo, unit = -100, ""
	}
	weeks := s.Weeks
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	x := func(i int) float64 {
		if len(weeks) < 2 {
			return float64(left) + plotW/2
		}
		return float64(left) + plotW*float64(i)/float64(len(weeks)-1)
	}
	y := func(v float64) float64 { return float64(top) + plotH*(hi-v)/(hi-lo) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`, width, height)
	fmt.Fprintf(&b, `<title id="chart-title">%s by week with its 95%% interval</title>`, template.HTMLEscapeString(metricLabel(s.Scale)))
	// Gridlines and y axis labels.
	for v := lo; v <= hi; v += 50 {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`, left, width-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="tick" text-anchor="end">%s%s</text>`, left-6, y(v)+4, template.HTMLEscapeString(f.Int(int(v))), unit)
	}
	fmt.Fprintf(&b, `<text x="12" y="%d" class="axis" transform="rotate(-90 12 %d)" text-anchor="middle">%s</text>`,
		top+int(plotH/2), top+int(plotH/2), template.HTMLEscapeString(metricLabel(s.Scale)))
	// Band and line, one run per stretch of weeks with a score.
	var runs [][]int
	var run []int
	for i, w := range weeks {
		if w.Score.HasScore() {
			run = append(run, i)
			continue
		}
		if len(run) > 0 {
			runs = append(runs, run)
			run = nil
		}
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	for _, r := range runs {
		var band, line []string
		for _, i := range r {
			band = append(band, fmt.Sprintf("%.1f,%.1f", x(i), y(weeks[i].Score.CI.Hi)))
			line = append(line, fmt.Sprintf("%.1f,%.1f", x(i), y(float64(weeks[i].Score.Value))))
		}
		for j := len(r) - 1; j >= 0; j-- {
			i := r[j]
			band = append(band, fmt.Sprintf("%.1f,%.1f", x(i), y(weeks[i].Score.CI.Lo)))
		}
		fmt.Fprintf(&b, `<polygon class="band" points="%s"/>`, strings.Join(band, " "))
		fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(line, " "))
	}
	// Points with their numbers, and week labels.
	for i, w := range weeks {
		label := f.Date(w.Window.Start)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, x(i), height-bottom+16, template.HTMLEscapeString(w.Window.Start.Format("Jan 2")))
		if !w.Score.HasScore() {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="none" text-anchor="middle">n=%d</text>`, x(i), y((lo+hi)/2), w.Score.N)
			continue
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" class="point"><title>week of %s: %s (95%% CI %s), n = %s</title></circle>`,
			x(i), y(float64(w.Score.Value)), template.HTMLEscapeString(label),
			template.HTMLEscapeString(f.Value(s.Scale, w.Score)), template.HTMLEscapeString(f.Range(w.Score.CI)), template.HTMLEscapeString(f.Int(w.Score.N)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="middle">week starting</text>`, left+int(plotW/2), height-8)
	// Legend.
	fmt.Fprintf(&b, `<rect x="%d" y="6" width="14" height="10" class="band"/><text x="%d" y="15" class="tick">95%% interval</text>`, left, left+18)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="11" y2="11" class="line"/><text x="%d" y="15" class="tick">weekly score</text>`, left+110, left+124, left+128)
	fmt.Fprintf(&b, `<text x="%d" y="15" class="tick">n=… too few responses for a score</text>`, left+220)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped labels only
}
