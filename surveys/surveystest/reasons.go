package surveystest

import "github.com/vocbot/vocbot/surveys"

// SampleReasons are the most reason buttons a survey may have (8), with ids
// of up to the longest allowed length, so adapters' goldens show the
// platform limits hold.
var SampleReasons = []surveys.Reason{
	{ID: "speed", Labels: map[string]string{"en": "Speed", "he": "מהירות", "ru": "Скорость"}},
	{ID: "courier", Labels: map[string]string{"en": "Courier", "he": "השליח"}},
	{ID: "package", Labels: map[string]string{"en": "Packaging", "he": "אריזה"}},
	{ID: "price", Labels: map[string]string{"en": "Price", "he": "מחיר"}},
	{ID: "app", Labels: map[string]string{"en": "App & site", "he": "האפליקציה"}},
	{ID: "support", Labels: map[string]string{"en": "Support", "he": "שירות"}},
	{ID: "returns", Labels: map[string]string{"en": "Returns", "he": "החזרות"}},
	{ID: "quality8", Labels: map[string]string{"en": "Product quality", "he": "איכות המוצר"}},
}

// SampleReasonPrompt is the reason prompt of invitation 1234 in locale, as
// the Engine builds it: SampleReasons, then skip.
func SampleReasonPrompt(locale string) surveys.Prompt {
	s := &surveys.Settings{DefaultLocale: "en", Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS, Reasons: SampleReasons}}}
	p, err := s.ReasonPrompt(surveys.Invitation{ID: 1234, SurveyID: "nps", Locale: locale})
	if err != nil {
		panic(err) // a fixed sample: a test would fail first
	}
	return p
}
