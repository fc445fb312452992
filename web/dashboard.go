package web

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// The dashboard: read-only, rendered on the server from the score report
// (surveys.Report), so every number on it is the one the API, the digest and
// /survey stats show. No JavaScript; survey, window, segment and comment
// filters are links and a GET form.

//go:embed templates/*.html
var templateFiles embed.FS

var templates = template.Must(template.New("").ParseFS(templateFiles, "templates/*.html"))

// Dashboard limits.
const (
	// dashboardComments is how many recent comments the report carries per
	// survey; the filters choose among them.
	dashboardComments = 50
	// dashboardAlerts is how many unresolved alerts are listed.
	dashboardAlerts = 20
)

// dashboardWindows are the windows offered as links; ?window= takes any
// 1d to 366d.
var dashboardWindows = []int{7, 28, 90}

// dashboardQuery is what the dashboard was asked to show.
type dashboardQuery struct {
	survey   string
	days     int
	by       string
	comments string // "", surveys.QuotesDetractors or surveys.QuotesPromoters
	lang     string
}

// link writes q as a dashboard URL, with change applied.
func (q dashboardQuery) link(change func(*dashboardQuery)) string {
	if change != nil {
		change(&q)
	}
	v := url.Values{}
	v.Set("survey", q.survey)
	v.Set("window", strconv.Itoa(q.days)+"d")
	v.Set("by", q.by) // "by=" is no segments; no by at all is the default
	if q.comments != "" {
		v.Set("comments", q.comments)
	}
	if q.lang != "" {
		v.Set("lang", q.lang)
	}
	return "/?" + v.Encode()
}

// parseDashboardQuery reads the query string; a problem names the parameter
// and what to give instead.
func parseDashboardQuery(v url.Values, s *surveys.Settings) (dashboardQuery, error) {
	if err := unknownParams(v, "survey", "window", "by", "comments", "lang"); err != nil {
		return dashboardQuery{}, err
	}
	q := dashboardQuery{days: scoring.HeadlineDays, by: surveys.ReportByTouchpoint}
	if len(s.Surveys) > 0 {
		q.survey = s.Surveys[0].ID
	}
	if id := v.Get("survey"); id != "" {
		if _, ok := s.Survey(id); !ok {
			return q, &paramError{"survey", fmt.Sprintf("no survey %s in the configuration", surveys.Quote(id)), true}
		}
		q.survey = id
	}
	if w := v.Get("window"); w != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(w, "d"))
		if err != nil || !strings.HasSuffix(w, "d") || n < 1 || n > surveys.MaxReportDays {
			return q, &paramError{"window", fmt.Sprintf("%s: give whole days, 1d to %dd", surveys.Quote(w), surveys.MaxReportDays), true}
		}
		q.days = n
	}
	if by, ok := v["by"]; ok {
		q.by = by[0]
		if q.by != "" && !byName.MatchString(q.by) {
			return q, &paramError{"by", fmt.Sprintf("%s: use touchpoint or an attribute name (letters, digits, _ . -)", surveys.Quote(q.by)), true}
		}
	}
	switch c := v.Get("comments"); c {
	case "", surveys.QuotesDetractors, surveys.QuotesPromoters:
		q.comments = c
	default:
		return q, &paramError{"comments", fmt.Sprintf("%s: use detractors or promoters, or leave it out for all", surveys.Quote(c)), true}
	}
	if l := v.Get("lang"); l != "" {
		if !slices.Contains(surveys.Locales, l) {
			return q, &paramError{"lang", fmt.Sprintf("%s: use one of %s", surveys.Quote(l), strings.Join(surveys.Locales, ", ")), true}
		}
		q.lang = l
	}
	return q, nil
}

// dashboardPage is what the template renders: text already formatted from
// the report.
type dashboardPage struct {
	Who        string
	Window     string
	Windows    []linkView
	Surveys    []surveyTab
	Survey     *surveyView
	By         string
	ByLinks    []linkView
	Filters    []linkView
	Langs      []linkView
	Alerts     []alertView
	AlertsNote string
	Days       int
}

type linkView struct {
	Label, URL string
	Current    bool
}

type surveyTab struct {
	ID, Metric, Score, N, URL string
	Current                   bool
}

