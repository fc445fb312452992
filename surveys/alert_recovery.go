package surveys

import (
	"fmt"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// A recovery survey closes the loop with a detractor: some time after the
// team resolved their alert, the customer is asked again (usually a CSAT,
// "how did we handle your issue?"). It is an ordinary invitation (same
// delivery, same conversation, an ordinary response), made in the
// transaction that resolves the alert, at most once per alert. The opt-out
// and quiet hours apply; the fatigue gap does not, because the customer is
// expecting to hear back. An alert that expires unresolved gets none.

// RecoveryPolicy is the recovery survey of an alert channel.
type RecoveryPolicy struct {
	SurveyID string
	// After is how long after the resolution the survey is due.
	After time.Duration
}

// RecoveryTouchpointType is the touchpoint type of recovery invitations;
// their responses carry it, so they are told apart from first answers (a
// low recovery answer raises an alert, but its resolution asks no second
// recovery survey).
const RecoveryTouchpointType = "alert_recovery"

// RecoverySource is the touchpoint source of recovery invitations; with
// RecoveryExternalID it is the key that makes one per alert.
const RecoverySource = "vocbot"

// RecoveryExternalID is the touchpoint id of an alert's recovery survey.
func RecoveryExternalID(alertID int64) string { return fmt.Sprintf("recovery:a%d", alertID) }

// RecoveryStatus is where an alert's recovery survey stands.
type RecoveryStatus string

// The recovery statuses of the API: scheduled (waiting for its time),
// sent, answered, skipped (opted out, unreachable; with a reason) and
// failed (undeliverable, expired unsent, or unknown).
const (
	RecoveryScheduled RecoveryStatus = "scheduled"
	RecoverySent      RecoveryStatus = "sent"
	RecoveryAnswered  RecoveryStatus = "answered"
	RecoverySkipped   RecoveryStatus = "skipped"
	RecoveryFailed    RecoveryStatus = "failed"
)

// AlertRecovery is an alert's recovery survey as stored: its invitation,
// and the answer once given.
type AlertRecovery struct {
	SurveyID     string
	InvitationID int64
	// Invitation is the invitation's status; SkipReason and Detail say why
	// it was skipped or failed.
	Invitation Status
	SkipReason SkipReason
	Detail     string
	To         Address
	DueAt      time.Time
	SentAt     time.Time
	// Answered is true once the customer answered; Metric, Score, Comment
	// and AnsweredAt are the answer.
	Answered   bool
	ResponseID int64
	Metric     Metric
	Score      int
	Comment    string
	AnsweredAt time.Time

	// Decide is set by the change that resolves the alert, never loaded:
	// the store calls it in the resolving transaction with what it knows of
	// the customer, and records the invitation it decides.
	Decide func(RecoveryInput) Decision `json:"-"`
}

// RecoveryInput is what the recovery decision needs from the store.
type RecoveryInput struct {
	Customer CustomerState
	// Chat is where the alert's survey reached the customer.
	Chat Address
	// TouchpointType is the type of the alert's touchpoint (its rule's
	// quiet hours apply).
	TouchpointType string
	// CustomerID is the customer's external id (the web link's subject).
	CustomerID string
	// Locale is the language of the alert's answer.
	Locale string
}

// Status is the recovery's reported status at now.
func (r AlertRecovery) Status(now time.Time) RecoveryStatus {
	switch {
	case r.Answered:
		return RecoveryAnswered
	case r.Invitation == Skipped:
		return RecoverySkipped
	case r.Invitation == Undeliverable || r.Invitation == Expired || r.Invitation == Unknown:
		return RecoveryFailed
	case r.Invitation == Sent && r.To.Platform == Web && now.Before(r.DueAt):
		return RecoveryScheduled // the link is handed out from its due time
	case r.Invitation == Sent:
		return RecoverySent
	}
	return RecoveryScheduled
}

// Recovered reports whether the answer is positive: in the promoter band
// of its scale (NPS and eNPS 9–10, CSAT 4–5, CES 5–7), the one definition
// the API, the export and the digest share.
func (r AlertRecovery) Recovered() bool {
	if !r.Answered {
		return false
	}
	b, err := r.Metric.Scale().Bucket(r.Score)
	return err == nil && b == scoring.Promoter
}

// planRecovery is the plan a resolution makes: nil when the channel has no
// recovery survey, the alert expired before it was resolved, the alert
// already has one, or its answer was itself a recovery answer.
func (s *Settings) planRecovery(a *Alert, touchpointType string, now time.Time) *AlertRecovery {
	p := s.AlertPolicy(a.To).Recovery
	if p == nil || a.Recovery != nil || touchpointType == RecoveryTouchpointType {
		return nil
	}
	if a.Status(now) == StatusExpired {
		return nil
	}
	resolvedAt := now
	return &AlertRecovery{
		SurveyID: p.SurveyID,
		Decide: func(in RecoveryInput) Decision {
			return s.DecideRecovery(*p, in, resolvedAt)
		},
	}
}

// DecideRecovery decides an alert's recovery survey, resolved at
// resolvedAt: opted out → skipped; the chat the alert's survey reached the
// customer in if still reachable, else their preferred chat, else a web
// link when the survey allows one, else skipped as unreachable; due After
// the resolution, moved out of the quiet hours of the alert's touchpoint
// rule (or of the first rule of the recovery survey) in the customer's
// time zone. No fatigue gap and no sampling: the customer is owed an
// answer. It is pure.
func (s *Settings) DecideRecovery(p RecoveryPolicy, in RecoveryInput, resolvedAt time.Time) Decision {
	d := Decision{SurveyID: p.SurveyID}
	survey, ok := s.Survey(p.SurveyID)
	d.Locale = s.locale(in.Locale, in.Customer.Locale)
	if !ok {
		d.Skip, d.Detail = SkipNoRule, fmt.Sprintf("the recovery survey %q is not configured", p.SurveyID)
		return d
	}
	st := in.Customer
	if st.OptedOut {
		d.Skip, d.Detail = SkipOptedOut, "the customer opted out of surveys (/stop)"
		return d
	}
	to, why := Address{}, ""
	for _, a := range st.Identities {
		if a.Platform == in.Chat.Platform && a.ChatID == in.Chat.ChatID && a.UserID == in.Chat.UserID && s.enabled(a.Platform) {
			to = a
		}
	}
	if to.Platform == "" {
		to, why = s.reachable(st.Identities)
		if why != "" {
			why = blockedWhy(st, why)
		}
	}
	web := why != "" && survey.WebLink
	if web {
		to = Address{Platform: Web, UserID: in.CustomerID}
	} else if why != "" {
		d.Skip, d.Detail = SkipUnreachable, why
		return d
	}
	d.To = to
	due := resolvedAt.Add(p.After)
	loc := s.location("", st.TimeZone)
	note := ""
	if q := s.recoveryQuiet(in.TouchpointType, p.SurveyID); !q.IsZero() && !web {
		if moved := q.after(due.In(loc)); !moved.Equal(due) {
			note = fmt.Sprintf(", moved out of quiet hours %s to %s their time", q, moved.In(loc).Format("Mon 15:04 MST"))
			due = moved
		}
	}
	d.DueAt = due
	expiry := survey.ExpiresAfter
	if expiry <= 0 {
		expiry = DefaultExpiry
	}
	d.ExpiresAt = due.Add(expiry)
	if web {
		d.Detail = fmt.Sprintf("recovery survey: a web link from %s their time (no chat to send to: %s)", due.In(loc).Format("2006-01-02 15:04"), why)
	} else {
		d.Detail = fmt.Sprintf("recovery survey: scheduled for %s their time via %s%s", due.In(loc).Format("2006-01-02 15:04"), to.Platform, note)
	}
	return d
}

// recoveryQuiet is the quiet window of a recovery survey: the one of the
// alert's touchpoint rule, else of the first rule asking the recovery
// survey.
func (s *Settings) recoveryQuiet(touchpointType, surveyID string) QuietHours {
	if r, ok := s.Rule(touchpointType); ok && !r.Quiet.IsZero() {
		return r.Quiet
	}
	for _, r := range s.Rules {
		if r.SurveyID == surveyID && !r.Quiet.IsZero() {
			return r.Quiet
		}
	}
	return QuietHours{}
}

// RecoveryURL is the signed link of an alert's web recovery survey once it
// is due and unanswered, for whoever reaches the customer; "" for a chat
// survey, before its due time, or without web links configured.
func (e *Engine) RecoveryURL(v AlertView) string {
	r := v.Alert.Recovery
	if r == nil || r.To.Platform != Web || r.Status(e.clock.Now()) != RecoverySent {
		return ""
	}
	return e.withWebURL(Invitation{ID: r.InvitationID, CustomerID: v.Response.CustomerID, SurveyID: r.SurveyID,
		Status: r.Invitation, To: r.To, DueAt: r.DueAt, SentAt: r.SentAt}).WebURL
}
