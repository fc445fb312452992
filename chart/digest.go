package chart

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vocbot/vocbot/surveys"
)

// FromDigest is the digest's trend: every survey's rolling 28-day score
// with its interval and its responses per day.
func FromDigest(d surveys.Digest) Trend {
	t := Trend{
		YLabel: "Rolling 28-day score (NPS, eNPS: points; CSAT, CES: % of answers), band: 95% interval",
		NLabel: "Responses per day",
		XLabel: "Day",
	}
	var metrics []string
	for _, s := range d.Surveys {
		name := metricName(s.Metric)
		if s.SurveyID != "" && !strings.EqualFold(s.SurveyID, string(s.Metric)) {
			name += " · " + s.SurveyID
		}
		if c := s.Current; c.HasScore() {
			name += fmt.Sprintf("  %s (%s to %s)", number(float64(c.Value)), number(c.CI.Lo), number(c.CI.Hi))
		}
		series := Series{Name: name}
		for _, day := range s.Daily {
			p := Point{Date: day.Date, N: day.Responses}
			if r := day.Rolling; r.HasScore() {
				p.HasScore, p.Value, p.Lo, p.Hi = true, float64(r.Value), r.CI.Lo, r.CI.Hi
			}
			series.Points = append(series.Points, p)
		}
		t.Series = append(t.Series, series)
		metrics = append(metrics, metricName(s.Metric))
	}
	span := ""
	if len(t.Series) > 0 && len(t.Series[0].Points) > 0 {
		span = ", to " + t.Series[0].Points[len(t.Series[0].Points)-1].Date.Format("Jan 2, 2006")
	}
	t.Title = "Customer voice: " + strings.Join(dedupe(metrics), ", ") + span
	return t
}

// DigestPNG draws the digest's trend chart as a PNG; nil when there is
// nothing to draw. Its signature is what the digest workers take.
func DigestPNG(d surveys.Digest) ([]byte, error) {
	b, err := PNG(FromDigest(d))
	if errors.Is(err, ErrNoData) {
		return nil, nil
	}
	return b, err
}

// DigestSVG is DigestPNG as SVG, for web pages.
func DigestSVG(d surveys.Digest) ([]byte, error) {
	b, err := SVG(FromDigest(d))
	if errors.Is(err, ErrNoData) {
		return nil, nil
	}
	return b, err
}

func metricName(m surveys.Metric) string {
	switch m {
	case surveys.NPS:
		return "NPS"
	case surveys.ENPS:
		return "eNPS"
	case surveys.CSAT:
		return "CSAT"
	case surveys.CES:
		return "CES"
	}
	return strings.ToUpper(string(m))
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
