package surveys

import (
	"context"
	"embed"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/vocbot/vocbot/scoring"
)

// An alert tells the team about an unhappy customer as soon as they answer
// with a low score: the score, their comment (personal data redacted), who
// they are and which touchpoint it was, with buttons to claim it, reply to
// the customer in their own chat, and resolve it with a reason. Every
// change redraws the alert message in place and is written to the audit
// log; open alerts waiting longer than a target are counted in the digest.

// AlertState is where the team stands with an alert.
type AlertState string

// The states of an alert: open (nobody took it), claimed (someone is on
// it), resolved (done, with a reason).
const (
	AlertOpen     AlertState = "open"
	AlertClaimed  AlertState = "claimed"
	AlertResolved AlertState = "resolved"
)

// DefaultAlertWaitTarget is how long an alert may stay unresolved before
// the digest counts it as waiting ("3 unhappy customers waiting more than
// 24 h"). The configuration has no setting for it yet.
const DefaultAlertWaitTarget = 24 * time.Hour

// AlertCommentWait is how long the alert waits for the customer's comment
// after a low score, so that it posts once, with the comment, within a
// minute. A comment that comes later (within CommentWindow) is shown by
// redrawing the posted alert in place.
const AlertCommentWait = 45 * time.Second

// Alert is one low-score response posted to one channel.
type Alert struct {
	ID         int64
	ResponseID int64
	// To is the channel it is posted to; MessageRef its message there.
	To         Address
	MessageRef MessageRef
	State      AlertState
	// Assignee is who claimed (or resolved) it, as a chat user.
	Assignee   Address
	Resolution string
	// Replies counts the messages relayed to the customer.
	Replies    int
	CreatedAt  time.Time
	PostedAt   time.Time
	ClaimedAt  time.Time
	ResolvedAt time.Time
	// FirstReplyAt and LastAgentAt are the first and the latest staff reply
	// to the customer; RelayUntil is when relaying the customer's messages
	// to the thread stops (zero before any reply).
	FirstReplyAt time.Time
	LastAgentAt  time.Time
	RelayUntil   time.Time
	// Timeline holds the stored steps, oldest first. A change appends to it;
	// the store writes the entries it did not have.
	Timeline []AlertEvent
	// Recovery is the follow-up survey made when the alert was resolved;
	// nil when none was. A change that resolves the alert sets it with its
	// Decide function, and the store records the invitation.
	Recovery *AlertRecovery
}

// Ref is the alert's reference on its buttons: "a" and the id.
func (a Alert) Ref() string { return alertRefPrefix + strconv.FormatInt(a.ID, 10) }

const alertRefPrefix = "a"

