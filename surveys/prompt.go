package surveys

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/vocbot/vocbot/scoring"
)

// ScorePrompt is the question an invitation asks: the survey's wording in
// the invitation's locale (its Question override for that locale if it has
// one, with "[X]" replaced by the product), the scale's two anchors on lines
// of their own ("0 = Not at all likely"), and one choice per answer from the
// lowest to the highest. Choice labels use the locale's digits; values are
// always ASCII ("0" … "10"), so adapters can put them in callback data.
func (s *Settings) ScorePrompt(inv Invitation) (Prompt, error) {
	survey, err := s.invitationSurvey(inv)
	if err != nil {
		return Prompt{}, err
	}
	lo, hi, ok := survey.Metric.Scale().Range()
	if !ok {
		return Prompt{}, fmt.Errorf("score prompt for invitation %d: survey %q has unknown metric %q", inv.ID, survey.ID, survey.Metric)
	}
	locale := s.textLocale(inv.Locale)
	printer := message.NewPrinter(language.Make(locale))
	rtl := scoring.IsRTL(locale)
	question := s.Text(locale, msgQuestion(survey.Metric), nil)
	if custom := survey.Question[locale]; custom != "" {
		product := localValue(printer, rtl, false, s.Product).(string)
		question = strings.ReplaceAll(custom, "[X]", product)
	}
	anchor := func(score int, id MessageID) string {
		return printer.Sprintf("%d", score) + " = " + s.Text(locale, id, nil)
	}
	text := question + "\n\n" + anchor(lo, msgAnchor(survey.Metric, "low")) + "\n" + anchor(hi, msgAnchor(survey.Metric, "high"))
	choices := make([]Choice, 0, hi-lo+1)
	for v := lo; v <= hi; v++ {
		choices = append(choices, Choice{Label: printer.Sprintf("%d", v), Value: strconv.Itoa(v)})
	}
	return Prompt{
		Text:    scoring.AnchorRTL(locale, text),
		Choices: choices,
		Dir:     s.direction(locale),
		Ref:     Ref{InvitationID: inv.ID, Question: QuestionScore}.String(),
	}, nil
}

// ReminderPrompt is the score prompt again, opened by a line saying how
// many hours the survey stays open after now (rounded up).
func (s *Settings) ReminderPrompt(inv Invitation, now time.Time) (Prompt, error) {
	p, err := s.ScorePrompt(inv)
	if err != nil {
		return Prompt{}, err
	}
	hours := int((inv.ExpiresAt.Sub(now) + time.Hour - 1) / time.Hour)
	reminder := s.Text(inv.Locale, MsgReminder, map[string]any{"Count": max(hours, 0)})
	p.Text = scoring.AnchorRTL(s.textLocale(inv.Locale), reminder+"\n\n"+p.Text)
	return p, nil
}

// FollowUpPrompt asks "why?" after the score: the survey's own question
// for every band if it has one in the locale, else the built-in one. The
// answer is typed, so it has no choices.
func (s *Settings) FollowUpPrompt(inv Invitation) (Prompt, error) {
	return s.BandFollowUpPrompt(inv, 0)
}

// BandFollowUpPrompt is FollowUpPrompt after an answer in band b: the
// survey's question for that band (a detractor is asked what to fix, a
// promoter what they liked), else its question for every band, else the
// built-in one.
func (s *Settings) BandFollowUpPrompt(inv Invitation, b scoring.Bucket) (Prompt, error) {
	sv, err := s.invitationSurvey(inv)
	if err != nil {
		return Prompt{}, err
	}
	text, hint := s.followUpText(sv, b, inv.Locale)
	return Prompt{
		Text: text,
		Hint: hint,
		Dir:  s.direction(inv.Locale),
		Ref:  Ref{InvitationID: inv.ID, Question: QuestionWhy}.String(),
	}, nil
}

// ThanksPrompt closes the conversation of an invitation: the survey's own
// thank-you in the locale if it has one, else the built-in one.
func (s *Settings) ThanksPrompt(inv Invitation) Prompt {
	return Prompt{Text: s.thanksText(inv.SurveyID, inv.Locale), Dir: s.direction(inv.Locale)}
}

// invitationSurvey is the survey inv asks, or an error saying why no prompt
// can be built for it.
func (s *Settings) invitationSurvey(inv Invitation) (Survey, error) {
	if inv.ID <= 0 {
		return Survey{}, fmt.Errorf("prompt for invitation %d: not a stored invitation (id must be positive)", inv.ID)
	}
	survey, ok := s.Survey(inv.SurveyID)
	if !ok {
		return Survey{}, fmt.Errorf("prompt for invitation %d: unknown survey %q; known: %s", inv.ID, inv.SurveyID, s.surveyIDs())
	}
	return survey, nil
}

// msgQuestion is the built-in question of a metric.
func msgQuestion(m Metric) MessageID { return MessageID("question." + string(m)) }

// msgAnchor labels the lowest ("low") or highest ("high") answer of the
// metric's scale; eNPS shares NPS's scale and so its anchors.
func msgAnchor(m Metric, end string) MessageID {
	if m == ENPS {
		m = NPS
	}
	return MessageID("anchor." + string(m) + "." + end)
}
