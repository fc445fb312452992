package web_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

func TestAlertBodyRecovery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	due := now.Add(-time.Hour)
	view := func(r *surveys.AlertRecovery) surveys.AlertView {
		return surveys.AlertView{Alert: surveys.Alert{ID: 7, State: surveys.AlertResolved, Resolution: "fixed", CreatedAt: now.Add(-72 * time.Hour),
			ResolvedAt: now.Add(-49 * time.Hour), Recovery: r}, Response: surveys.Response{SurveyID: "nps", CustomerID: "cus_1"}}
	}
	body := func(v surveys.AlertView) map[string]any {
		t.Helper()
		raw, err := json.Marshal(web.AlertBody(v, now))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := body(view(nil)); m["recovery"] != nil {
		t.Errorf("no recovery: %v, want null", m["recovery"])
	}
	answered := &surveys.AlertRecovery{SurveyID: "csat-recovery", Invitation: surveys.Sent, DueAt: due, SentAt: due,
		Answered: true, Metric: surveys.CSAT, Score: 4, Comment: "ok now", AnsweredAt: now.Add(-time.Minute)}
	m := body(view(answered))
	rec := m["recovery"].(map[string]any)
	if rec["survey"] != "csat-recovery" || rec["status"] != "answered" || rec["due_at"] != due.Format(time.RFC3339Nano) ||
		rec["score"] != float64(4) || rec["comment"] != "ok now" || rec["recovered"] != true || rec["reason"] != nil {
		t.Errorf("answered: %v", rec)
	}
	tl := m["timeline"].([]any)
	last := tl[len(tl)-1].(map[string]any)
	if len(tl) != 3 || tl[1].(map[string]any)["kind"] != "recovery_sent" || last["kind"] != "recovery_answer" || last["from"] != "customer" || last["text"] != "CSAT 4: ok now" {
		t.Errorf("timeline: %v", tl)
	}
	skipped := &surveys.AlertRecovery{SurveyID: "csat-recovery", Invitation: surveys.Skipped, SkipReason: surveys.SkipOptedOut, Detail: "the customer opted out of surveys (/stop)"}
	rec = body(view(skipped))["recovery"].(map[string]any)
	if rec["status"] != "skipped" || rec["reason"] != "opted_out" || rec["score"] != nil || rec["recovered"] != nil || rec["due_at"] != nil {
		t.Errorf("skipped: %v", rec)
	}
	failed := &surveys.AlertRecovery{SurveyID: "csat-recovery", Invitation: surveys.Undeliverable, DueAt: due}
	if rec := body(view(failed))["recovery"].(map[string]any); rec["status"] != "failed" || rec["reason"] != "undeliverable" {
		t.Errorf("failed: %v", rec)
	}

	// The list's rate: 4 answers show counts only; the fifth (a passive
	// CSAT 3) gives 4 of 5, 80%, Wilson [0.3755, 0.9638].
	var views []surveys.AlertView
	for _, score := range []int{5, 4, 5, 4} {
		r := *answered
		r.Score = score
		views = append(views, view(&r))
	}
	views = append(views, view(skipped), view(nil))
	if got := web.RecoveryRateBody(views); got.Recovered != 4 || got.Answered != 4 || got.Rate != nil || got.Interval != nil {
		t.Errorf("4 answers: %+v, want counts only", got)
	}
	r := *answered
	r.Score = 3
	views = append(views, view(&r))
	got := web.RecoveryRateBody(views)
	if got.Recovered != 4 || got.Answered != 5 || got.Rate == nil || *got.Rate != 0.8 || got.Interval == nil ||
		math.Abs((*got.Interval)[0]-0.375535) > 1e-5 || math.Abs((*got.Interval)[1]-0.963776) > 1e-5 {
		t.Errorf("5 answers: %+v", got)
	}
	raw, _ := json.Marshal(got)
	if !strings.HasPrefix(string(raw), `{"recovered":4,"answered":5,"rate":0.8,"interval":[`) {
		t.Errorf("json %s", raw)
	}
}