// ParseAlertRef reads an alert id from an alert's Ref ("a12"); ok is false
// for survey refs and anything else.
func ParseAlertRef(ref string) (id int64, ok bool) {
	digits, found := strings.CutPrefix(ref, alertRefPrefix)
	if !found || digits == "" || len(digits) > 19 || digits[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	return id, true
}

// AlertView is an alert with what it shows: the response and the
// customer's chat (where replies are relayed).
type AlertView struct {
	Alert    Alert
	Response Response
	// Customer is the chat the survey reached the customer in.
	Customer Address
	// Locale is the staff's language for the card; "" is English.
	Locale string
	// Reasons are the configured resolution reasons, one button each.
	Reasons []string
	// Title is the survey's display title in Locale ("Delivery NPS");
	// "" shows the survey's id.
	Title string
}

// AlertPoster is the capability of an adapter to post an alert to a team
// channel and to redraw it in place when its state changes.
type AlertPoster interface {
	PostAlert(ctx context.Context, to Address, v AlertView) (MessageRef, error)
	UpdateAlert(ctx context.Context, to Address, ref MessageRef, v AlertView) error
}

// Values of the alert buttons (Choice.Value; the Ref is the alert's). They
// fit Telegram's callback data (8 bytes a value).
const (
	AlertClaimValue    = "claim"
	AlertReplyValue    = "reply"
	alertHandledValue  = "done"
	alertNoActionValue = "noaction"
)

// The reasons of the Resolve buttons, as recorded; a reason typed with
// AlertResolveCommand is recorded as written.
const (
	AlertReasonHandled  = "handled"
	AlertReasonNoAction = "no_action"
)

// AlertReplyCommand is how staff reply to the customer of an alert: the
// slash command, the alert's Ref and the text.
const AlertReplyCommand = "/survey reply"

// AlertResolveCommand resolves an alert with a reason in the staff's words.
const AlertResolveCommand = "/survey resolve"

// AlertStyle is how an adapter writes outside text and people in its
// markup: Escape for text (comments, reasons), Mention for a chat user.
// Zero functions leave text as it is and write users as their ids.
type AlertStyle struct {
	Escape  func(string) string
	Mention func(Address) string
}

// AlertCard is an alert worded in the staff's language, ready for an
// adapter to render natively: the one place alert text is written.
type AlertCard struct {
	Title string
	// Comment is the customer's comment, redacted, or a note that there is none.
	Comment string
	// Fields are the customer, the touchpoint and its attributes.
	Fields []string
	// Status says who has it, or how it was resolved.
	Status string
	// Hint tells how to reply to the customer; "" once resolved.
	Hint    string
	Choices []Choice
	Ref     string
	Dir     TextDirection
	Locale  string
}

// Text is the card as plain text.
func (c AlertCard) Text() string {
	parts := []string{c.Title, c.Comment}
	parts = append(parts, c.Fields...)
	parts = append(parts, c.Status)
	if c.Hint != "" {
		parts = append(parts, c.Hint)
	}
	return scoring.AnchorRTL(c.Locale, strings.Join(parts, "\n"))
}

// Card words the alert for the staff.
func (v AlertView) Card(style AlertStyle) AlertCard {
	esc := style.Escape
	if esc == nil {
		esc = func(s string) string { return s }
	}
	who := style.Mention
	if who == nil {
		who = func(a Address) string { return a.UserID }
	}
	f := newAlertFormat(v.Locale)
	r := v.Response
	c := AlertCard{Locale: f.lang, Ref: v.Alert.Ref()}
	if scoring.IsRTL(f.lang) {
		c.Dir = RTL
	}
	title := v.Title
	if title == "" {
		title = r.SurveyID
	}
	c.Title = f.text("alert.title", map[string]any{"Metric": strings.ToUpper(string(r.Metric)), "Score": r.Score, "Survey": esc(title)})
	switch comment := strings.TrimSpace(r.Comment); {
	case r.CommentState == CommentGiven && comment != "":
		red := scoring.Redact(comment, r.Locale)
		c.Comment = f.text("alert.comment", map[string]any{"Comment": esc(red.Text)})
	case r.CommentState == CommentAwaiting:
		c.Comment = f.text("alert.comment.awaiting", nil)
	default:
		c.Comment = f.text("alert.comment.none", nil)
	}
	c.Fields = append(c.Fields, f.text("alert.customer", map[string]any{"Customer": esc(r.CustomerID), "Platform": string(v.Customer.Platform)}))
	if r.TouchpointType != "" {
		c.Fields = append(c.Fields, f.text("alert.touchpoint", map[string]any{"Touchpoint": esc(r.TouchpointType)}))
	}
	for _, k := range slices.Sorted(maps.Keys(r.Attributes)) {
		c.Fields = append(c.Fields, esc(k)+": "+esc(r.Attributes[k]))
	}
	a := v.Alert
	switch a.State {
	case AlertResolved:
		c.Status = f.text("alert.status.resolved", map[string]any{"Who": who(a.Assignee), "Reason": esc(f.reason(a.Resolution))})
	case AlertClaimed:
		c.Status = f.text("alert.status.claimed", map[string]any{"Who": who(a.Assignee)})
	default:
		c.Status = f.text("alert.status.open", nil)
	}
	if a.Replies > 0 {
		c.Status += " · " + f.text("alert.replies", map[string]any{"N": a.Replies})
	}
	if a.State == AlertResolved {
		return c
	}
	c.Hint = f.text("alert.hint", map[string]any{"Command": AlertReplyCommand + " " + a.Ref() + " …"})
	if a.State == AlertOpen {
		c.Choices = append(c.Choices, Choice{Label: f.text("alert.button.claim", nil), Value: AlertClaimValue})
	}
	c.Choices = append(c.Choices, Choice{Label: f.text("alert.button.reply", nil), Value: AlertReplyValue})
	if len(v.Reasons) == 0 {
		c.Choices = append(c.Choices,
			Choice{Label: f.text("alert.button.handled", nil), Value: alertHandledValue},
			Choice{Label: f.text("alert.button.noaction", nil), Value: alertNoActionValue},
		)
		return c
	}
	for i, r := range v.Reasons {
		c.Choices = append(c.Choices, Choice{Label: f.text("alert.button.reason", map[string]any{"Reason": r}), Value: reasonValue(i)})
	}
	return c
}

// The alert's wordings live in locales/alert.<locale>.json: the card and
// the staff's replies, the customer's reply prefix, and the digest's line.

//go:embed locales/alert.*.json
var alertFiles embed.FS

var alertCatalog = sync.OnceValue(func() map[string]*i18n.Localizer { return mustLoadCatalog(alertFiles, "alert") })

type alertFormat struct {
	lang string
	loc  *i18n.Localizer
}

func newAlertFormat(locale string) alertFormat {
	lang, _ := baseLanguage(locale)
	loc, ok := alertCatalog()[lang]
	if !ok {
		lang, loc = defaultLocale, alertCatalog()[defaultLocale]
	}
	return alertFormat{lang: lang, loc: loc}
}

func (f alertFormat) text(id string, data map[string]any) string {
	s, err := f.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil && s == "" {
		return id
	}
	return s
}

// reason words a button's reason; a typed reason stays as written.
func (f alertFormat) reason(r string) string {
	switch r {
	case AlertReasonHandled:
		return f.text("alert.reason.handled", nil)
	case AlertReasonNoAction:
		return f.text("alert.reason.noaction", nil)
	}
	return r
}

// AlertReplyText is what the customer receives when staff reply to their
// alert: a line naming the team, in the customer's language, then the text.
func AlertReplyText(locale, product, text string) Prompt {
	f := newAlertFormat(locale)
	if product == "" {
		product = "vocbot"
	}
	p := Prompt{Text: scoring.AnchorRTL(f.lang, f.text("alert.reply.prefix", map[string]any{"Product": product})+"\n\n"+text)}
	if scoring.IsRTL(f.lang) {
		p.Dir = RTL
	}
	return p
}

// WaitingAlertsLine is the digest's line about unhappy customers waiting
// longer than target; "" when there are none.
func WaitingAlertsLine(locale string, n int, target time.Duration) string {
	if n <= 0 {
		return ""
	}
	f := newAlertFormat(locale)
	return f.text("alert.digest.waiting", map[string]any{"N": n, "Hours": int(target.Hours())})
}

// WaitingAlertsCounter is the optional capability of a DigestStore to count
// unresolved alerts raised before since, for the digest's waiting line.
type WaitingAlertsCounter interface {
	WaitingAlerts(ctx context.Context, since time.Time) (int, error)
}

func (d DigestSpec) alertWaitTarget() time.Duration {
	if d.AlertWaitTarget > 0 {
		return d.AlertWaitTarget
	}
	return DefaultAlertWaitTarget
}

// UnresolvedAlert is an alert nobody has resolved yet, with what the
// customer answered: the dashboard lists them.
type UnresolvedAlert struct {
	Alert    Alert
	SurveyID string
	Score    int
}
