package surveys

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// Closing the loop: once staff reply to an unhappy customer from the alert,
// the customer's next messages in their chat go back to the alert's thread
// (marked with who wrote them and their language) until the alert is
// resolved or the relay window passes after the last staff reply. Every
// step (claimed, each reply either way, reminders, resolution) is kept on
// the alert's timeline, so the team can see how fast and how well each
// unhappy customer was answered.

// DefaultRelayWindow is how long after the last staff reply the
// customer's messages are relayed to the alert's thread.
const DefaultRelayWindow = 168 * time.Hour

// AlertPolicy is how the team works the alerts of one channel.
type AlertPolicy struct {
	To Address
	// FirstReplyWithin is the target for the first reply to the customer;
	// 0 has none.
	FirstReplyWithin time.Duration
	// RelayWindow is how long after the last staff reply the customer's
	// messages go back to the thread; 0 means DefaultRelayWindow.
	RelayWindow time.Duration
	// Reasons are the resolution reasons offered (ids such as refund,
	// fixed); none lets staff resolve as handled / no action or in their
	// own words.
	Reasons []string
	// Recovery is the survey sent to the customer some time after the
	// alert is resolved; nil sends none.
	Recovery *RecoveryPolicy
}

func (p AlertPolicy) relayWindow() time.Duration {
	if p.RelayWindow > 0 {
		return p.RelayWindow
	}
	return DefaultRelayWindow
}

// AlertPolicy is the policy of the alerts posted to the channel to.
func (s *Settings) AlertPolicy(to Address) AlertPolicy {
	for _, p := range s.Alerts {
		if p.To.Platform == to.Platform && p.To.ChatID == to.ChatID {
			return p
		}
	}
	return AlertPolicy{To: to}
}

// AlertStatus is where an alert is in its life, as reported: open,
// claimed, replied (staff answered the customer), resolved, or expired
// (answered, but the relay window passed without a resolution).
type AlertStatus string

// The reported statuses of an alert.
const (
	StatusOpen     AlertStatus = "open"
	StatusClaimed  AlertStatus = "claimed"
	StatusReplied  AlertStatus = "replied"
	StatusResolved AlertStatus = "resolved"
	StatusExpired  AlertStatus = "expired"
)

// Status is the alert's reported status at now.
func (a Alert) Status(now time.Time) AlertStatus {
	switch {
	case a.State == AlertResolved:
		return StatusResolved
	case !a.RelayUntil.IsZero() && !now.Before(a.RelayUntil):
		return StatusExpired
	case !a.FirstReplyAt.IsZero():
		return StatusReplied
	case a.State == AlertClaimed:
		return StatusClaimed
	}
	return StatusOpen
}

// Relaying reports whether the customer's messages go to the thread at now.
func (a Alert) Relaying(now time.Time) bool {
	return a.State != AlertResolved && !a.RelayUntil.IsZero() && now.Before(a.RelayUntil)
}

// AlertEventKind is one step on an alert's timeline.
type AlertEventKind string

// The steps of an alert's timeline. Opened and expired are not stored:
// they come from the alert's creation and its relay window.
const (
	EventOpened        AlertEventKind = "opened"
	EventClaimed       AlertEventKind = "claimed"
	EventAgentReply    AlertEventKind = "agent_reply"
	EventCustomerReply AlertEventKind = "customer_reply"
	EventReminder      AlertEventKind = "reminder"
	EventResolved      AlertEventKind = "resolved"
	EventExpired       AlertEventKind = "expired"
	// EventRecoverySent and EventRecoveryAnswer come from the recovery
	// survey: when it reached the customer, and their answer ("CSAT 5"
	// and the comment).
	EventRecoverySent   AlertEventKind = "recovery_sent"
	EventRecoveryAnswer AlertEventKind = "recovery_answer"
)

// Who wrote a timeline entry.
const (
	FromAgent    = "agent"
	FromCustomer = "customer"
	FromVocbot   = "vocbot"
)

// AlertEvent is one entry of an alert's timeline.
type AlertEvent struct {
	At   time.Time
	Kind AlertEventKind
	// From is FromAgent, FromCustomer or FromVocbot; Who the agent.
	From string
	Who  Address
	// Locale is the language of a customer's message.
	Locale string
	Text   string
}

// FullTimeline is the alert's whole story at now: opened, the stored steps,
// and expired when the relay window passed without a resolution.
func (a Alert) FullTimeline(now time.Time) []AlertEvent {
	out := []AlertEvent{{At: a.CreatedAt, Kind: EventOpened, From: FromVocbot}}
	out = append(out, a.Timeline...)
	if a.Status(now) == StatusExpired {
		out = append(out, AlertEvent{At: a.RelayUntil, Kind: EventExpired, From: FromVocbot})
	}
	if r := a.Recovery; r != nil {
		if st := r.Status(now); (st == RecoverySent || st == RecoveryAnswered) && !r.SentAt.IsZero() {
			out = append(out, AlertEvent{At: r.SentAt, Kind: EventRecoverySent, From: FromVocbot, Text: r.SurveyID})
		}
		if r.Answered {
			text := strings.ToUpper(string(r.Metric)) + " " + strconv.Itoa(r.Score)
			if r.Comment != "" {
				text += ": " + r.Comment
			}
			out = append(out, AlertEvent{At: r.AnsweredAt, Kind: EventRecoveryAnswer, From: FromCustomer, Text: text})
		}
	}
	return out
}

// ThreadPoster is the capability of an adapter to post a message in the
// thread of a posted alert (a Slack thread, a Discord or Telegram reply to
// the alert message): the customer's answers are relayed there.
type ThreadPoster interface {
	PostInThread(ctx context.Context, to Address, alertRef MessageRef, text string) error
}

// RelayedText is how a customer's message reads in the alert's thread:
// who wrote it and in which language, then the message as written.
func RelayedText(staffLocale, customerID, customerLocale, text string) string {
	f := newAlertFormat(staffLocale)
	if customerLocale == "" {
		customerLocale = "?"
	}
	head := f.text("alert.relay.customer", map[string]any{"Customer": customerID, "Locale": customerLocale})
	return scoring.AnchorRTL(f.lang, head) + "\n" + text
}

// reasonValue is the button value of the configured reason i ("r0"…), short
// enough for Telegram's callback data.
func reasonValue(i int) string { return reasonValuePrefix + strconv.Itoa(i) }

const reasonValuePrefix = "r"

func parseReasonValue(v string, reasons []string) (string, bool) {
	digits, ok := strings.CutPrefix(v, reasonValuePrefix)
	if !ok {
		return "", false
	}
	i, err := strconv.Atoi(digits)
	if err != nil || i < 0 || i >= len(reasons) {
		return "", false
	}
	return reasons[i], true
}

// knownReason is r as one of the configured reasons, ignoring case.
func knownReason(r string, reasons []string) (string, bool) {
	i := slices.IndexFunc(reasons, func(x string) bool { return strings.EqualFold(x, r) })
	if i < 0 {
		return "", false
	}
	return reasons[i], true
}

// ReminderText is the one reminder posted in an alert's thread when its
// first-reply target passed without a reply to the customer.
func ReminderText(staffLocale string, within time.Duration) string {
	f := newAlertFormat(staffLocale)
	hours := strconv.FormatFloat(within.Hours(), 'f', -1, 64)
	return scoring.AnchorRTL(f.lang, f.text("alert.reminder", map[string]any{"Hours": hours}))
}
