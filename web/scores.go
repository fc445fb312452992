package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// GET /v1/scores renders the score report (surveys.Report): each survey's
// score over a trailing window of whole local days with its interval, n and
// level, the change against the window before flagged by the digest's rule,
// and segments ranked by smoothed score. Unrounded numbers in the shapes of
// vocbot score --json; the report computed them.

// byName is a touchpoint attribute name as touchpoints may carry it.
var byName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// scoresResponse is the body of GET /v1/scores.
type scoresResponse struct {
	Window         windowJSON  `json:"window"`
	PreviousWindow windowJSON  `json:"previous_window"`
	By             string      `json:"by,omitempty"`
	Scores         []scoreJSON `json:"scores"`
}

type windowJSON struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Days     int    `json:"days"`
	Timezone string `json:"timezone"`
}

// scoreJSON is one survey, or one segment of it, in the window.
type scoreJSON struct {
	Survey  string  `json:"survey"`
	Segment *string `json:"segment,omitempty"`
	metricJSON
	// Smoothed is the segment's ranking score (never displayed as its score).
	Smoothed *float64    `json:"smoothed,omitempty"`
	Previous metricJSON  `json:"previous"`
	Change   *changeJSON `json:"change"`
}

// metricJSON is one cell: the fields of vocbot score --json for its metric,
// plus level. Fields of other metrics are left out.
type metricJSON struct {
	Metric        string      `json:"metric"`
	Scale         string      `json:"scale,omitempty"`
	N             int         `json:"n"`
	Level         string      `json:"level"`
	Promoters     *int        `json:"promoters,omitempty"`
	Passives      *int        `json:"passives,omitempty"`
	Detractors    *int        `json:"detractors,omitempty"`
	Score         *float64    `json:"score"`
	Display       string      `json:"display,omitempty"`
	CI95          *[2]float64 `json:"ci95"`
	Method        string      `json:"method,omitempty"`
	Mean          *float64    `json:"mean,omitempty"`
	Counts        []int       `json:"counts,omitempty"`
	MeanCI95      *[2]float64 `json:"mean_ci95,omitempty"`
	MeanMethod    string      `json:"mean_method,omitempty"`
	Agree         *float64    `json:"agree,omitempty"`
	Disagree      *float64    `json:"disagree,omitempty"`
	Net           *float64    `json:"net,omitempty"`
	AgreeCI95     *[2]float64 `json:"agree_ci95,omitempty"`
	DisagreeCI95  *[2]float64 `json:"disagree_ci95,omitempty"`
	LowEffort     *float64    `json:"low_effort,omitempty"`
	LowEffortCI95 *[2]float64 `json:"low_effort_ci95,omitempty"`
	ShareMethod   string      `json:"share_method,omitempty"`
}

// changeJSON is the change test, current against previous. Significant is
// the digest's flag: tested (n ≥ 30 in both windows), p < 0.05 surviving
// Benjamini–Hochberg across the report, and a displayed change of at least
// 5 points; Arrow says which way.
type changeJSON struct {
	Delta       float64    `json:"delta"`
	SE          float64    `json:"se"`
	Z           float64    `json:"z"`
	P           float64    `json:"p"`
	CI95        [2]float64 `json:"ci95"`
	Significant bool       `json:"significant"`
	Tested      bool       `json:"tested"`
	Arrow       string     `json:"arrow"`
	Method      string     `json:"method"`
}

func (a *Server) getScores(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := unknownParams(q, "survey", "window", "by"); err != nil {
		writeParamError(w, err)
		return
	}
	days := scoring.HeadlineDays
	if s := q.Get("window"); s != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || !strings.HasSuffix(s, "d") || n < 1 || n > surveys.MaxReportDays {
			writeParamError(w, &paramError{"window", fmt.Sprintf("%s: give whole days, 1d to %dd (default %dd)", surveys.Quote(s), surveys.MaxReportDays, scoring.HeadlineDays), true})
			return
		}
		days = n
	}
	by := q.Get("by")
	if by != "" && !byName.MatchString(by) {
		writeParamError(w, &paramError{"by", fmt.Sprintf("%s: use touchpoint or an attribute name (letters, digits, _ . -)", surveys.Quote(by)), true})
		return
	}
	settings := a.engine.Settings()
	var ids []string
	if id := q.Get("survey"); id != "" {
		if _, ok := settings.Survey(id); !ok {
			apiError(w, http.StatusNotFound, "survey_not_found", "survey", fmt.Sprintf("no survey %s in the configuration", surveys.Quote(id)))
			return
		}
		ids = []string{id}
	}
	rep, err := surveys.ComposeReport(r.Context(), a.store, settings, surveys.DigestThresholds{ENPS: a.enps},
		surveys.ReportQuery{Days: days, By: by, Now: a.now(), Location: settings.Timezone})
	if err != nil {
		a.log.Error("read scores", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read scores; try again")
		return
	}
	writeJSON(w, http.StatusOK, scoresBody(rep.Only(ids)))
}

