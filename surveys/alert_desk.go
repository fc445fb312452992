package surveys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// AlertStore keeps alerts. ChangeAlert runs change on the alert while it
// holds it locked; when change reports a change, the alert's new state and
// the audit entry are written in one transaction, so the log records
// exactly the changes that happened.
type AlertStore interface {
	AlertView(ctx context.Context, id int64) (AlertView, error)
	ChangeAlert(ctx context.Context, id int64, change func(a *Alert) (AuditEntry, bool)) (AlertView, bool, error)
	RecordAudit(ctx context.Context, e AuditEntry) error
}

// AlertDesk is where the team handles alerts: the buttons on an alert
// (Claim, Reply to customer, Resolve) and the commands
// "/survey reply a<id> <text>" and "/survey resolve a<id> <reason>".
// Only presses and commands from the channel an alert was posted to act on
// it: the channel's membership is who may handle its alerts.
//
// Replies go to the customer through the Engine's Sender for their
// platform, in the chat the survey reached them in. Slack has no modal in
// vocbot yet, so the reply's text comes with the command; the Reply button
// takes the alert (like Claim) and the card always shows the command.
type AlertDesk struct {
	engine  *Engine
	store   AlertStore
	posters map[Platform]AlertPoster
	log     *slog.Logger
}

// NewAlertDesk builds the desk; posters redraw alerts after a change.
func NewAlertDesk(engine *Engine, store AlertStore, posters map[Platform]AlertPoster, log *slog.Logger) *AlertDesk {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AlertDesk{engine: engine, store: store, posters: posters, log: log}
}

// Route sends presses of alert buttons to the desk and everything else to
// next. Alert refs ("a12") are never survey refs (ParseRef rejects them).
// The alert commands come through NewCommands, from every platform.
func (d *AlertDesk) Route(next Handler) Handler {
	return alertRoute{desk: d, next: next}
}

type alertRoute struct {
	desk *AlertDesk
	next Handler
}

func (r alertRoute) Handle(ctx context.Context, in Incoming) error {
	in = in.Clean()
	if _, ok := ParseAlertRef(in.Ref); ok && in.Value != "" {
		return r.desk.Handle(ctx, in)
	}
	return r.next.Handle(ctx, in)
}

// ErrAlertElsewhere is returned for a press or command about an alert that
// was not posted in the chat it came from.
var ErrAlertElsewhere = errors.New("that alert was posted in another channel")

// Handle is a press of one of an alert's buttons. A repeated press (a
// double click, a redelivery) changes nothing and records nothing.
func (d *AlertDesk) Handle(ctx context.Context, in Incoming) error {
	in = in.Clean()
	id, ok := ParseAlertRef(in.Ref)
	if !ok {
		return fmt.Errorf("alert button %s: %s is not an alert ref", in.ID, Quote(in.Ref))
	}
	var err error
	switch {
	case in.Value == AlertClaimValue, in.Value == AlertReplyValue:
		_, err = d.Claim(ctx, id, in.From)
	case in.Value == alertHandledValue:
		_, err = d.Resolve(ctx, id, in.From, AlertReasonHandled)
	case in.Value == alertNoActionValue:
		_, err = d.Resolve(ctx, id, in.From, AlertReasonNoAction)
	default:
		reason, ok := parseReasonValue(in.Value, d.engine.settings.AlertPolicy(in.From).Reasons)
		if !ok {
			return nil // a button of a later release (or a reason no longer configured): nothing to do
		}
		_, err = d.Resolve(ctx, id, in.From, reason)
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrAlertElsewhere) {
		d.log.Warn("alert button ignored", "ref", in.Ref, "from", in.From.String(), "err", err)
		return nil
	}
	return err
}

// Claim assigns the alert to by, unless it is resolved or already theirs.
// Someone else's claim is taken over (the audit log says who had it).
func (d *AlertDesk) Claim(ctx context.Context, id int64, by Address) (AlertView, error) {
	return d.change(ctx, id, by, func(a *Alert, now time.Time) (AuditEntry, bool) {
		if a.State == AlertResolved || (a.State == AlertClaimed && a.Assignee == staff(by)) {
			return AuditEntry{}, false
		}
		detail := "claimed"
		if a.State == AlertClaimed {
			detail = "taken over from " + AmbassadorKey(a.Assignee)
		}
		a.State, a.Assignee, a.ClaimedAt = AlertClaimed, staff(by), now
		a.Timeline = append(a.Timeline, AlertEvent{At: now, Kind: EventClaimed, From: FromAgent, Who: staff(by)})
		return AuditEntry{Action: "alert.claim", Detail: detail}, true
	})
}