type surveyView struct {
	ID, Metric                  string
	Score, CI, N, Level         string
	HasScore, LowN              bool
	Previous, PreviousN, Change string
	Arrow                       string
	Flagged                     bool
	ChangeNote                  string
	Chart                       template.HTML
	Segments                    []segmentView
	Rate, Sent, Answered        string
	Deliveries                  []deliveryView
	Comments                    []commentView
	CommentsNote                string
}

type segmentView struct {
	Name, Score, CI, N, Level, Change, Arrow string
}

type deliveryView struct {
	Status, Reason, Count string
}

type commentView struct {
	Text, Lang, Score, Bucket, Touchpoint, Date string
}

type alertView struct {
	ID, State, Survey, Score, Opened, Assignee string
}

func (a *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	who, ok := "", false
	if a.sessions != nil {
		who, ok = a.sessions.Valid(r)
	}
	if !ok {
		a.renderPage(w, http.StatusUnauthorized, "nosession.html", nil)
		return
	}
	settings := a.engine.Settings()
	q, err := parseDashboardQuery(r.URL.Query(), settings)
	if err != nil {
		a.renderPage(w, http.StatusBadRequest, "problem.html", err.Error())
		return
	}
	rep, err := surveys.ComposeReport(r.Context(), a.store, settings, surveys.DigestThresholds{ENPS: a.enps},
		surveys.ReportQuery{Days: q.days, By: q.by, Comments: dashboardComments, Now: a.now(), Location: settings.Timezone})
	if err != nil {
		a.log.Error("dashboard report", "err", err)
		a.renderPage(w, http.StatusServiceUnavailable, "problem.html", "Could not read the scores; reload the page in a moment.")
		return
	}
	page := dashboardView(rep, q, who)
	alerts, err := a.store.UnresolvedAlerts(r.Context(), dashboardAlerts)
	if err != nil {
		a.log.Error("dashboard alerts", "err", err)
		page.AlertsNote = "Could not read the alerts; reload the page in a moment."
	}
	page.Alerts = alertViews(alerts)
	a.renderPage(w, http.StatusOK, "dashboard.html", page)
}