// scoresBody renders a report: one cell per survey, or with By one per
// segment (surveys in configuration order, segments best first by smoothed
// score).
func scoresBody(rep surveys.Report) scoresResponse {
	body := scoresResponse{Window: windowOf(rep.Window, rep.Timezone), PreviousWindow: windowOf(rep.Previous, rep.Timezone),
		By: rep.By, Scores: []scoreJSON{}}
	for _, s := range rep.Surveys {
		if rep.By == "" {
			body.Scores = append(body.Scores, scoreJSON{Survey: s.Survey.ID, metricJSON: metricOf(s.Survey.Metric, s.Current),
				Previous: metricOf(s.Survey.Metric, s.Previous), Change: changeOf(s.Scale, s.Current, s.Previous, s.Trend, s.Arrow)})
			continue
		}
		for _, seg := range s.Segments {
			name := seg.Name
			smoothed := seg.Smoothed.NPS
			body.Scores = append(body.Scores, scoreJSON{Survey: s.Survey.ID, Segment: &name, metricJSON: metricOf(s.Survey.Metric, seg.Current),
				Smoothed: &smoothed, Previous: metricOf(s.Survey.Metric, seg.Previous),
				Change: changeOf(s.Scale, seg.Current, seg.Previous, seg.Trend, seg.Arrow)})
		}
	}
	return body
}

func windowOf(w scoring.Window, loc *time.Location) windowJSON {
	return windowJSON{Start: w.Start.Format(time.RFC3339), End: w.End.Format(time.RFC3339), Days: w.Days(), Timezone: loc.String()}
}

// metricOf writes a report cell. A cell below its score threshold (the eNPS
// anonymity threshold) shows n and nothing else.
func metricOf(metric surveys.Metric, c surveys.DigestScore) metricJSON {
	l := c.Counts
	conf := scoring.DefaultConfidence
	m := metricJSON{Metric: string(metric), N: c.N, Level: c.Level.String()}
	switch l.Scale {
	case scoring.NPS, scoring.ENPS:
		m.Method, m.Display = scoring.AdjustedWald.String(), noScoreText
		if l.Scale == scoring.ENPS && !c.HasScore() {
			return m
		}
		nc, _ := l.NPSCounts()
		m.Promoters, m.Passives, m.Detractors = &nc.Promoters, &nc.Passives, &nc.Detractors
		if s, ok := nc.Score(); ok {
			m.Score = &s
			m.Display = strconv.Itoa(c.Value)
		}
		m.CI95 = optionalInterval(nc.CI(conf, scoring.AdjustedWald))
	case scoring.CSAT:
		m.Score, m.Mean = optional(l.Percent(scoring.Promoter)), optional(l.Mean())
		m.CI95, m.Method = optionalInterval(l.PercentCI(scoring.Promoter, conf)), scoring.WilsonScore.String()
		m.Display, m.Counts = percentText(l, scoring.Promoter), l.Counts
		m.MeanCI95, m.MeanMethod = optionalInterval(l.MeanCI(conf)), scoring.StudentT.String()
	case scoring.CES2:
		// The headline is % agree, as in the digest, with its Wilson interval.
		m.Scale, m.Mean, m.Counts = string(l.Scale), optional(l.Mean()), l.Counts
		m.Agree, m.Disagree, m.Net = optional(l.Percent(scoring.Promoter)), optional(l.Percent(scoring.Detractor)), optional(l.Net())
		m.Score = m.Agree
		m.MeanCI95, m.MeanMethod = optionalInterval(l.MeanCI(conf)), scoring.StudentT.String()
		m.AgreeCI95 = optionalInterval(l.PercentCI(scoring.Promoter, conf))
		m.DisagreeCI95 = optionalInterval(l.PercentCI(scoring.Detractor, conf))
		m.CI95, m.ShareMethod = m.AgreeCI95, scoring.WilsonScore.String()
	case scoring.CES1:
		m.Scale, m.Mean, m.Counts = string(l.Scale), optional(l.Mean()), l.Counts
		m.LowEffort = optional(l.Percent(scoring.Promoter))
		m.MeanCI95, m.MeanMethod = optionalInterval(l.MeanCI(conf)), scoring.StudentT.String()
		m.LowEffortCI95, m.ShareMethod = optionalInterval(l.PercentCI(scoring.Promoter, conf)), scoring.WilsonScore.String()
	}
	return m
}

// changeOf writes a cell's change test: NPS (and eNPS) adjusted Wald,
// shares (CSAT top-2-box, CES % agree) Agresti–Caffo. None when either
// window has no score to compare.
func changeOf(scale scoring.ScaleID, cur, prev surveys.DigestScore, t scoring.Trend, arrow scoring.Arrow) *changeJSON {
	if cur.N == 0 || prev.N == 0 {
		return nil
	}
	if scale == scoring.ENPS && (!cur.HasScore() || !prev.HasScore()) {
		return nil
	}
	method := "adjusted-wald"
	if scale != scoring.NPS && scale != scoring.ENPS {
		method = "agresti-caffo"
	}
	c := t.Comparison
	return &changeJSON{Delta: c.Diff, SE: c.SE, Z: c.Z, P: c.P, CI95: [2]float64{c.Lo, c.Hi},
		Significant: arrow != scoring.NoArrow, Tested: t.Tested, Arrow: arrow.String(), Method: method}
}

// noScoreText is what a missing score looks like in JSON's display.
const noScoreText = "—"

func percentText(l scoring.Likert, b scoring.Bucket) string {
	if r, ok := scoring.RoundPercent(l.Count(b), l.N()); ok {
		return strconv.Itoa(r)
	}
	return noScoreText
}

func optional(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &v
}

func optionalInterval(iv scoring.Interval, ok bool) *[2]float64 {
	if !ok {
		return nil
	}
	return &[2]float64{iv.Lo, iv.Hi}
}
