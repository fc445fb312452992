package surveys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// MsgSkip labels the button under the follow-up question that declines it;
// typing the label, "skip" or "/skip" does the same.
const MsgSkip MessageID = "followup.skip"

// CommentWindow is how long after the score the next message a customer
// types is taken as their comment. Later, the follow-up counts as skipped.
const CommentWindow = 24 * time.Hour

// Choice values and refs of the conversation's own buttons. Score buttons
// carry the score ("0" … "10") and the invitation's Ref.
const (
	valueSkip = "skip"
	valueYes  = "yes"
	valueNo   = "no"
	// refDelete is the Ref of the /delete_my_data confirmation; it is not an
	// invitation's Ref, so ParseRef never mistakes it for one.
	refDelete = "delete"
)

var _ Handler = (*Engine)(nil)

// SetSenders gives the Engine the platforms' Senders it replies with (and
// edits prompts with, where a Sender is also an Editor). Call it before
// Handle is; platforms without a Sender get no replies.
func (e *Engine) SetSenders(senders map[Platform]Sender) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.senders = make(map[Platform]Sender, len(senders))
	for p, s := range senders {
		e.senders[p] = s
	}
}

// SetLogger receives what goes wrong after an update was recorded (an
// edit that failed); nil discards it.
func (e *Engine) SetLogger(l *slog.Logger) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.log = l
}

func (e *Engine) replySender(p Platform) (Sender, *slog.Logger) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	log := e.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return e.senders[p], log
}

// Handle implements Handler: one thing a person said in a chat. The update
// is recorded with its effect in one transaction (a redelivery is ignored),
// then the replies go out through the platform's Sender. The error is a
// storage failure (the adapter may let the platform redeliver) or a reply
// that could not be sent.
func (e *Engine) Handle(ctx context.Context, in Incoming) error {
	in = in.Clean()
	conv, ok := e.store.(Conversations)
	if !ok {
		return fmt.Errorf("handle %s: the store %T cannot hold conversations", in.ID, e.store)
	}
	if in.Event != "" {
		return e.handleEvent(ctx, conv, in) // blocked.go
	}
	now := e.clock.Now()
	var t chatTurn
	fresh, err := conv.Converse(ctx, in.ID, func(tx ChatTx) error {
		t = chatTurn{e: e, tx: tx, in: in, now: now}
		return t.run()
	})
	if err != nil {
		return fmt.Errorf("handle %s from %s: %w", in.ID, in.From, err)
	}
	if !fresh {
		return nil
	}
	if t.linkToken != "" {
		if err := t.link(ctx); err != nil {
			return fmt.Errorf("handle %s from %s: %w", in.ID, in.From, err)
		}
	}
	if t.forget {
		// A failure leaves the data and sends no "deleted": the customer can
		// press again (a new update). Forgotten already (two presses at
		// once) is done.
		if err := conv.ForgetCustomer(ctx, t.cust.ExternalID, in.From.Platform); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("handle %s from %s: %w", in.ID, in.From, err)
		}
	}
	// Recorded: the press can be acknowledged before the prompt edit and
	// the replies go out (their failures are logged, not returned).
	Committed(ctx)
	return e.deliverTurn(ctx, in.From, t)
}

// deliverTurn performs what a chatTurn decided, after its transaction committed.
func (e *Engine) deliverTurn(ctx context.Context, to Address, t chatTurn) error {
	sender, log := e.replySender(to.Platform)
	if sender == nil {
		if len(t.replies) == 0 {
			return nil
		}
		return fmt.Errorf("reply to %s: no sender for %s", to, to.Platform)
	}
	if t.edit != nil {
		if ed, ok := sender.(Editor); ok {
			if err := ed.Edit(ctx, t.edit.to, t.edit.ref, t.edit.prompt); err != nil {
				log.Warn("could not show the recorded answer in the survey prompt", "invitation_ref", t.edit.prompt.Ref, "err", err)
			}
		}
	}
	if t.relayed != nil {
		t.e.postRelay(ctx, *t.relayed, log)
	}
	// The turn is recorded and its update marked handled: a platform that
	// redelivers the update after an error would find it done and reply
	// nothing, so a reply that fails (blocked, rate-limited, chat gone) is
	// logged here and not returned (Slack would get a 500 and retry in vain).
	for i, p := range t.replies {
		if _, err := sender.Send(ctx, to, p); err != nil {
			kind, _ := FailureOf(err)
			log.Warn("reply not sent; the answer itself is recorded", "to", to.String(), "reply", i+1, "of", len(t.replies),
				"failure", [...]string{"failed", "rate_limited", "unreachable", "ambiguous"}[kind], "err", err)
			return nil
		}
	}
	return nil
}