func (a *Server) renderPage(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		a.log.Error("render page", "page", name, "err", err)
		http.Error(w, "the page could not be rendered; reload it", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// dashboardView formats a report for the page.
func dashboardView(rep surveys.Report, q dashboardQuery, who string) dashboardPage {
	f := surveys.NewDigestFormat("en")
	p := dashboardPage{Who: who, By: q.by, Days: q.days,
		Window: fmt.Sprintf("%s to %s (%d days, %s)", f.Date(rep.Window.Start), f.Date(rep.Window.LastDay()), rep.Window.Days(), rep.Timezone)}
	for _, d := range dashboardWindows {
		p.Windows = append(p.Windows, linkView{Label: fmt.Sprintf("%d days", d), URL: q.link(func(q *dashboardQuery) { q.days = d }), Current: d == q.days})
	}
	for _, by := range []string{surveys.ReportByTouchpoint, "agent", ""} {
		label := "by " + by
		if by == "" {
			label = "no segments"
		}
		p.ByLinks = append(p.ByLinks, linkView{Label: label, URL: q.link(func(q *dashboardQuery) { q.by = by }), Current: by == q.by})
	}
	for _, c := range []string{"", surveys.QuotesDetractors, surveys.QuotesPromoters} {
		label := c
		if c == "" {
			label = "all"
		}
		p.Filters = append(p.Filters, linkView{Label: label, URL: q.link(func(q *dashboardQuery) { q.comments = c }), Current: c == q.comments})
	}
	for _, l := range append([]string{""}, surveys.Locales...) {
		label := l
		if l == "" {
			label = "any language"
		}
		p.Langs = append(p.Langs, linkView{Label: label, URL: q.link(func(q *dashboardQuery) { q.lang = l }), Current: l == q.lang})
	}
	for _, s := range rep.Surveys {
		tab := surveyTab{ID: s.Survey.ID, Metric: metricLabel(s.Scale), Score: scoreText(f, s.Scale, s.Current), N: f.Int(s.Current.N),
			URL: q.link(func(q *dashboardQuery) { q.survey = s.Survey.ID }), Current: s.Survey.ID == q.survey}
		p.Surveys = append(p.Surveys, tab)
		if tab.Current {
			v := surveyDetail(f, rep, s, q)
			p.Survey = &v
		}
	}
	return p
}

func metricLabel(scale scoring.ScaleID) string {
	switch scale {
	case scoring.CES2, scoring.CES1:
		return "CES"
	}
	return scale.Name()
}

// scoreText is a cell's displayed score, or why there is none.
func scoreText(f *surveys.DigestFormat, scale scoring.ScaleID, c surveys.DigestScore) string {
	switch {
	case c.N == 0:
		return "no responses"
	case !c.HasScore():
		return "too few responses"
	}
	return f.Value(scale, c)
}

func arrowText(a scoring.Arrow) string {
	switch a {
	case scoring.Up:
		return "▲"
	case scoring.Down:
		return "▼"
	}
	return ""
}

func surveyDetail(f *surveys.DigestFormat, rep surveys.Report, s surveys.ReportSurvey, q dashboardQuery) surveyView {
	v := surveyView{ID: s.Survey.ID, Metric: metricLabel(s.Scale), Score: scoreText(f, s.Scale, s.Current), N: f.Int(s.Current.N),
		Level: s.Current.Level.String(), HasScore: s.Current.HasScore(), LowN: s.Current.Level == scoring.LowN,
		Previous: scoreText(f, s.Scale, s.Previous), PreviousN: f.Int(s.Previous.N), Arrow: arrowText(s.Arrow), Flagged: s.Arrow != scoring.NoArrow}
	if v.HasScore {
		v.CI = f.Range(s.Current.CI)
	}
	switch {
	case s.HasChange && v.Flagged:
		v.Change = f.Signed(s.Change)
		v.ChangeNote = "a real change: tested at 30+ responses in both windows, significant after correcting for the surveys compared together, and at least 5 points"
	case s.HasChange:
		v.Change = f.Signed(s.Change)
		v.ChangeNote = "not flagged: within what chance alone produces, or too few responses to test"
	default:
		v.ChangeNote = "no change to show: a window without a score"
	}
	v.Chart = weeklyChart(f, s)
	for _, seg := range s.Segments {
		sv := segmentView{Name: seg.Name, Score: scoreText(f, s.Scale, seg.Current), N: f.Int(seg.Current.N),
			Level: seg.Current.Level.String(), Arrow: arrowText(seg.Arrow)}
		if seg.Current.HasScore() {
			sv.CI = f.Range(seg.Current.CI)
			if seg.Previous.HasScore() {
				sv.Change = f.Signed(seg.Current.Value - seg.Previous.Value)
			}
		}
		v.Segments = append(v.Segments, sv)
	}
	v.Sent, v.Answered = f.Int(s.Invited.Sent), f.Int(s.Invited.Answered)
	if pct, ok := scoring.RoundPercent(s.Invited.Answered, s.Invited.Sent); ok {
		v.Rate = f.Percent(pct)
	} else {
		v.Rate = "no invitations delivered"
	}
	for _, d := range s.Deliveries {
		v.Deliveries = append(v.Deliveries, deliveryView{Status: string(d.Status), Reason: string(d.SkipReason), Count: f.Int(d.Invitations)})
	}
	for _, c := range s.Comments {
		if (q.comments == surveys.QuotesDetractors && c.Bucket != scoring.Detractor) || (q.comments == surveys.QuotesPromoters && c.Bucket != scoring.Promoter) {
			continue
		}
		if q.lang != "" && c.Lang != q.lang {
			continue
		}
		v.Comments = append(v.Comments, commentView{Text: c.Text, Lang: c.Lang, Score: f.Int(c.Score), Bucket: c.Bucket.String(),
			Touchpoint: c.TouchpointType, Date: f.Date(c.At.In(rep.Timezone))})
	}
	switch {
	case len(s.Comments) == 0 && s.Current.N > 0:
		v.CommentsNote = "No comments in this window (or too few responses to show them)."
	case len(v.Comments) == 0:
		v.CommentsNote = "No comments match these filters."
	}
	return v
}

func alertViews(alerts []surveys.UnresolvedAlert) []alertView {
	out := make([]alertView, 0, len(alerts))
	for _, al := range alerts {
		v := alertView{ID: strconv.FormatInt(al.Alert.ID, 10), State: string(al.Alert.State), Survey: al.SurveyID,
			Score: strconv.Itoa(al.Score), Opened: al.Alert.CreatedAt.UTC().Format(time.DateTime) + " UTC"}
		if al.Alert.Assignee.UserID != "" {
			v.Assignee = string(al.Alert.Assignee.Platform) + ":" + al.Alert.Assignee.UserID
		}
		out = append(out, v)
	}
	return out
}
