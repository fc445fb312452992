package surveys

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Some customers have no chat vocbot can reach: no identity was given, and
// none was linked. A survey with WebLink still asks them: the invitation is
// a web one (Platform Web), already "sent" when it is made, because its
// link (Invitation.WebURL) goes back to the caller, who hands it on by
// e-mail, SMS or a receipt. The customer answers on a web page that feeds
// the answer through the same conversation as a chat answer (validation,
// the first answer wins, alerts, fatigue), with Platform Web.

// Web is the pseudo-platform of web invitations: the customer answers in a
// browser through a signed link. It is not in Platforms: nothing is sent.
const Web Platform = "web"

// MaxWebComment is the longest comment the web page takes, in characters:
// the longest message a customer can type in Telegram, so the web is no
// more and no less generous than the chat.
const MaxWebComment = 4096

// WebLinks makes the link of a web invitation; the HTTP face implements it
// (it holds the signing key and the public base URL).
type WebLinks interface {
	WebURL(inv Invitation) string
}

// SetWebLinks gives the Engine what turns web invitations into links:
// Ingest fills Invitation.WebURL with it. Without it, WebURL stays "".
func (e *Engine) SetWebLinks(l WebLinks) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.links = l
}

// withWebURL fills inv.WebURL when inv is a web invitation.
func (e *Engine) withWebURL(inv Invitation) Invitation {
	if inv.To.Platform != Web || inv.Status == Skipped {
		return inv
	}
	e.mu.RLock()
	l := e.links
	e.mu.RUnlock()
	if l != nil {
		inv.WebURL = l.WebURL(inv)
	}
	return inv
}

// WebState is what a web answer page shows.
type WebState int

// The states of a web survey.
const (
	// WebAsk: not answered yet; the score question is open.
	WebAsk WebState = iota
	// WebFollowUp: the score is in; the "why?" awaits an answer.
	WebFollowUp
	// WebDone: answered; nothing more to ask.
	WebDone
	// WebClosed: not answered, and it can no longer be (expired, opted out).
	WebClosed
)

// WebSurvey is a web invitation as its page shows it, in the customer's
// language: the question with its choices (Score), the second step when
// State is WebFollowUp (the survey's reason buttons in Reasons, the band's
// follow-up question in FollowUp, either or both), and Notes, what vocbot says in reply to what
// the customer just did (thanks, "already answered", "closed", "please
// answer with a number from 0 to 10"), the same words the chat uses.
type WebSurvey struct {
	Invitation Invitation
	State      WebState
	Locale     string // the language the page speaks: one of Locales
	Dir        TextDirection
	Score      Prompt
	Answer     string // "Your answer: 9" once the score is in
	// Reasons is "what was it mostly about?" with one choice per reason of
	// the survey (no skip: Skip is the page's), while none was chosen.
	Reasons Prompt
	// FollowUp is the survey's question for the score's band, while the
	// comment awaits an answer; its Text is "" when no comment is asked.
	FollowUp Prompt
	Skip     string // the second step's skip label
	Notes    []string
	// Repeated is true when the submission was one the Engine had taken
	// already (a second answer to the same question); the first one stands.
	Repeated bool
}

// WebAnswer is what a customer submitted on the page of a web invitation:
// a score (Question QuestionScore, Value "0"…"10"), or the second step
// (QuestionWhy): the reason chosen (Reason, a reason id, "" for none) and
// the follow-up's comment (Comment); Skip declines the whole step.
type WebAnswer struct {
	InvitationID int64
	Question     Question
	Value        string
	Reason       string
	Comment      string
	Skip         bool
}

// webStepID is the update id of an invitation's second step: one per
// invitation, so the step is taken once whatever is submitted, and a
// step declined without a trace in the response (reasons skipped on a
// survey without follow-up) stays closed.
func webStepID(invitationID int64) string {
	return "web:" + Ref{InvitationID: invitationID, Question: QuestionWhy}.String() + ":step"
}

// WebSurvey is the page of web invitation id. ErrNotFound when there is no
// such web invitation (a chat invitation's id is not one either).
func (e *Engine) WebSurvey(ctx context.Context, id int64) (WebSurvey, error) {
	conv, ok := e.store.(Conversations)
	if !ok {
		return WebSurvey{}, fmt.Errorf("web survey %d: the store %T cannot hold conversations", id, e.store)
	}
	var out WebSurvey
	now := e.clock.Now()
	_, err := conv.Converse(ctx, "", func(tx ChatTx) error {
		var err error
		out, err = e.webView(tx, id, now)
		return err
	})
	if err != nil {
		return WebSurvey{}, fmt.Errorf("web survey %d: %w", id, err)
	}
	return out, nil
}

