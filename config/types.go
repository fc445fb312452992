package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The value types of the file's schema. Each reads one YAML value and checks
// it on its own (yaml.Unmarshaler), and writes itself back the way the file
// spells it (yaml.Marshaler), so vocbot config check prints a file that
// loads. Their errors follow "file:line: key.path: ". Checks that need more
// than the value (ranges that depend on another key, references, repeats)
// are in check.go.

// scalarText reads a scalar as text. Numbers are taken as written (an id may
// be 123); true/false and null are refused, being almost always a mistake.
func scalarText(n *yaml.Node) (string, error) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!timestamp":
			return n.Value, nil
		case "!!bool":
			return "", fmt.Errorf("expected text, got %s; put it in quotes if you mean the word", n.Value)
		}
	}
	return "", fmt.Errorf("expected text, got %s", describe(n))
}

// textValue reads n as text and checks it with parse.
func textValue[T any](n *yaml.Node, parse func(string) (T, error)) (T, error) {
	s, err := scalarText(n)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(s)
}

// productName is the product's name, one line.
type productName string

func (p *productName) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if strings.ContainsAny(s, "\r\n") || len([]rune(s)) > 100 {
		return fmt.Errorf("write the product or company name on one line, at most 100 characters")
	}
	*p = productName(s)
	return nil
}

// zone is an IANA time zone; the zero value is "not given".
type zone struct{ loc *time.Location }

func (z *zone) UnmarshalYAML(n *yaml.Node) error {
	loc, err := textValue(n, loadLocation)
	if err != nil {
		return err
	}
	z.loc = loc
	return nil
}

func (z zone) MarshalYAML() (any, error) {
	if z.loc == nil {
		return "UTC", nil
	}
	return z.loc.String(), nil
}

// locale is a language vocbot has wordings for.
type locale string

func (l *locale) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if err := checkLocale(s); err != nil {
		return err
	}
	*l = locale(s)
	return nil
}

// noun names a locale used as a mapping key in messages.
func (locale) noun() string { return "locale" }

// wording is a question text; it may not be empty.
type wording string

func (w *wording) UnmarshalYAML(n *yaml.Node) error {
	if isNull(n) {
		return fmt.Errorf("the wording is missing; write it or remove the line")
	}
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("the wording is empty; write it or remove the line")
	}
	*w = wording(s)
	return nil
}

// wordings are a survey's per-locale question overrides.
type wordings map[locale]wording

// shape is what a wrong value is told to be instead.
func (wordings) shape() string { return `a mapping of locale to text, e.g. {en: "…", he: "…"}` }

// itemID is the id of a survey or a digest.
type itemID string

func (i *itemID) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if err := checkID(s); err != nil {
		return err
	}
	*i = itemID(s)
	return nil
}

func (m *Metric) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, metrics)
	*m = v
	return err
}

func (a *AlertOn) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, alertEvents)
	*a = v
	return err
}

// enum reads one of vals.
func enum[T ~string](n *yaml.Node, vals []T) (T, error) {
	s, err := scalarText(n)
	if err != nil {
		return "", err
	}
	if !slices.Contains(vals, T(s)) {
		return "", fmt.Errorf("%q is not one of %s", s, oneOf(vals))
	}
	return T(s), nil
}

// alertEvents are the values of alerts[].on.
var alertEvents = []AlertOn{Detractor}

// digitStyle is how numbers are written in a locale with its own digits.
type digitStyle string

var digitStyles = []digitStyle{"native", "latin"}

func (s *digitStyle) UnmarshalYAML(n *yaml.Node) error {
	v, err := enum(n, digitStyles)
	*s = v
	return err
}

// duration is a duration in Go's syntax, or with days (see parseDuration).
type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := textValue(n, parseDuration)
	*d = duration(v)
	return err
}

func (d duration) MarshalYAML() (any, error) { return formatDuration(time.Duration(d)), nil }

// touchpointType is a touchpoint type as the API accepts it.
type touchpointType string

func (t *touchpointType) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if err := checkTouchpointType(s); err != nil {
		return err
	}
	*t = touchpointType(s)
	return nil
}

// surveyRef names a survey; check.go checks that it exists, and needs the
// node to say where it does not.
type surveyRef struct {
	id   string
	node *yaml.Node
	i    int
}

