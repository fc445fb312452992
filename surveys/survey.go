package surveys

import (
	"fmt"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// Platform is a chat app vocbot talks to people in.
type Platform string

// The platforms with adapters, in the order vocbot prefers them when a
// customer is reachable on several: customers answer in Telegram first.
const (
	Telegram Platform = "telegram"
	Slack    Platform = "slack"
	Discord  Platform = "discord"
)

// Platforms lists every platform in order of preference.
var Platforms = []Platform{Telegram, Slack, Discord}

// Address is where a message goes on one platform: a chat (Telegram chat id,
// Slack DM or channel, Discord DM channel) and, where it differs, a user.
type Address struct {
	Platform Platform
	ChatID   string
	UserID   string
}

// String is "telegram:123456" for logs; it holds no personal data beyond ids.
func (a Address) String() string {
	if a.ChatID != "" {
		return string(a.Platform) + ":" + a.ChatID
	}
	return string(a.Platform) + ":user:" + a.UserID
}

// Metric is what a survey measures.
type Metric string

// The four metrics; eNPS is NPS about the workplace.
const (
	NPS  Metric = "nps"
	CSAT Metric = "csat"
	CES  Metric = "ces"
	ENPS Metric = "enps"
)

// Scale is the answer scale of the metric (scoring owns ranges and buckets).
func (m Metric) Scale() scoring.ScaleID {
	switch m {
	case NPS:
		return scoring.NPS
	case ENPS:
		return scoring.ENPS
	case CSAT:
		return scoring.CSAT
	case CES:
		return scoring.CES2
	}
	return ""
}

// Survey is one question vocbot can ask, and how long the invitation to
// answer it stays open.
type Survey struct {
	ID     string
	Metric Metric
	// Question overrides the built-in wording per locale; "" keeps it.
	Question map[string]string
	// FollowUp asks "why?" after the score.
	FollowUp bool
	// ExpiresAfter is how long after sending an answer is still taken.
	ExpiresAfter time.Duration
	// ReminderAfter sends at most one reminder; 0 means none.
	ReminderAfter time.Duration
	// WebLink gives customers with no reachable chat a web invitation (a
	// signed link to answer in a browser) instead of skipping them.
	WebLink bool
	// Title names the survey per locale where people read about it:
	// digests, stats, the dashboard. Without one the id stands for it.
	Title map[string]string
	// FollowUpQuestion replaces the built-in "why?" per score band, then
	// per locale; band 0 holds the question for every band. A band or
	// locale not given keeps the built-in question.
	FollowUpQuestion map[scoring.Bucket]map[string]string
	// Thanks replaces the built-in thank-you per locale.
	Thanks map[string]string
	// Reasons are buttons offered after the score ("what was it mostly
	// about?"); the one tapped is stored with the response.
	Reasons []Reason
}

// Rule maps a touchpoint type to the survey it triggers and when.
type Rule struct {
	Type     string
	SurveyID string
	// Delay is how long after the touchpoint occurred the survey goes out.
	Delay time.Duration
	// Sample is the share of touchpoints that get a survey, in (0, 1].
	Sample float64
	// Quiet holds no sends in the recipient's local time.
	Quiet QuietHours
}

// QuietHours is a daily window of local wall-clock time, in minutes after
// midnight; it may wrap midnight (21:00–09:00). Start == End means none.
type QuietHours struct{ Start, End int }

// IsZero reports whether there are no quiet hours.
func (q QuietHours) IsZero() bool { return q.Start == q.End }

// contains reports whether minute-of-day m is quiet.
func (q QuietHours) contains(m int) bool {
	switch {
	case q.IsZero():
		return false
	case q.Start < q.End:
		return m >= q.Start && m < q.End
	default:
		return m >= q.Start || m < q.End
	}
}

func (q QuietHours) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.Start/60, q.Start%60, q.End/60, q.End%60)
}

// Settings are the workspace's survey rules, taken from the configuration.
type Settings struct {
	Product       string
	DefaultLocale string
	Timezone      *time.Location
	Surveys       []Survey
	Rules         []Rule
	// MinGap is the fatigue window: at most one survey per customer per gap,
	// across every platform and survey.
	MinGap time.Duration
	// Enabled lists the platforms with credentials; others cannot deliver.
	Enabled []Platform
	// Alerts are the policies of the alert channels.
	Alerts []AlertPolicy

	zones zones // time zones already loaded, by name
}

// Survey finds a survey by id.
func (s *Settings) Survey(id string) (Survey, bool) {
	for _, sv := range s.Surveys {
		if sv.ID == id {
			return sv, true
		}
	}
	return Survey{}, false
}

// Rule finds the rule for a touchpoint type.
func (s *Settings) Rule(touchpointType string) (Rule, bool) {
	for _, r := range s.Rules {
		if r.Type == touchpointType {
			return r, true
		}
	}
	return Rule{}, false
}

func (s *Settings) enabled(p Platform) bool {
	for _, e := range s.Enabled {
		if e == p {
			return true
		}
	}
	return false
}