// postRelay posts a customer's message in the alert's thread. It is on the
// timeline already; a failed post is logged (the platform would not
// redeliver a recorded update).
func (e *Engine) postRelay(ctx context.Context, r relayPost, log *slog.Logger) {
	sender, _ := e.replySender(r.alert.To.Platform)
	tp, ok := sender.(ThreadPoster)
	if !ok || r.alert.MessageRef == "" {
		log.Warn("a customer's answer to an alert could not be posted in its thread", "alert_id", r.alert.ID,
			"platform", string(r.alert.To.Platform), "reason", "no thread poster or the alert was not posted")
		return
	}
	if err := tp.PostInThread(ctx, r.alert.To, r.alert.MessageRef, r.text); err != nil {
		log.Warn("a customer's answer to an alert could not be posted in its thread", "alert_id", r.alert.ID, "err", err)
	}
}

// chatTurn is one Incoming worked out inside its transaction: what to record
// goes to tx, what to say is collected and sent after the commit.
type chatTurn struct {
	e   *Engine
	tx  ChatTx
	in  Incoming
	now time.Time

	cust    ChatCustomer
	locale  string
	replies []Prompt
	edit    *promptEdit
	// linkToken is a /start token to redeem after the commit.
	linkToken string
	// forget erases the customer after the commit (/delete_my_data, yes).
	forget bool
	// relay is a customer's message to post in an alert's thread.
	relayed *relayPost
	// pressed is what run read with the customer for a score press,
	// typedRead for a typed message.
	pressed   *Pressed
	typedRead *Typed
}

type relayPost struct {
	alert Alert
	text  string
}

type promptEdit struct {
	to     Address
	ref    MessageRef
	prompt Prompt
}

func (t *chatTurn) say(id MessageID, data map[string]any) {
	t.replies = append(t.replies, t.e.settings.Reply(t.locale, id, data))
}

func (t *chatTurn) run() error {
	s := t.e.settings
	cmd, isCmd := parseCustomerCommand(t.in.Text)
	isCmd = isCmd && t.in.Value == "" && t.in.Ref == ""
	// What the turn will need is read with the customer: one read
	// instead of three.
	var cust ChatCustomer
	var err error
	ref, scorePress := t.scorePress()
	switch {
	case scorePress:
		var p Pressed
		p, err = t.tx.ReadPress(t.in.From, ref.InvitationID)
		cust, t.pressed = p.Customer, &p
	case !isCmd && t.in.Value == "" && t.in.Ref == "": // what typed works out
		var ty Typed
		ty, err = t.tx.ReadTyped(t.in.From, t.now.Add(-CommentWindow), t.now)
		cust, t.typedRead = ty.Customer, &ty
	default:
		cust, err = t.tx.Customer(t.in.From)
	}
	if errors.Is(err, ErrNotFound) {
		// Not linked: greet, link on /start <token>, never fail.
		t.locale = s.textLocale(t.in.Locale)
		switch {
		case isCmd && cmd.Name == cmdStart && cmd.Arg != "":
			t.linkToken = cmd.Arg
		case isCmd && cmd.Name == cmdHelp:
			t.say(MsgHelp, nil)
		default:
			t.say(MsgHello, nil)
		}
		return nil
	}
	if err != nil {
		return err
	}
	t.cust = cust
	t.locale = t.e.conversationLocale(cust.Locale, t.in.Locale)
	switch {
	case t.in.Value != "" || t.in.Ref != "":
		return t.press()
	case isCmd:
		return t.command(cmd)
	}
	return t.typed()
}

// scorePress is the Ref of the pressed button when the press answers an
// invitation's score (what press hands to answer).
func (t *chatTurn) scorePress() (Ref, bool) {
	if (t.in.Value == "" && t.in.Ref == "") || t.in.Ref == refDelete {
		return Ref{}, false
	}
	ref, err := ParseRef(t.in.Ref)
	if err != nil || ref.Question == QuestionReason || ref.Question == QuestionWhy {
		return Ref{}, false
	}
	return ref, true
}