// ErrUnknownReason is returned for a resolution reason that is not one of
// the channel's configured reasons.
var ErrUnknownReason = errors.New("not one of the configured resolution reasons")

// Resolve closes the alert with a reason: one of the channel's configured
// reasons when it has some, else AlertReasonHandled, AlertReasonNoAction
// or the staff's words. Resolving again changes nothing.
func (d *AlertDesk) Resolve(ctx context.Context, id int64, by Address, reason string) (AlertView, error) {
	reason = strings.TrimSpace(reason)
	if reasons := d.engine.settings.AlertPolicy(by).Reasons; len(reasons) > 0 {
		known, ok := knownReason(reason, reasons)
		if !ok {
			return AlertView{}, ErrUnknownReason
		}
		reason = known
	}
	if reason == "" {
		reason = AlertReasonHandled
	}
	reason = shortText(reason)
	touchpointType := ""
	if d.engine.settings.AlertPolicy(by).Recovery != nil {
		// A recovery answer's alert asks no second recovery survey.
		v, err := d.store.AlertView(ctx, id)
		if err != nil {
			return AlertView{}, fmt.Errorf("resolve alert %d: %w", id, err)
		}
		touchpointType = v.Response.TouchpointType
	}
	return d.change(ctx, id, by, func(a *Alert, now time.Time) (AuditEntry, bool) {
		if a.State == AlertResolved {
			return AuditEntry{}, false
		}
		a.Recovery = d.engine.settings.planRecovery(a, touchpointType, now)
		a.State, a.Assignee, a.Resolution, a.ResolvedAt = AlertResolved, staff(by), reason, now
		if a.ClaimedAt.IsZero() {
			a.ClaimedAt = now
		}
		a.Timeline = append(a.Timeline, AlertEvent{At: now, Kind: EventResolved, From: FromAgent, Who: staff(by), Text: reason})
		return AuditEntry{Action: "alert.resolve", Detail: reason}, true
	})
}

// Reply relays text to the alert's customer, in their chat and language
// ("Reply from the Acme team:"), then records it: the alert is claimed by
// by if it was open, its reply count goes up, and the audit log records the
// reply (not its text). A failed delivery is audited as failed.
func (d *AlertDesk) Reply(ctx context.Context, id int64, by Address, text string) (AlertView, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return AlertView{}, errors.New("reply: the text is empty")
	}
	v, err := d.store.AlertView(ctx, id)
	if err != nil {
		return AlertView{}, fmt.Errorf("reply to alert %d: %w", id, err)
	}
	if !sameChat(v.Alert.To, by) {
		return v, ErrAlertElsewhere
	}
	sender, _ := d.engine.replySender(v.Customer.Platform)
	if sender == nil || (v.Customer.ChatID == "" && v.Customer.UserID == "") {
		return v, fmt.Errorf("reply to alert %d: the customer's chat on %q cannot be reached from this process", id, v.Customer.Platform)
	}
	s := d.engine.settings
	p := AlertReplyText(s.textLocale(v.Response.Locale), s.Product, text)
	if _, serr := sender.Send(ctx, v.Customer, p); serr != nil {
		e := AuditEntry{At: d.engine.clock.Now(), Actor: AmbassadorKey(by), Platform: by.Platform, Action: "alert.reply",
			Target: "alert:" + strconv.FormatInt(id, 10), Result: "failed", Detail: serr.Error()}
		if aerr := d.store.RecordAudit(context.WithoutCancel(ctx), e); aerr != nil {
			d.log.Error("audit a failed alert reply", "alert_id", id, "err", aerr)
		}
		return v, fmt.Errorf("reply to alert %d: %w", id, serr)
	}
	window := d.engine.settings.AlertPolicy(v.Alert.To).relayWindow()
	return d.change(ctx, id, by, func(a *Alert, now time.Time) (AuditEntry, bool) {
		a.Replies++
		if a.State == AlertOpen {
			a.State, a.Assignee, a.ClaimedAt = AlertClaimed, staff(by), now
			a.Timeline = append(a.Timeline, AlertEvent{At: now, Kind: EventClaimed, From: FromAgent, Who: staff(by)})
		}
		if a.FirstReplyAt.IsZero() {
			a.FirstReplyAt = now
		}
		a.LastAgentAt = now
		if a.State != AlertResolved {
			// The customer's answers come back to the thread from now on.
			a.RelayUntil = now.Add(window)
		}
		a.Timeline = append(a.Timeline, AlertEvent{At: now, Kind: EventAgentReply, From: FromAgent, Who: staff(by), Text: text})
		return AuditEntry{Action: "alert.reply", Detail: fmt.Sprintf("relayed to the customer on %s (%d characters)", v.Customer.Platform, len([]rune(text)))}, true
	})
}

