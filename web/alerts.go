package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// GET /v1/alerts and GET /v1/alerts/{id}: alerts on unhappy customers with
// their status, reason, timings and the timeline of the conversation.

var alertStatuses = []surveys.AlertStatus{surveys.StatusOpen, surveys.StatusClaimed, surveys.StatusReplied, surveys.StatusResolved, surveys.StatusExpired}

// AlertJSON is one alert as the API and the jsonl export show it. Timings
// are null until they happen.
type AlertJSON struct {
	ID           int64            `json:"id"`
	Ref          string           `json:"ref"`
	Status       string           `json:"status"`
	Reason       *string          `json:"reason"`
	Assignee     *string          `json:"assignee"`
	Channel      string           `json:"channel"`
	Survey       string           `json:"survey"`
	CustomerID   string           `json:"customer_id"`
	Response     ResponseJSON     `json:"response"`
	OpenedAt     string           `json:"opened_at"`
	ClaimedAt    *string          `json:"claimed_at"`
	FirstReplyAt *string          `json:"first_reply_at"`
	ResolvedAt   *string          `json:"resolved_at"`
	RelayUntil   *string          `json:"relay_until"`
	Replies      int              `json:"replies"`
	Timeline     []AlertEventJSON `json:"timeline"`
	// Recovery is the follow-up survey after the resolution; null when
	// none was made (no recovery configured, not resolved, or expired).
	Recovery *RecoveryJSON `json:"recovery"`
}

// RecoveryJSON is an alert's recovery survey. Score, comment and
// recovered are null until the customer answers; reason says why it was
// skipped or failed; web_url is the link of a web invitation once due.
type RecoveryJSON struct {
	Survey     string  `json:"survey"`
	Status     string  `json:"status"`
	DueAt      *string `json:"due_at"`
	Score      *int    `json:"score"`
	Comment    *string `json:"comment"`
	Recovered  *bool   `json:"recovered"`
	AnsweredAt *string `json:"answered_at"`
	Reason     *string `json:"reason"`
	Detail     string  `json:"detail"`
	WebURL     string  `json:"web_url,omitempty"`
}

// RecoveryRateJSON is the recovery rate over the alerts of a list:
// recovered of answered recovery surveys; rate (0..1) and its 95% Wilson
// interval are null below the minimum number of answers.
type RecoveryRateJSON struct {
	Recovered int        `json:"recovered"`
	Answered  int        `json:"answered"`
	Rate      *float64   `json:"rate"`
	Interval  *[]float64 `json:"interval"`
}

// AlertEventJSON is one step of an alert's timeline.
type AlertEventJSON struct {
	At     string `json:"at"`
	Kind   string `json:"kind"`
	From   string `json:"from"`
	Who    string `json:"who,omitempty"`
	Locale string `json:"locale,omitempty"`
	Text   string `json:"text"`
}

type alertsPage struct {
	Alerts       []AlertJSON      `json:"alerts"`
	RecoveryRate RecoveryRateJSON `json:"recovery_rate"`
	NextCursor   *string          `json:"next_cursor"`
}

// RecoveryRateBody is the recovery rate of the alerts in views.
func RecoveryRateBody(views []surveys.AlertView) RecoveryRateJSON {
	recovered, answered := 0, 0
	for _, v := range views {
		if r := v.Alert.Recovery; r != nil && r.Answered {
			answered++
			if r.Recovered() {
				recovered++
			}
		}
	}
	rate := scoring.Recovery(recovered, answered)
	out := RecoveryRateJSON{Recovered: recovered, Answered: answered}
	if rate.Shown() {
		out.Rate = &rate.Rate
		out.Interval = &[]float64{rate.Interval.Lo, rate.Interval.Hi}
	}
	return out
}

// recoveryBody is an alert's recovery survey as the API shows it at now.
func recoveryBody(r *surveys.AlertRecovery, now time.Time) *RecoveryJSON {
	if r == nil {
		return nil
	}
	st := r.Status(now)
	out := &RecoveryJSON{Survey: r.SurveyID, Status: string(st), DueAt: optStamp(r.DueAt), Detail: r.Detail}
	if r.Answered {
		score, recovered := r.Score, r.Recovered()
		out.Score, out.Recovered, out.AnsweredAt = &score, &recovered, optStamp(r.AnsweredAt)
		if r.Comment != "" {
			c := r.Comment
			out.Comment = &c
		}
	}
	switch {
	case st == surveys.RecoverySkipped:
		reason := string(r.SkipReason)
		out.Reason = &reason
	case st == surveys.RecoveryFailed:
		reason := string(r.Invitation)
		out.Reason = &reason
	}
	return out
}

func optStamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// AlertBody is the alert as the API shows it at now.
func AlertBody(v surveys.AlertView, now time.Time) AlertJSON {
	al := v.Alert
	out := AlertJSON{
		ID: al.ID, Ref: al.Ref(), Status: string(al.Status(now)),
		Channel: string(al.To.Platform) + ":" + al.To.ChatID, Survey: v.Response.SurveyID, CustomerID: v.Response.CustomerID,
		Response: ResponseBody(v.Response), OpenedAt: al.CreatedAt.UTC().Format(time.RFC3339Nano),
		ClaimedAt: optStamp(al.ClaimedAt), FirstReplyAt: optStamp(al.FirstReplyAt), ResolvedAt: optStamp(al.ResolvedAt),
		RelayUntil: optStamp(al.RelayUntil), Replies: al.Replies, Timeline: []AlertEventJSON{},
		Recovery: recoveryBody(al.Recovery, now),
	}
	if al.State == surveys.AlertResolved {
		r := al.Resolution
		out.Reason = &r
	}
	if al.Assignee.UserID != "" {
		who := surveys.AmbassadorKey(al.Assignee)
		out.Assignee = &who
	}
	for _, e := range al.FullTimeline(now) {
		ev := AlertEventJSON{At: e.At.UTC().Format(time.RFC3339Nano), Kind: string(e.Kind), From: e.From, Locale: e.Locale, Text: e.Text}
		if e.Who.UserID != "" {
			ev.Who = surveys.AmbassadorKey(e.Who)
		}
		out.Timeline = append(out.Timeline, ev)
	}
	return out
}

// parseAlertStatus reads ?status=; "" is every status.
func parseAlertStatus(s string) (surveys.AlertStatus, error) {
	if s == "" {
		return "", nil
	}
	for _, st := range alertStatuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", &paramError{"status", surveys.Quote(s) + ": use open, claimed, replied, resolved or expired", true}
}

func (a *Server) getAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := unknownParams(q, "status", "since", "survey", "limit", "cursor"); err != nil {
		writeParamError(w, err)
		return
	}
	status, err := parseAlertStatus(q.Get("status"))
	if err != nil {
		writeParamError(w, err)
		return
	}
	now := a.now()
	since, _, err := ParseRange(q.Get("since"), "", now, a.engine.Settings().Timezone)
	if err != nil {
		writeParamError(w, err)
		return
	}
	limit, after, err := parsePage(q)
	if err != nil {
		writeParamError(w, err)
		return
	}
	views, next, err := a.store.Alerts(r.Context(), surveys.AlertFilter{
		Status: status, SurveyID: q.Get("survey"), Since: since, After: after, Limit: limit, Now: now,
	})
	if err != nil {
		a.log.Error("list alerts", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read alerts; try again")
		return
	}
	page := alertsPage{NextCursor: nextCursor(next), Alerts: make([]AlertJSON, len(views)), RecoveryRate: RecoveryRateBody(views)}
	for i, v := range views {
		page.Alerts[i] = a.withRecoveryLink(AlertBody(v, now), v)
	}
	writeJSON(w, http.StatusOK, page)
}

func (a *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	if err := unknownParams(r.URL.Query()); err != nil {
		writeParamError(w, err)
		return
	}
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if ref, ok := surveys.ParseAlertRef(raw); ok {
		id, err = ref, nil // "a12", as the alert shows it
	}
	if err != nil || id <= 0 {
		apiError(w, http.StatusNotFound, "not_found", "id", surveys.Quote(raw)+" is not an alert id; use the number (12) or the ref the alert shows (a12)")
		return
	}
	v, err := a.store.AlertView(r.Context(), id)
	if errors.Is(err, surveys.ErrNotFound) {
		apiError(w, http.StatusNotFound, "not_found", "id", "there is no alert "+strconv.FormatInt(id, 10))
		return
	}
	if err != nil {
		a.log.Error("read an alert", "alert_id", id, "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read the alert; try again")
		return
	}
	writeJSON(w, http.StatusOK, a.withRecoveryLink(AlertBody(v, a.now()), v))
}

// withRecoveryLink adds the signed link of a web recovery survey once it
// is due and open, for the caller to hand to the customer.
func (a *Server) withRecoveryLink(b AlertJSON, v surveys.AlertView) AlertJSON {
	if b.Recovery != nil {
		b.Recovery.WebURL = a.engine.RecoveryURL(v)
	}
	return b
}
