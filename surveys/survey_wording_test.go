package surveys_test

import (
	"testing"

	"github.com/vocbot/vocbot/surveys"
)

func TestSettingsTitle(t *testing.T) {
	t.Parallel()
	s := &surveys.Settings{DefaultLocale: "he", Surveys: []surveys.Survey{
		{ID: "support", Metric: surveys.CSAT, Title: map[string]string{"en": "Support CSAT", "he": "שביעות רצון מהתמיכה"}},
		{ID: "delivery", Metric: surveys.NPS, Title: map[string]string{"en": "Delivery NPS"}},
		{ID: "ru-only", Metric: surveys.NPS, Title: map[string]string{"ru": "NPS доставки"}},
		{ID: "nps", Metric: surveys.NPS},
	}}
	tests := []struct{ survey, locale, want string }{
		{"support", "en", "Support CSAT"},
		{"support", "he-IL", "שביעות רצון מהתמיכה"},
		{"support", "fa", "שביעות רצון מהתמיכה"}, // the workspace's default locale
		{"support", "de", "שביעות רצון מהתמיכה"}, // unknown locale: the default's
		{"delivery", "he", "Delivery NPS"},       // then English
		{"ru-only", "en", "NPS доставки"},        // then any
		{"nps", "en", "nps"},                     // no title: the id
		{"gone", "en", "gone"},
	}
	for _, tt := range tests {
		if got := s.Title(tt.survey, tt.locale); got != tt.want {
			t.Errorf("Title(%q, %q) = %q, want %q", tt.survey, tt.locale, got, tt.want)
		}
	}
}