// conversationLocale: the customer's stored locale, else the platform's
// language for them, else the workspace's default.
func (e *Engine) conversationLocale(stored, platform string) string {
	for _, l := range []string{stored, platform} {
		base, _ := baseLanguage(l)
		for _, known := range Locales {
			if base == known {
				return base
			}
		}
	}
	return e.settings.textLocale("")
}

// press is a button: a score, a reason, the follow-up's skip, or the erase
// confirmation.
func (t *chatTurn) press() error {
	if t.pressed != nil {
		return t.scorePressed(*t.pressed) // scorePress said so, and run read it
	}
	if t.in.Ref == refDelete {
		if t.in.Value != valueYes {
			t.say(MsgDeleteCanceled, nil)
			return nil
		}
		t.forget = true // after the commit: erasure has its own transaction
		t.say(MsgDeleted, nil)
		return nil
	}
	ref, err := ParseRef(t.in.Ref)
	if err != nil {
		t.say(MsgHelp, nil)
		return nil
	}
	switch ref.Question {
	case QuestionReason:
		return t.reasonPressed(ref)
	case QuestionWhy:
		r, err := t.tx.Response(ref.InvitationID)
		if errors.Is(err, ErrNotFound) || (err == nil && r.CustomerID != t.cust.ExternalID) {
			t.say(MsgSurveyClosed, nil)
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case r.CommentState != CommentAwaiting:
		case t.in.Value == valueSkip:
			return t.closeFollowUp(r, "", CommentSkipped)
		case t.in.Value == "" && t.in.Text != "":
			// A comment sent with its question's Ref: the web answer page
			// (chat comments are typed, without a Ref).
			return t.closeFollowUp(r, t.in.Text, CommentGiven)
		}
		t.say(MsgAlreadyAnswer, map[string]any{"Score": r.Score})
		return nil
	}
	return nil // a score: scorePress named it, so t.pressed was set
}

// scorePressed answers the invitation run read with the customer.
func (t *chatTurn) scorePressed(p Pressed) error {
	if p.Invitation.ID == 0 || p.Invitation.CustomerID != t.cust.ExternalID {
		t.say(MsgSurveyClosed, nil)
		return nil
	}
	return t.answer(p.Invitation, t.in.Value, priorAnswer{answered: p.Answered, score: p.AnsweredScore})
}

// typed is a message that is not a command: the comment a follow-up
// awaits, else the score of the open survey, else a nudge.
func (t *chatTurn) typed() error {
	awaiting, open := t.typedRead.Awaiting, t.typedRead.Open // run read them
	hasAwaiting, hasOpen := awaiting.ID != 0, open.ID != 0
	switch {
	case hasAwaiting && hasOpen && open.SentAt.After(awaiting.AnsweredAt) && t.isNumber(t.in.Text):
		// A newer survey came after the follow-up, and this answers it
		// (an open invitation has no response).
		return t.answer(open, t.in.Text, priorAnswer{})
	case hasAwaiting:
		if t.isSkip(t.in.Text) {
			return t.closeFollowUp(awaiting, "", CommentSkipped)
		}
		return t.closeFollowUp(awaiting, t.in.Text, CommentGiven)
	case hasOpen:
		return t.answer(open, t.in.Text, priorAnswer{})
	}
	if relayed, err := t.relay(); relayed || err != nil {
		return err
	}
	switch {
	case t.isNumber(t.in.Text):
		latest, err := t.tx.LatestInvitation(t.cust.Key, t.in.From.Platform)
		if errors.Is(err, ErrNotFound) {
			t.say(MsgHelp, nil)
			return nil
		}
		if err != nil {
			return err
		}
		prior, err := t.readPrior(latest.ID)
		if err != nil {
			return err
		}
		return t.answer(latest, t.in.Text, prior)
	}
	t.say(MsgHelp, nil)
	return nil
}