// change applies one state change under the store's lock, audits it and
// redraws the alert message when something changed.
func (d *AlertDesk) change(ctx context.Context, id int64, by Address, f func(a *Alert, now time.Time) (AuditEntry, bool)) (AlertView, error) {
	now := d.engine.clock.Now()
	elsewhere := false
	v, changed, err := d.store.ChangeAlert(ctx, id, func(a *Alert) (AuditEntry, bool) {
		if !sameChat(a.To, by) {
			elsewhere = true
			return AuditEntry{}, false
		}
		e, ok := f(a, now)
		e.At, e.Actor, e.Platform = now, AmbassadorKey(by), by.Platform
		e.Target, e.Result = "alert:"+strconv.FormatInt(id, 10), "ok"
		return e, ok
	})
	if err != nil {
		return v, fmt.Errorf("change alert %d: %w", id, err)
	}
	if elsewhere {
		return v, ErrAlertElsewhere
	}
	if changed {
		d.redraw(ctx, v)
	}
	return v, nil
}

// redraw updates the alert message in place; a failure is logged, the
// change stands, and the next change redraws it again.
func (d *AlertDesk) redraw(ctx context.Context, v AlertView) {
	p := d.posters[v.Alert.To.Platform]
	if p == nil || v.Alert.MessageRef == "" {
		return
	}
	v.Locale = d.engine.settings.textLocale("")
	v.Reasons = d.engine.settings.AlertPolicy(v.Alert.To).Reasons
	v.Title = d.engine.settings.Title(v.Response.SurveyID, v.Locale)
	if err := p.UpdateAlert(ctx, v.Alert.To, v.Alert.MessageRef, v); err != nil {
		d.log.Warn("could not redraw the alert message", "alert_id", v.Alert.ID, "err", err)
	}
}

// staff is the person behind an address, whatever chat they wrote in.
func staff(a Address) Address { return Address{Platform: a.Platform, UserID: a.UserID} }

func sameChat(a, b Address) bool { return a.Platform == b.Platform && a.ChatID == b.ChatID }

// IsAlertCommand reports whether text (what follows /survey) is an alert
// command: "reply a<id> <text>" or "resolve a<id> [reason]".
func IsAlertCommand(text string) bool {
	verb, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	ref, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	_, ok := ParseAlertRef(ref)
	return ok && (verb == "reply" || verb == "resolve")
}

// Command runs an alert command (see IsAlertCommand) and words the answer
// for the person who typed it. The error is for vocbot's own failures.
func (d *AlertDesk) Command(ctx context.Context, from Address, text string) (string, error) {
	from, text = from.clean(), CleanText(text) // a relayed reply is stored in the timeline
	verb, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	ref, arg, _ := strings.Cut(strings.TrimSpace(rest), " ")
	id, ok := ParseAlertRef(ref)
	if !ok {
		return fmt.Sprintf("Usage: %s a<alert> <text>, or %s a<alert> <reason>.", AlertReplyCommand, AlertResolveCommand), nil
	}
	var err error
	var done string
	switch verb {
	case "reply":
		if strings.TrimSpace(arg) == "" {
			return fmt.Sprintf("Write the reply after the alert: %s %s <text>.", AlertReplyCommand, ref), nil
		}
		_, err = d.Reply(ctx, id, from, arg)
		done = "Sent to the customer."
	case "resolve":
		_, err = d.Resolve(ctx, id, from, arg)
		done = "Resolved."
	default:
		return fmt.Sprintf("Usage: %s a<alert> <text>, or %s a<alert> <reason>.", AlertReplyCommand, AlertResolveCommand), nil
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Sprintf("There is no alert %s.", ref), nil
	case errors.Is(err, ErrAlertElsewhere):
		return fmt.Sprintf("Alert %s was posted in another channel: run the command there.", ref), nil
	case errors.Is(err, ErrUnknownReason):
		reasons := d.engine.settings.AlertPolicy(from).Reasons
		return fmt.Sprintf("Resolve with one of this channel's reasons (%s), e.g. %s %s %s.",
			strings.Join(reasons, ", "), AlertResolveCommand, ref, reasons[0]), nil
	case err != nil && verb == "reply":
		return fmt.Sprintf("The reply did not reach the customer: %v", err), nil
	case err != nil:
		return "", err
	}
	return done, nil
}