// AnswerWeb records what the customer submitted on a web invitation's page,
// as a chat answer is recorded, and returns the page to show next. Each
// question of an invitation is answered once: a second submission is not
// recorded and comes back with Repeated set. ErrNotFound when there is no
// such web invitation.
func (e *Engine) AnswerWeb(ctx context.Context, a WebAnswer) (WebSurvey, error) {
	conv, ok := e.store.(Conversations)
	if !ok {
		return WebSurvey{}, fmt.Errorf("web answer %d: the store %T cannot hold conversations", a.InvitationID, e.store)
	}
	ref := Ref{InvitationID: a.InvitationID, Question: a.Question}.String()
	if ref == "" || (a.Question != QuestionScore && a.Question != QuestionWhy) {
		return WebSurvey{}, fmt.Errorf("web answer %d: %w", a.InvitationID, ErrBadRef)
	}
	if utf8.RuneCountInString(a.Comment) > MaxWebComment {
		return WebSurvey{}, fmt.Errorf("web answer %d: the comment is longer than %d characters", a.InvitationID, MaxWebComment)
	}
	// The update id of a score is the submission: the same form sent twice
	// (a double click, a reload) is recorded once; another one is a second
	// answer, which the conversation refuses as in a chat. An off-scale
	// score is recorded as nothing, so the customer can still answer after
	// it. The second step is taken once (webStepID).
	updateID := webStepID(a.InvitationID)
	if a.Question == QuestionScore {
		in := Incoming{Value: a.Value}.Clean()
		sum := sha256.Sum256([]byte(in.Value))
		updateID = "web:" + ref + ":" + hex.EncodeToString(sum[:8])
	}
	now := e.clock.Now()
	var replies []Prompt
	var view WebSurvey
	var repeated bool
	fresh, err := conv.Converse(ctx, updateID, func(tx ChatTx) error {
		replies, repeated = nil, false
		inv, err := tx.LockInvitation(a.InvitationID)
		if err != nil {
			return err
		}
		if inv.To.Platform != Web {
			return fmt.Errorf("invitation %d is not a web invitation: %w", inv.ID, ErrNotFound)
		}
		// Each turn goes through the chat's conversation, as if the
		// customer had pressed the button or typed the comment.
		turn := func(in Incoming) error {
			in.ID = updateID
			in.From = Address{Platform: Web, UserID: inv.CustomerID}
			in.Locale = inv.Locale
			t := chatTurn{e: e, tx: tx, in: in.Clean(), now: now}
			if err := t.run(); err != nil {
				return err
			}
			replies = t.replies
			return nil
		}
		if a.Question == QuestionScore {
			if _, err := tx.Response(inv.ID); err == nil {
				repeated = true
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			if err := turn(Incoming{Ref: ref, Value: a.Value}); err != nil {
				return err
			}
		} else if err := e.webStep(tx, inv, a, now, turn); err != nil {
			return err
		}
		view, err = e.webView(tx, a.InvitationID, now)
		return err
	})
	if errors.Is(err, errWebStepClosed) {
		// Nothing recorded: the page as it stands says what is open.
		view, err = e.WebSurvey(ctx, a.InvitationID)
		if err != nil {
			return WebSurvey{}, err
		}
		view.Repeated = view.State == WebDone
		if view.Repeated {
			view.Notes = []string{e.settings.Text(view.Locale, MsgAlreadyAnswer, nil)}
		}
		return view, nil
	}
	if err != nil {
		return WebSurvey{}, fmt.Errorf("web answer %d: %w", a.InvitationID, err)
	}
	if !fresh {
		// Submitted before: the first submission stands. Show the page as
		// it is now, with the chat's "already answered".
		view, err = e.WebSurvey(ctx, a.InvitationID)
		if err != nil {
			return WebSurvey{}, err
		}
		view.Repeated = true
		if view.State != WebClosed {
			view.Notes = []string{e.settings.Text(view.Locale, MsgAlreadyAnswer, nil)}
		}
		return view, nil
	}
	view.Notes = nil // what the conversation just said replaces the page's standing notes
	for _, p := range replies {
		if p.Ref != "" {
			continue // the follow-up question: the page shows it as a form
		}
		view.Notes = append(view.Notes, p.Text)
	}
	view.Repeated = repeated
	return view, nil
}

// errWebStepClosed rolls back a second step that is not open (no score
// yet, or its window passed), so that its update id stays unspent.
var errWebStepClosed = errors.New("the second step is not open")

// webStep takes the second step of inv: the reason chosen, then the
// comment (or the skip of both), each through the conversation as a chat
// records it; errWebStepClosed when the step is not open.
func (e *Engine) webStep(tx ChatTx, inv Invitation, a WebAnswer, now time.Time, turn func(Incoming) error) error {
	r, err := tx.Response(inv.ID)
	if errors.Is(err, ErrNotFound) {
		return errWebStepClosed // no score yet
	}
	if err != nil {
		return err
	}
	sv, _ := e.settings.Survey(r.SurveyID)
	awaiting, reasons := webStepOpen(sv, r, now)
	if !awaiting && !reasons {
		return errWebStepClosed
	}
	if reasons && (!awaiting || (a.Reason != "" && !a.Skip)) {
		value := a.Reason
		if a.Skip || value == "" {
			value = valueSkip
		}
		if err := turn(Incoming{Ref: Ref{InvitationID: inv.ID, Question: QuestionReason}.String(), Value: value}); err != nil {
			return err
		}
	}
	if !awaiting {
		return nil
	}
	in := Incoming{Ref: Ref{InvitationID: inv.ID, Question: QuestionWhy}.String(), Text: a.Comment}
	if a.Skip || strings.TrimSpace(a.Comment) == "" {
		in = Incoming{Ref: in.Ref, Value: valueSkip}
	}
	return turn(in)
}

// webStepOpen tells what of response r's second step is still open: the
// comment (awaiting) and the reasons. The step closes when it is taken
// (the comment given or skipped, a reason chosen, or, on a survey without
// follow-up, the reasons skipped: see webStepID) or after CommentWindow.
func webStepOpen(sv Survey, r Response, now time.Time) (awaiting, reasons bool) {
	if now.Sub(r.AnsweredAt) >= CommentWindow {
		return false, false
	}
	awaiting = r.CommentState == CommentAwaiting
	reasons = len(sv.Reasons) > 0 && r.Reason == "" && (awaiting || r.CommentState == CommentNone)
	return awaiting, reasons
}

// webView reads the page of web invitation id inside tx.
func (e *Engine) webView(tx ChatTx, id int64, now time.Time) (WebSurvey, error) {
	s := e.settings
	inv, err := tx.LockInvitation(id)
	if err != nil {
		return WebSurvey{}, err
	}
	if inv.To.Platform != Web {
		return WebSurvey{}, fmt.Errorf("invitation %d is not a web invitation: %w", inv.ID, ErrNotFound)
	}
	inv = e.withWebURL(inv)
	cust, err := tx.Customer(Address{Platform: Web, UserID: inv.CustomerID})
	if err != nil {
		return WebSurvey{}, err
	}
	locale := e.conversationLocale(cust.Locale, inv.Locale)
	v := WebSurvey{Invitation: inv, Locale: locale, Dir: s.direction(locale)}
	here := inv
	here.Locale = locale
	v.Score, err = s.ScorePrompt(here)
	if err != nil {
		return WebSurvey{}, err
	}
	r, err := tx.Response(id)
	switch {
	case errors.Is(err, ErrNotFound):
		if cust.OptedOut || !now.Before(inv.ExpiresAt) || inv.Status != Sent {
			v.State = WebClosed
			v.Notes = []string{s.Text(locale, MsgSurveyClosed, nil)}
			return v, nil
		}
		v.State = WebAsk
		return v, nil
	case err != nil:
		return WebSurvey{}, err
	}
	v.Answer = s.Text(locale, MsgAnswer, map[string]any{"Score": r.Score})
	sv, _ := s.Survey(r.SurveyID)
	awaiting, reasons := webStepOpen(sv, r, now)
	if reasons && !awaiting {
		// Reasons only: the step may have been skipped, which leaves no
		// trace in the response but its update.
		taken, err := tx.UpdateHandled(webStepID(id))
		if err != nil {
			return WebSurvey{}, err
		}
		reasons = !taken
	}
	if awaiting || reasons {
		v.State = WebFollowUp
		if reasons {
			v.Reasons, err = s.ReasonPrompt(here)
			if err != nil {
				return WebSurvey{}, err
			}
			v.Reasons.Choices = v.Reasons.Choices[:len(v.Reasons.Choices)-1] // the page has its own Skip
		}
		if awaiting {
			bucket, err := r.Metric.Scale().Bucket(r.Score)
			if err != nil {
				return WebSurvey{}, fmt.Errorf("bucket of score %d on %s: %w", r.Score, r.Metric.Scale(), err)
			}
			v.FollowUp, err = s.BandFollowUpPrompt(here, bucket)
			if err != nil {
				return WebSurvey{}, err
			}
		}
		v.Skip = s.Text(locale, MsgSkip, nil)
		return v, nil
	}
	v.State = WebDone
	v.Notes = []string{s.Text(locale, MsgAlreadyAnswer, nil)}
	return v, nil
}

// WebLinkHandoff is the web link of an invitation whose chat refused the
// survey (undeliverable: the customer blocked the bot, closed their direct
// messages), handed to the company's own systems to send by e-mail or SMS.
type WebLinkHandoff struct {
	// ID is stable per invitation: a receiver dedupes retries by it.
	ID           string
	InvitationID int64
	CustomerID   string
	SurveyID     string
	WebURL       string
	ExpiresAt    time.Time
	// Reason is why the chat could not be used: "undeliverable".
	Reason string
}

// WebLinkHook hands a WebLinkHandoff on (the web_link_fallback webhook).
// A failure is a *SendError: Unreachable when retrying cannot help (the
// receiver refused it), RateLimited with the wait it asked for, anything
// else is retried.
type WebLinkHook interface {
	HandOff(ctx context.Context, h WebLinkHandoff) error
}