// relay takes the message to the thread of the customer's alert when
// staff replied to them there and the alert still relays; the customer
// gets no automatic answer (the team does).
func (t *chatTurn) relay() (bool, error) {
	ev := AlertEvent{At: t.now, Kind: EventCustomerReply, From: FromCustomer, Locale: t.locale, Text: t.in.Text}
	a, err := t.tx.RelayToAlert(t.cust.Key, t.in.From, ev)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	text := RelayedText(t.e.settings.textLocale(""), t.cust.ExternalID, t.locale, t.in.Text)
	t.relayed = &relayPost{alert: a, text: text}
	return true, nil
}

// isNumber reports whether text is a whole number, on a scale or not.
func (t *chatTurn) isNumber(text string) bool {
	_, err := scoring.ParseAnswer(text, 0, 0)
	return err == nil || errors.Is(err, scoring.ErrAnswerOutOfRange)
}

// isSkip reports whether text declines the follow-up: "skip", or the skip
// button's label in the conversation's language.
func (t *chatTurn) isSkip(text string) bool {
	p := plainReply(text)
	return p == valueSkip || p == "/"+valueSkip || p == plainReply(t.e.settings.Text(t.locale, MsgSkip, nil))
}

// priorAnswer is what the turn read of an invitation's response before
// answering it.
type priorAnswer struct {
	answered bool
	score    int
}

// readPrior reads whether invitation id has a response.
func (t *chatTurn) readPrior(id int64) (priorAnswer, error) {
	r, err := t.tx.Response(id)
	switch {
	case err == nil:
		return priorAnswer{answered: true, score: r.Score}, nil
	case errors.Is(err, ErrNotFound):
		return priorAnswer{}, nil
	}
	return priorAnswer{}, err
}

// answer records score text (a button's value or a typed reply) for inv,
// whose response prior was read with it. The first answer wins: one
// recorded since that read makes AddResponse say ErrDuplicate.
func (t *chatTurn) answer(inv Invitation, text string, prior priorAnswer) error {
	s := t.e.settings
	if prior.answered {
		t.say(MsgAlreadyAnswer, map[string]any{"Score": prior.score})
		return nil
	}
	survey, known := s.Survey(inv.SurveyID)
	// An answer proves the prompt arrived: a "sending" invitation (the tap
	// came before the send was recorded) or an "unknown" one counts.
	delivered := inv.Status == Sent || inv.Status == Unknown || inv.Status == Sending
	if !known || t.cust.OptedOut || !delivered || !t.now.Before(inv.ExpiresAt) {
		t.say(MsgSurveyClosed, nil)
		return nil
	}
	scale := survey.Metric.Scale()
	lo, hi, _ := scale.Range()
	score, err := scoring.ParseAnswer(text, lo, hi)
	if err != nil {
		t.say(MsgInvalidAnswer, map[string]any{"Min": lo, "Max": hi})
		return nil
	}
	bucket, err := scale.Bucket(score)
	if err != nil {
		return fmt.Errorf("bucket of score %d on %s: %w", score, scale, err)
	}
	state := CommentNone
	if survey.FollowUp {
		state = CommentAwaiting
	}
	r, err := t.tx.AddResponse(Response{
		InvitationID: inv.ID,
		SurveyID:     inv.SurveyID,
		Metric:       survey.Metric,
		Score:        score,
		CommentState: state,
		Locale:       t.locale,
		Platform:     inv.To.Platform,
		AnsweredAt:   t.now,
	}, t.in.ID, raisesAlert(survey.Metric, bucket))
	if errors.Is(err, ErrDuplicate) {
		prior, err := t.tx.Response(inv.ID)
		if err != nil {
			return err
		}
		t.say(MsgAlreadyAnswer, map[string]any{"Score": prior.Score})
		return nil
	}
	if err != nil {
		return err
	}
	// The prompt to edit: the sent message as the delivery job recorded it,
	// else, when the press beat that record (the invitation is still
	// "sending"), the message the pressed button is on, as the platform
	// reported it with the press.
	msg := MessageRef(inv.MessageRef)
	if msg == "" && t.in.Value != "" {
		msg = t.in.Message
	}
	if msg != "" {
		if p, err := s.ScorePrompt(inv); err == nil {
			answered := s.Text(inv.Locale, MsgAnswer, map[string]any{"Score": r.Score})
			p.Text = scoring.AnchorRTL(s.textLocale(inv.Locale), p.Text+"\n\n"+answered)
			p.Choices = nil
			t.edit = &promptEdit{to: inv.To, ref: msg, prompt: p}
		}
	}
	here := inv
	here.Locale = t.locale
	if len(survey.Reasons) > 0 {
		return t.askReason(here)
	}
	if !survey.FollowUp {
		t.replies = append(t.replies, s.ThanksPrompt(here))
		return nil
	}
	p, err := s.BandFollowUpPrompt(here, bucket)
	if err != nil {
		return err
	}
	p.Choices = []Choice{{Label: s.Text(t.locale, MsgSkip, nil), Value: valueSkip}}
	t.replies = append(t.replies, p)
	return nil
}

