package surveys_test

import (
	"fmt"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

func ExampleSettings_ScorePrompt() {
	s := &surveys.Settings{Product: "Acme", DefaultLocale: "en", Surveys: surveys.BuiltinSurveys()}
	p, err := s.ScorePrompt(surveys.Invitation{ID: 42, SurveyID: "csat", Locale: "en"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Text)
	fmt.Println(p.Choices, p.Ref)
	// Output:
	// How satisfied were you with the service from Acme?
	//
	// 1 = Very dissatisfied
	// 5 = Very satisfied
	// [{1 1} {2 2} {3 3} {4 4} {5 5}] s42
}

func ExampleSettings_ScorePrompt_persian() {
	s := &surveys.Settings{Product: "Acme", DefaultLocale: "en", Surveys: surveys.BuiltinSurveys()}
	p, _ := s.ScorePrompt(surveys.Invitation{ID: 42, SurveyID: "nps", Locale: "fa"})
	// Labels use Persian digits; the values that come back stay ASCII.
	fmt.Println(p.Dir == surveys.RTL, p.Choices[9].Label, p.Choices[9].Value)
	// Output:
	// true ۹ 9
}

func ExampleSettings_Text() {
	s := &surveys.Settings{Product: "Acme", DefaultLocale: "en"}
	fmt.Println(s.Text("en", surveys.MsgStopped, nil))
	fmt.Println(s.Text("ru", surveys.MsgReminder, map[string]any{"Count": 22}))
	fmt.Println(s.Text("de", surveys.MsgSurveyClosed, nil)) // not spoken: the default locale
	// Output:
	// Done: you won't get any more surveys from Acme. Changed your mind? Send /resume.
	// Напоминаем: опрос открыт ещё 22 часа.
	// Sorry, this survey is closed. Thank you anyway!
}

func ExampleParseRef() {
	ref := surveys.Ref{InvitationID: 1234, Question: surveys.QuestionWhy}
	fmt.Println(ref)
	back, err := surveys.ParseRef(ref.String())
	fmt.Println(back.InvitationID, back.Question, err)
	_, err = surveys.ParseRef("s0123")
	fmt.Println(err)
	// Output:
	// w1234
	// 1234 why <nil>
	// not a survey reference: "s0123" has no invitation id
}

func ExampleSettings_Decide() {
	jerusalem, _ := time.LoadLocation("Asia/Jerusalem")
	s := &surveys.Settings{
		Product: "Acme", DefaultLocale: "he", Timezone: jerusalem,
		Surveys: surveys.BuiltinSurveys(),
		Rules: []surveys.Rule{{Type: "order_delivered", SurveyID: "nps", Delay: 2 * time.Hour, Sample: 1,
			Quiet: surveys.QuietHours{Start: 21 * 60, End: 9 * 60}}},
		MinGap:  720 * time.Hour,
		Enabled: []surveys.Platform{surveys.Telegram},
	}
	delivered := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC) // 20:00 in Jerusalem
	tp := surveys.Touchpoint{Type: "order_delivered", OccurredAt: delivered,
		Customer: surveys.Customer{ExternalID: "cus_42", Locale: "he"}}
	st := surveys.CustomerState{Identities: []surveys.Address{{Platform: surveys.Telegram, ChatID: "123456789"}}}

	d := s.Decide(tp, st, delivered)
	fmt.Println(d.Detail)

	st.LastSurveyAt = delivered.Add(-5 * 24 * time.Hour)
	d = s.Decide(tp, st, delivered)
	fmt.Println(d.Skip+":", d.Detail)
	// Output:
	// scheduled for 2026-11-24 09:00 their time via telegram, moved out of quiet hours 21:00-09:00 to Tue 09:00 IST their time
	// fatigue: surveyed 5 days ago (2026-11-18); minimum gap 30 days
}

func ExampleBuiltinSurveys() {
	for _, sv := range surveys.BuiltinSurveys() {
		fmt.Println(sv.ID, sv.Metric.Scale(), sv.FollowUp, sv.ExpiresAfter)
	}
	// Output:
	// nps nps true 72h0m0s
	// csat csat true 72h0m0s
	// ces ces2 true 72h0m0s
	// enps enps true 72h0m0s
}
