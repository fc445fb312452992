package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// GET /v1/scores: each survey's score over a trailing window of whole local
// days, with its interval, n, level and the change against the window
// before. Counts come from the digest's SQL aggregates (GROUP BY score, never
// rows); every number from scoring, in the shapes of vocbot score --json.

// maxScoreDays bounds ?window=.
const maxScoreDays = 366

// byName is a touchpoint attribute name as touchpoints may carry it.
var byName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// scoreCell is one survey (or one segment of it) in both windows.
type scoreCell struct {
	survey    surveys.Survey
	segment   string
	cur, prev scoring.Likert
}

func (a *api) getScores(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := unknownParams(q, "survey", "window", "by"); err != nil {
		writeParamError(w, err)
		return
	}
	days := scoring.HeadlineDays
	if s := q.Get("window"); s != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || !strings.HasSuffix(s, "d") || n < 1 || n > maxScoreDays {
			writeParamError(w, &paramError{"window", fmt.Sprintf("%s: give whole days, 1d to %dd (default %dd)", surveys.Quote(s), maxScoreDays, scoring.HeadlineDays), true})
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
	var svs []surveys.Survey
	if id := q.Get("survey"); id != "" {
		sv, ok := settings.Survey(id)
		if !ok {
			apiError(w, http.StatusNotFound, "survey_not_found", "survey", fmt.Sprintf("no survey %s in the configuration", surveys.Quote(id)))
			return
		}
		svs = []surveys.Survey{sv}
	} else {
		svs = settings.Surveys
	}
	loc := settings.Timezone
	if loc == nil {
		loc = time.UTC
	}
	cur := scoring.Trailing(a.now(), loc, days)
	prev := cur.Previous()

	cells, err := a.scoreCells(r, svs, by, prev, cur)
	if err != nil {
		a.log.Error("read scores", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read scores; try again")
		return
	}
	out := make([]map[string]any, len(cells))
	for i, c := range cells {
		out[i] = cellJSON(c, by != "", a.enps)
	}
	window := func(w scoring.Window) map[string]any {
		return map[string]any{"start": w.Start.Format(time.RFC3339), "end": w.End.Format(time.RFC3339), "days": w.Days(), "timezone": loc.String()}
	}
	body := map[string]any{"window": window(cur), "previous_window": window(prev), "scores": out}
	if by != "" {
		body["by"] = by
	}
	writeJSON(w, http.StatusOK, body)
}

// scoreCells reads the counts of both windows: one GROUP BY for surveys and
// touchpoint types, and one per window for an attribute.
func (a *api) scoreCells(r *http.Request, svs []surveys.Survey, by string, prev, cur scoring.Window) ([]*scoreCell, error) {
	if len(svs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(svs))
	for i, sv := range svs {
		ids[i] = sv.ID
	}
	cells := map[[2]string]*scoreCell{}
	var order []*scoreCell
	cell := func(sv surveys.Survey, segment string) *scoreCell {
		k := [2]string{sv.ID, segment}
		c := cells[k]
		if c == nil {
			scale := sv.Metric.Scale()
			c = &scoreCell{survey: sv, segment: segment,
				cur:  scoring.Likert{Scale: scale, Counts: make([]int, scale.Points())},
				prev: scoring.Likert{Scale: scale, Counts: make([]int, scale.Points())}}
			cells[k] = c
			order = append(order, c)
		}
		return c
	}
	add := func(surveyID, segment string, window, score, n int) {
		sv, ok := a.engine.Settings().Survey(surveyID)
		if !ok {
			return
		}
		lo, hi, ok := sv.Metric.Scale().Range()
		if !ok || score < lo || score > hi {
			return // not on the survey's scale (its metric changed): never pooled
		}
		c := cell(sv, segment)
		l := c.prev
		if window == 1 {
			l = c.cur
		}
		l.Counts[score-lo] += n
	}
	if by == "" {
		for _, sv := range svs {
			cell(sv, "") // n = 0 is a result too
		}
	}
	q := surveys.DigestQuery{DigestID: "api-scores", Surveys: ids, Days: []scoring.Window{prev, cur}}
	if by == "" || by == "touchpoint" {
		counts, err := a.store.DigestCounts(r.Context(), q)
		if err != nil {
			return nil, err
		}
		for _, ct := range counts {
			segment := ""
			if by != "" {
				segment = ct.TouchpointType
			}
			add(ct.SurveyID, segment, ct.Day, ct.Score, ct.Responses)
		}
	} else {
		for window, wdw := range []scoring.Window{prev, cur} {
			q.Attributes, q.Segment = []string{by}, wdw
			counts, err := a.store.DigestAttributeCounts(r.Context(), q)
			if err != nil {
				return nil, err
			}
			for _, ct := range counts {
				add(ct.SurveyID, ct.Value, window, ct.Score, ct.Responses)
			}
		}
	}
	if by != "" {
		// Segments by survey (in configuration order), then largest first.
		rank := map[string]int{}
		for i, sv := range svs {
			rank[sv.ID] = i
		}
		sort.SliceStable(order, func(i, j int) bool {
			a, b := order[i], order[j]
			if a.survey.ID != b.survey.ID {
				return rank[a.survey.ID] < rank[b.survey.ID]
			}
			if a.cur.N() != b.cur.N() {
				return a.cur.N() > b.cur.N()
			}
			return a.segment < b.segment
		})
	}
	return order, nil
}

// cellJSON is one cell: the fields of vocbot score --json for the survey's
// metric, plus survey, segment, level, the previous window and the change.
func cellJSON(c *scoreCell, segmented bool, enps scoring.Thresholds) map[string]any {
	m := metricJSON(c.survey.Metric, c.cur, enps)
	m["survey"] = c.survey.ID
	if segmented {
		m["segment"] = c.segment
	}
	m["previous"] = metricJSON(c.survey.Metric, c.prev, enps)
	m["change"] = nil
	if ch, ok := change(c.cur, c.prev, enps); ok {
		m["change"] = ch
	}
	return m
}

// metricJSON renders counts as vocbot score --json does, plus level. An
// eNPS cell below the workspace's anonymity threshold (enps) shows n and
// nothing else.
func metricJSON(metric surveys.Metric, l scoring.Likert, enps scoring.Thresholds) map[string]any {
	th := scoring.DefaultThresholds(l.Scale)
	if l.Scale == scoring.ENPS {
		th = enps
	}
	level := th.Level(l.N())
	var v any
	switch l.Scale {
	case scoring.NPS, scoring.ENPS:
		c, _ := l.NPSCounts() // built on the survey's own scale above
		res := npsResult(c)
		res.Metric = string(metric)
		if l.Scale == scoring.ENPS && level < scoring.LowN {
			res = npsJSON{Metric: string(metric), N: l.N(), Display: noScoreText, Method: res.Method}
		}
		v = res
	case scoring.CSAT:
		v = csatResult(l)
	case scoring.CES2:
		// The headline is % agree, as in the digest, with its Wilson interval.
		res := ces2Result(l)
		v = struct {
			ces2JSON
			Score *float64    `json:"score"`
			CI95  *[2]float64 `json:"ci95"`
		}{res, res.Agree, res.AgreeCI95}
	default:
		v = map[string]any{"metric": string(metric), "n": l.N()}
	}
	b, _ := json.Marshal(v) // plain structs of numbers and strings
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["metric"] = string(metric)
	m["level"] = level.String()
	return m
}

// change tests cur against prev: NPS (and eNPS) with the adjusted-Wald
// test, shares (CSAT top-2-box, CES % agree) with Agresti–Caffo.
func change(cur, prev scoring.Likert, enps scoring.Thresholds) (map[string]any, bool) {
	var cmp scoring.Comparison
	var ok bool
	method := "adjusted-wald"
	switch cur.Scale {
	case scoring.NPS, scoring.ENPS:
		a, _ := cur.NPSCounts()
		b, _ := prev.NPSCounts()
		if cur.Scale == scoring.ENPS {
			if enps.Level(a.N()) < scoring.LowN || enps.Level(b.N()) < scoring.LowN {
				return nil, false
			}
		}
		cmp, ok = scoring.CompareNPS(a, b, scoring.DefaultConfidence)
	default:
		method = "agresti-caffo"
		cmp, ok, _ = scoring.CompareLikert(cur, prev, scoring.Promoter, scoring.DefaultConfidence)
	}
	if !ok {
		return nil, false
	}
	return map[string]any{"delta": cmp.Diff, "se": cmp.SE, "z": cmp.Z, "p": cmp.P, "ci95": [2]float64{cmp.Lo, cmp.Hi},
		"significant": cmp.Significant, "method": method}, true
}