// closeFollowUp records the comment (or that there is none) and thanks.
// The comment is stored as written (redaction is for what is shown, not
// what is kept), made storable by CleanText (Handle cleaned it already;
// this keeps the rule next to the write).
func (t *chatTurn) closeFollowUp(r Response, comment string, state CommentState) error {
	a := FollowUpAnswer{State: state, At: t.now}
	if state == CommentGiven {
		a.Comment = CleanText(comment)
		a.Lang, a.LangConfidence = scoring.DetectLanguage(a.Comment, t.locale)
	}
	if err := t.tx.SetComment(r.ID, a); err != nil {
		return err
	}
	t.replies = append(t.replies, t.e.settings.ThanksPrompt(Invitation{Locale: t.locale, SurveyID: r.SurveyID}))
	return nil
}

// command is a customer command from a linked chat.
func (t *chatTurn) command(cmd customerCommand) error {
	switch cmd.Name {
	case cmdStart:
		if cmd.Arg != "" {
			t.linkToken = cmd.Arg
			return nil
		}
		t.say(MsgHelp, nil)
	case cmdStop:
		if err := t.tx.SetOptedOut(t.cust.Key, true, t.now); err != nil {
			return err
		}
		t.say(MsgStopped, nil)
	case cmdResume:
		if err := t.tx.SetOptedOut(t.cust.Key, false, t.now); err != nil {
			return err
		}
		t.say(MsgResumed, nil)
	case cmdLanguage:
		base, _ := baseLanguage(cmd.Arg)
		for _, l := range Locales {
			if base == l {
				if err := t.tx.SetLocale(t.cust.Key, l); err != nil {
					return err
				}
				t.locale = l
				t.say(MsgLanguageSet, nil)
				return nil
			}
		}
		t.say(MsgLanguageList, nil)
	case cmdDelete:
		s := t.e.settings
		p := s.Reply(t.locale, MsgDeleteConfirm, nil)
		p.Ref = refDelete
		p.Choices = []Choice{
			{Label: s.Text(t.locale, MsgDeleteYes, nil), Value: valueYes},
			{Label: s.Text(t.locale, MsgDeleteNo, nil), Value: valueNo},
		}
		t.replies = append(t.replies, p)
	case cmdSkip:
		r, err := t.tx.AwaitingComment(t.cust.Key, t.now.Add(-CommentWindow))
		if errors.Is(err, ErrNotFound) {
			t.say(MsgHelp, nil)
			return nil
		}
		if err != nil {
			return err
		}
		return t.closeFollowUp(r, "", CommentSkipped)
	default:
		t.say(MsgHelp, nil)
	}
	return nil
}

// link redeems a /start token after the chatTurn committed (the store spends
// tokens in their own transaction) and says how it went.
func (t *chatTurn) link(ctx context.Context) error {
	if t.in.From.Platform == Telegram && checkIdentity(Address{Platform: Telegram, ChatID: t.in.From.ChatID}) != "" {
		// A group or channel: surveys go to one person, so the token is
		// left for the customer's private chat with the bot.
		t.say(MsgLinkInvalid, nil)
		return nil
	}
	_, err := t.e.store.RedeemLinkToken(ctx, t.linkToken, t.in.From)
	switch {
	case errors.Is(err, ErrNotFound):
		t.say(MsgLinkInvalid, nil)
	case err != nil:
		return err
	default:
		t.say(MsgLinked, nil)
	}
	return nil
}

// raisesAlert reports whether an answer needs a person's follow-up: an
// unhappy customer. Employees' eNPS answers never do: an alert naming one
// employee's score would break the survey's anonymity.
func raisesAlert(m Metric, b scoring.Bucket) bool {
	return b == scoring.Detractor && m != ENPS
}