func (r *surveyRef) place(i int) { r.i = i }

func (r *surveyRef) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	r.id, r.node = s, n
	return err
}

func (r surveyRef) MarshalYAML() (any, error) { return r.id, nil }

// share is a fraction of touchpoints, in (0, 1].
type share float64

func (s *share) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		return fmt.Errorf("expected a number, got %s", quoteScalar(n))
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		return fmt.Errorf("expected a number, got %s", quoteScalar(n))
	}
	if !(f > 0 && f <= 1) {
		return fmt.Errorf("%s is not a share; use more than 0 and at most 1 (1 asks everyone)", n.Value)
	}
	*s = share(f)
	return nil
}

func (q *QuietHours) UnmarshalYAML(n *yaml.Node) error {
	v, err := textValue(n, parseQuietHours)
	*q = v
	return err
}

func (q QuietHours) MarshalYAML() (any, error) { return q.String(), nil }

func (t *Target) UnmarshalYAML(n *yaml.Node) error {
	v, err := textValue(n, parseTarget)
	*t = v
	return err
}

func (t Target) MarshalYAML() (any, error) { return t.String(), nil }

func (t *TimeOfDay) UnmarshalYAML(n *yaml.Node) error {
	v, err := textValue(n, parseTimeOfDay)
	*t = v
	return err
}

func (t TimeOfDay) MarshalYAML() (any, error) { return t.String(), nil }

// weekday is a day of digests[].days, with its spelling and place for the
// message about a repeat.
type weekday struct {
	day  time.Weekday
	text string
	node *yaml.Node
	i    int
}

func (w *weekday) place(i int) { w.i = i }

func (w *weekday) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	day, err := parseWeekday(s)
	*w = weekday{day: day, text: s, node: n}
	return err
}

func (w weekday) MarshalYAML() (any, error) { return weekdays[w.day], nil }

// attribute is a touchpoint attribute name a digest breaks down by.
type attribute struct {
	name string
	node *yaml.Node
	i    int
}

func (a *attribute) place(i int) { a.i = i }

// attributeName is a touchpoint attribute key a digest may break down by.
var attributeName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func (a *attribute) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if !attributeName.MatchString(s) {
		return fmt.Errorf("%q is not a touchpoint attribute name; use 1–64 letters, digits and _.- as in the touchpoints' attributes", s)
	}
	*a = attribute{name: s, node: n}
	return nil
}

func (a attribute) MarshalYAML() (any, error) { return a.name, nil }

// slackUser is a Slack user id.
type slackUser string

func (u *slackUser) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if !slackID(s, "UW") {
		return fmt.Errorf("%q is not a Slack user id; copy it from the profile (⋮ → Copy member ID), e.g. U0123ABC", s)
	}
	*u = slackUser(s)
	return nil
}

// discordRole is a Discord role snowflake.
type discordRole string

func (r *discordRole) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if !snowflake(s) {
		return fmt.Errorf("%q is not a Discord role id; with Developer Mode on, right-click the role → Copy Role ID", s)
	}
	*r = discordRole(s)
	return nil
}

// discordUser is a Discord user snowflake.
type discordUser string

func (u *discordUser) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	if !snowflake(s) {
		return fmt.Errorf("%q is not a Discord user id; with Developer Mode on, right-click the user → Copy User ID", s)
	}
	*u = discordUser(s)
	return nil
}

// telegramUser is a Telegram user id.
type telegramUser int64

func (u *telegramUser) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%q is not a Telegram user id; it is a positive number, e.g. 111111", s)
	}
	*u = telegramUser(id)
	return nil
}

// hookURL is an outbound webhook's address: absolute http(s), no fragment.
type hookURL string

func (u *hookURL) UnmarshalYAML(n *yaml.Node) error {
	v, err := textValue(n, func(s string) (string, error) {
		p, err := url.Parse(s)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.Opaque != "" {
			return "", fmt.Errorf("%q is not an absolute http(s) URL; write e.g. https://crm.example.com/hooks/vocbot", maskURL(s))
		}
		if p.Fragment != "" || strings.Contains(s, "#") {
			return "", fmt.Errorf("%q has a fragment; remove it", maskURL(s))
		}
		return s, nil
	})
	if err != nil {
		return err
	}
	*u = hookURL(v)
	return nil
}
