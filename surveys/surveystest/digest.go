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
		}}}}
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
	return surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
}
