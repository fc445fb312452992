package surveys

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Touchpoint is a moment in the customer's journey that may deserve a survey:
// "order delivered to cus_42". Systems report them; vocbot decides.
type Touchpoint struct {
	// Source is who reported it (an API token's name, "import", "ambassador");
	// with ExternalID it identifies the event so a retry is not a second event.
	Source     string
	ExternalID string // the sender's event id, "" when it gave none
	Type       string
	OccurredAt time.Time
	// SurveyID names the survey explicitly; "" lets the type's rule decide.
	SurveyID   string
	Customer   Customer
	Attributes map[string]string
}

// Customer is a person vocbot may survey, known by the company's own id.
type Customer struct {
	ExternalID string
	Name       string
	Locale     string // en, he, fa, ar, ru (others fall back to the default)
	TimeZone   string // IANA zone; "" uses the workspace's
	// Identities are the chats where the customer can be reached, as given
	// with the touchpoint; those linked earlier (deep link, /start) add to them.
	Identities []Address
}

// FieldError is one invalid field of a request, named the way the sender
// spelled it, with what to fix.
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// ValidationError lists every problem of one request.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9._:@/+-]{1,128}$`)
	typePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
	slackUser   = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	snowflake   = regexp.MustCompile(`^[0-9]{15,21}$`)
)

// Limits on what one touchpoint may carry, so one sender cannot fill the
// database with one request.
const (
	maxAttributes     = 32
	maxAttributeKey   = 64
	maxAttributeValue = 256
	maxNameLength     = 200
)

// Validate checks t against the workspace's settings and normalizes it in
// place (locale to its base language). It returns a *ValidationError.
func (s *Settings) Validate(t *Touchpoint, now time.Time) error {
	var errs []FieldError
	bad := func(field, format string, a ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, a...)})
	}
	if t.ExternalID != "" && !idPattern.MatchString(t.ExternalID) {
		bad("id", "%s must be 1–128 characters of letters, digits and ._:@/+-", Quote(t.ExternalID))
	}
	switch {
	case t.Type == "":
		bad("type", "is required, e.g. \"order_delivered\"")
	case !typePattern.MatchString(t.Type):
		bad("type", "%s must be lower-case letters, digits and _.- (at most 64)", Quote(t.Type))
	}
	if t.SurveyID != "" {
		if _, ok := s.Survey(t.SurveyID); !ok {
			bad("survey", "unknown survey %s; known: %s", Quote(t.SurveyID), s.surveyIDs())
		}
	} else if r, ok := s.Rule(t.Type); ok {
		if _, ok := s.Survey(r.SurveyID); !ok {
			bad("type", "the rule for %q names unknown survey %q; fix the configuration", t.Type, r.SurveyID)
		}
	}
	if t.OccurredAt.IsZero() {
		t.OccurredAt = now
	} else if t.OccurredAt.After(now.Add(24 * time.Hour)) {
		bad("occurred_at", "%s is more than a day in the future", t.OccurredAt.Format(time.RFC3339))
	}
	c := &t.Customer
	if p := CustomerIDProblem(c.ExternalID); p != "" {
		bad("customer.id", "%s", p)
	}
	if p := TextProblem(c.Name); p != "" {
		bad("customer.name", "%s", p)
	} else if len([]rune(c.Name)) > maxNameLength {
		bad("customer.name", "is longer than %d characters", maxNameLength)
	}
	if c.Locale != "" {
		base, ok := baseLanguage(c.Locale)
		if !ok {
			bad("customer.locale", "%s is not a language tag; use e.g. \"he\" or \"ru-RU\"", Quote(c.Locale))
		}
		c.Locale = base
	}
	if c.TimeZone != "" {
		if _, err := s.zones.load(c.TimeZone); err != nil || c.TimeZone == "Local" {
			bad("customer.timezone", "%s is not an IANA time zone; use e.g. \"Asia/Jerusalem\"", Quote(c.TimeZone))
		}
	}
	for i, id := range c.Identities {
		field := "customer." + identityField(id.Platform)
		if id.Platform == "" {
			field = fmt.Sprintf("customer.identities[%d]", i)
		}
		if err := checkIdentity(id); err != "" {
			bad(field, "%s", err)
		}
	}
	if len(t.Attributes) > maxAttributes {
		bad("attributes", "has %d keys; at most %d", len(t.Attributes), maxAttributes)
	}
	for _, k := range slices.Sorted(maps.Keys(t.Attributes)) { // sorted: the same request, the same errors
		v := t.Attributes[k]
		if p := TextProblem(k); p != "" {
			bad("attributes", "key %s %s", Quote(k), p)
			continue // the key cannot name the field of its value
		}
		if k == "" || len(k) > maxAttributeKey {
			bad("attributes", "key %s must be 1–%d bytes", Quote(k), maxAttributeKey)
		}
		if p := TextProblem(v); p != "" {
			bad("attributes."+k, "%s", p)
		} else if len(v) > maxAttributeValue {
			bad("attributes."+k, "is longer than %d bytes", maxAttributeValue)
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

func identityField(p Platform) string {
	switch p {
	case Telegram:
		return "telegram_chat_id"
	case Slack:
		return "slack_user_id"
	case Discord:
		return "discord_user_id"
	}
	return string(p)
}

func checkIdentity(a Address) string {
	switch a.Platform {
	case Telegram:
		n, err := strconv.ParseInt(a.ChatID, 10, 64)
		if err != nil {
			return fmt.Sprintf("%s is not a Telegram chat id (a positive integer)", Quote(a.ChatID))
		}
		if n <= 0 {
			// Zero is no chat; negative ids are groups and channels, which
			// are not survey recipients: a customer is a private chat.
			return fmt.Sprintf("%d is not a customer's private chat: Telegram chat ids of people are positive (negative ones are groups and channels)", n)
		}
	case Slack:
		if !slackUser.MatchString(a.UserID) {
			return fmt.Sprintf("%s is not a Slack user id (U… or W…)", Quote(a.UserID))
		}
	case Discord:
		if !snowflake.MatchString(a.UserID) {
			return fmt.Sprintf("%s is not a Discord user id (a 15–21 digit snowflake)", Quote(a.UserID))
		}
	default:
		return fmt.Sprintf("unknown platform %s", Quote(string(a.Platform)))
	}
	return ""
}

// Locales are the languages vocbot speaks.
var Locales = []string{"en", "he", "fa", "ar", "ru"}

// baseLanguage reduces a BCP 47 tag to its language ("he-IL" → "he",
// "iw" → "he"). Unsupported languages are kept; rendering falls back.
func baseLanguage(tag string) (string, bool) {
	lang, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	lang = strings.ToLower(lang)
	if len(lang) < 2 || len(lang) > 3 {
		return "", false
	}
	for _, r := range lang {
		if r < 'a' || r > 'z' {
			return "", false
		}
	}
	if lang == "iw" { // the pre-1989 code some Android clients still send
		lang = "he"
	}
	return lang, true
}

func (s *Settings) surveyIDs() string {
	ids := make([]string, len(s.Surveys))
	for i, sv := range s.Surveys {
		ids[i] = sv.ID
	}
	return strings.Join(ids, ", ")
}

// zones caches time.LoadLocation: every touchpoint names its customer's
// zone twice (validation, then the decision), and loading one parses the
// embedded tz database each time. Only zones that loaded are kept, so
// the cache holds at most the real IANA zones.
type zones struct{ m sync.Map }

func (z *zones) load(name string) (*time.Location, error) {
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	z.m.Store(name, loc)
	return loc, nil
}
