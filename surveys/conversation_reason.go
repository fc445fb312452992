package surveys

import (
	"errors"
	"fmt"
)

// Reason buttons: after the score of a survey with Reasons, the customer
// is asked what it was mostly about; the tapped reason (or skip) leads on
// to the follow-up question, or to the thank-you.

// ReasonPrompt asks what the answer to inv was mostly about: one button
// per reason of the survey, labelled in the invitation's locale (else the
// workspace's default, else English, else the id), then skip. Values are
// the reason ids, short ASCII that fits every platform's button data.
func (s *Settings) ReasonPrompt(inv Invitation) (Prompt, error) {
	sv, err := s.invitationSurvey(inv)
	if err != nil {
		return Prompt{}, err
	}
	if len(sv.Reasons) == 0 {
		return Prompt{}, fmt.Errorf("reason prompt for invitation %d: survey %q has no reasons", inv.ID, sv.ID)
	}
	locale := s.textLocale(inv.Locale)
	p := s.Reply(locale, MsgReasonAsk, nil)
	p.Ref = Ref{InvitationID: inv.ID, Question: QuestionReason}.String()
	for _, r := range sv.Reasons {
		label := pickLocale(r.Labels, locale, s.DefaultLocale)
		if label == "" {
			label = r.ID
		}
		p.Choices = append(p.Choices, Choice{Label: label, Value: r.ID})
	}
	p.Choices = append(p.Choices, Choice{Label: s.Text(locale, MsgSkip, nil), Value: valueSkip})
	return p, nil
}

// askReason sends the reason buttons after inv's score was recorded.
func (t *chatTurn) askReason(inv Invitation) error {
	p, err := t.e.settings.ReasonPrompt(inv)
	if err != nil {
		return err
	}
	t.replies = append(t.replies, p)
	return nil
}

// reasonPressed records a reason button (skip records none) and goes on to
// the follow-up question if it still awaits an answer, else thanks.
func (t *chatTurn) reasonPressed(ref Ref) error {
	s := t.e.settings
	r, err := t.tx.Response(ref.InvitationID)
	if errors.Is(err, ErrNotFound) || (err == nil && r.CustomerID != t.cust.ExternalID) {
		t.say(MsgSurveyClosed, nil)
		return nil
	}
	if err != nil {
		return err
	}
	sv, known := s.Survey(r.SurveyID)
	if !known || r.Reason != "" {
		t.say(MsgAlreadyAnswer, map[string]any{"Score": r.Score})
		return nil
	}
	// A reason no longer configured (the button is older than the file)
	// counts as a skip: what is stored must be one of today's reasons.
	if _, ok := sv.reason(t.in.Value); ok {
		if err := t.tx.SetReason(r.ID, t.in.Value); err != nil {
			return err
		}
	}
	inv := Invitation{ID: r.InvitationID, SurveyID: r.SurveyID, Locale: t.locale}
	if r.CommentState != CommentAwaiting {
		t.replies = append(t.replies, s.ThanksPrompt(inv))
		return nil
	}
	bucket, err := r.Metric.Scale().Bucket(r.Score)
	if err != nil {
		return fmt.Errorf("bucket of score %d on %s: %w", r.Score, r.Metric.Scale(), err)
	}
	p, err := s.BandFollowUpPrompt(inv, bucket)
	if err != nil {
		return err
	}
	p.Choices = []Choice{{Label: s.Text(t.locale, MsgSkip, nil), Value: valueSkip}}
	t.replies = append(t.replies, p)
	return nil
}
