package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestSurveyWording(t *testing.T) {
	t.Parallel()
	c, errs := decode(t, y(
		"surveys:",
		"  - id: nps-delivery",
		"    metric: nps",
		"    title: {en: Delivery NPS, he: NPS משלוחים}",
		"    follow_up_question:",
		"      detractor: {en: 'What should we fix first?'}",
		"      promoter: {en: 'What did you like most?', ru: 'Что понравилось?'}",
		"    thanks: {en: Thanks!}",
		"    reasons:",
		"      - {id: speed, en: Speed, he: מהירות}",
		"      - {id: staff_2, en: Staff}",
		"  - id: csat",
		"    follow_up_question: {en: 'What could we do better?'}",
	))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got, _ := c.Survey("nps-delivery")
	want := Survey{
		ID: "nps-delivery", Metric: MetricNPS, Question: map[string]string{}, FollowUp: true, ExpiresAfter: 72 * 3600e9,
		Title: map[string]string{"en": "Delivery NPS", "he": "NPS משלוחים"},
		FollowUpQuestion: map[string]map[string]string{
			"detractor": {"en": "What should we fix first?"},
			"promoter":  {"en": "What did you like most?", "ru": "Что понравилось?"},
		},
		Thanks: map[string]string{"en": "Thanks!"},
		Reasons: []Reason{
			{ID: "speed", Labels: map[string]string{"en": "Speed", "he": "מהירות"}},
			{ID: "staff_2", Labels: map[string]string{"en": "Staff"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nps-delivery (-want +got):\n%s", diff)
	}
	csat, _ := c.Survey("csat")
	if diff := cmp.Diff(map[string]map[string]string{"": {"en": "What could we do better?"}}, csat.FollowUpQuestion); diff != "" {
		t.Errorf("csat follow-up per locale (-want +got):\n%s", diff)
	}
	if got, want := got.coverage(), "wording of nps-delivery: title en he · follow_up_question.detractor en · follow_up_question.promoter en ru · thanks en · reasons en he; built-in only: fa, ar"; got != want {
		t.Errorf("coverage: got %q, want %q", got, want)
	}
	// What config check prints loads back to the same surveys.
	var b strings.Builder
	if err := c.WriteEffective(&b); err != nil {
		t.Fatal(err)
	}
	file, err := yaml.Marshal(c.file())
	if err != nil {
		t.Fatal(err)
	}
	again, errs := decode(t, string(file))
	if len(errs) > 0 {
		t.Fatalf("effective output does not load: %v\n%s", errs, b.String())
	}
	if diff := cmp.Diff(c.Surveys, again.Surveys); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !strings.Contains(b.String(), "# wording of nps: built-in in every locale\n") {
		t.Errorf("config check does not say nps keeps the built-in wording:\n%s", b.String())
	}
}

func TestSurveyWordingErrors(t *testing.T) {
	t.Parallel()
	s := func(lines ...string) string {
		return y(append([]string{"surveys:", "  - id: a", "    metric: nps"}, lines...)...)
	}
	tests := []struct {
		name, content string
		want          []string
	}{
		{"unknown band", s("    follow_up_question:", "      detractor: {en: 'Why?'}", "      neutral: {en: 'Hm?'}"),
			[]string{`vocbot.yaml:6: surveys[0].follow_up_question.neutral: "neutral" is neither a score band (detractor, passive, promoter) nor a supported locale (en, he, fa, ar, ru)`}},
		{"bands and locales mixed", s("    follow_up_question:", "      en: 'Why?'", "      promoter: {en: 'Yay?'}"),
			[]string{`vocbot.yaml:6: surveys[0].follow_up_question.promoter: mixes score bands and locales; give either locales (the question for every band) or detractor, passive and promoter each with its locales`}},
		{"unsupported locale in a band", s("    follow_up_question:", "      passive:", "        en: 'Why?'", "        de: Warum?"),
			[]string{`vocbot.yaml:7: surveys[0].follow_up_question.passive.de: "de" is not a supported locale; use one of en, he, fa, ar, ru`}},
		{"empty follow-up", s("    follow_up_question: {en: ''}"),
			[]string{`vocbot.yaml:4: surveys[0].follow_up_question.en: the wording is empty; write it or remove the line`}},
		{"title not a mapping", s("    title: NPS"),
			[]string{`vocbot.yaml:4: surveys[0].title: expected a mapping of locale to text, e.g. {en: "…", he: "…"}, got text`}},
		{"thanks in an unknown locale", s("    thanks:", "      xx: Danke"),
			[]string{`vocbot.yaml:5: surveys[0].thanks.xx: "xx" is not a supported locale; use one of en, he, fa, ar, ru`}},
		{"reason id too long", s("    reasons:", "      - {id: deliveryspeed, en: Speed}"),
			[]string{`vocbot.yaml:5: surveys[0].reasons[0].id: "deliveryspeed" is not a reason id; use 1 to 8 lower-case letters, digits and _ (it goes into button data, which is short on Telegram)`}},
		{"reason id with capitals", s("    reasons:", "      - id: Speed", "        en: Speed"),
			[]string{`vocbot.yaml:5: surveys[0].reasons[0].id: "Speed" is not a reason id; use 1 to 8 lower-case letters, digits and _ (it goes into button data, which is short on Telegram)`}},
		{"reason skip", s("    reasons:", "      - {id: skip, en: Skip}"),
			[]string{`vocbot.yaml:5: surveys[0].reasons[0].id: "skip" is the skip button's; choose another id`}},
		{"reason without id", s("    reasons:", "      - {en: Speed}"),
			[]string{`vocbot.yaml:5: surveys[0].reasons[0]: missing id; give the reason a short id such as speed`}},
		{"reason without label", s("    reasons:", "      - {id: speed}"),
			[]string{`vocbot.yaml:5: surveys[0].reasons[0]: reason "speed" has no label; add one per locale, e.g. en: "Speed"`}},
		{"reason unknown key", s("    reasons:", "      - id: speed", "        emoji: x"),
			[]string{`vocbot.yaml:6: surveys[0].reasons[0].emoji: unknown key: give id and the label per locale; "emoji" is not a supported locale; use one of en, he, fa, ar, ru`}},
		{"reason repeated", s("    reasons:", "      - {id: speed, en: Speed}", "      - {id: speed, en: Fast}"),
			[]string{`vocbot.yaml:6: surveys[0].reasons[1].id: "speed" is already the id of the reason on line 5; ids must be unique`}},
		{"too many reasons", s("    reasons:",
			"      - {id: r1, en: a}", "      - {id: r2, en: a}", "      - {id: r3, en: a}", "      - {id: r4, en: a}", "      - {id: r5, en: a}",
			"      - {id: r6, en: a}", "      - {id: r7, en: a}", "      - {id: r8, en: a}", "      - {id: r9, en: a}"),
			[]string{`vocbot.yaml:5: surveys[0].reasons: 9 reasons are more than the 8 buttons every platform can show with skip; keep the 8 that matter most`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got := decode(t, tt.content)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors for\n%s(-want +got):\n%s", tt.content, diff)
			}
		})
	}
}
