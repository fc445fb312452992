package surveystest

import (
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// SampleDigest computes a small digest for renderer tests: forty days of
// NPS answers over two touchpoints (one with characters renderers must
// escape) and yesterday's comments, as of 2026-11-23 09:00 UTC.
func SampleDigest(locale string) surveys.Digest {
	s := &surveys.Settings{DefaultLocale: "en", Timezone: time.UTC, Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS,
		Title: map[string]string{"en": "Support & delivery NPS", "he": "NPS שירות ומשלוחים"},
		Reasons: []surveys.Reason{
			{ID: "speed", Labels: map[string]string{"en": "Speed", "he": "מהירות"}},
			{ID: "staff", Labels: map[string]string{"en": "Staff <team>", "he": "צוות"}},
		}}},
		Alerts: []surveys.AlertPolicy{{To: alerts, FirstReplyWithin: 4 * time.Hour,
			Recovery: &surveys.RecoveryPolicy{SurveyID: "nps", After: 48 * time.Hour}}}}
	spec := surveys.DigestSpec{ID: "daily", Timezone: time.UTC, Quotes: 3, Locale: locale}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	q := surveys.NewDigestQuery(spec, s, now)
	days := len(q.Days)
	data := surveys.DigestData{Query: q, Invited: map[string]surveys.DigestInvited{"nps": {Sent: 10, Answered: 4}}, Blocked: 3}
	for day := days - 40; day < days; day++ {
		data.Counts = append(data.Counts,
			surveys.DigestCount{SurveyID: "nps", Day: day, TouchpointType: "order_delivered", Score: 10, Responses: 2},
			surveys.DigestCount{SurveyID: "nps", Day: day, TouchpointType: "support <chat>", Score: 4, Responses: 1, Comments: 1})
	}
	data.Reasons = []surveys.DigestReasonCount{{SurveyID: "nps", Reason: "speed", Responses: 30}, {SurveyID: "nps", Reason: "staff", Responses: 10}}
	y := q.Yesterday.Start
	data.Comments = []surveys.DigestComment{
		{ResponseID: 1, SurveyID: "nps", Score: 4, Text: "Support closed my ticket without an answer & no apology", TouchpointType: "support <chat>", At: y.Add(9 * time.Hour)},
		{ResponseID: 2, SurveyID: "nps", Score: 10, Text: "Delivery was fast and the courier was very polite", TouchpointType: "order_delivered", At: y.Add(10 * time.Hour)},
	}
	// Seven alerts in the last 28 days: six claimed, five resolved, four
	// replied to (after 30 min, 1 h, 2 h and 5 h: three within the 4 h
	// target, median 1.5 h); six recovery answers, four of them positive.
	opened := now.Add(-10 * 24 * time.Hour)
	for i, a := range []struct {
		claimed, resolved bool
		reply             time.Duration
		recovery          int // CSAT answer, 0 for none
	}{
		{true, true, 30 * time.Minute, 5}, {true, true, time.Hour, 4}, {true, true, 2 * time.Hour, 2},
		{true, true, 5 * time.Hour, 5}, {true, true, 0, 4}, {true, false, 0, 3}, {false, false, 0, 0},
	} {
		created := opened.Add(time.Duration(i) * time.Hour)
		da := surveys.DigestAlert{To: alerts, CreatedAt: created}
		if a.claimed {
			da.ClaimedAt = created.Add(10 * time.Minute)
		}
		if a.reply > 0 {
			da.FirstReplyAt = created.Add(a.reply)
		}
		if a.resolved {
			da.ResolvedAt = created.Add(24 * time.Hour)
		}
		if a.recovery > 0 {
			da.Recovery = &surveys.AlertRecovery{Answered: true, Metric: surveys.CSAT, Score: a.recovery}
		}
		data.Alerts = append(data.Alerts, da)
	}
	data.AlertsRead = true
	return surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
}

var alerts = surveys.Address{Platform: surveys.Slack, ChatID: "C0ALERTS"}
