package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones work in scratch containers and on hosts without zoneinfo
)

// The parsers below check one value each. Their errors are phrased to follow
// "where: " (a variable name or file:line: key path) and say what to write.

// parseDuration reads Go's duration syntax ("72h", "1h30m") extended with a
// leading count of days ("30d", "1d12h"), because operators think of survey
// expiry and fatigue in days. Negative durations are refused.
func parseDuration(s string) (time.Duration, error) {
	const hint = "write a duration like 72h, 90m or 30d"
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%q is negative; use 0 or more", s)
	}
	rest := s
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 { // Go's units never contain a d
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || !allDigits(s[:i]) {
			return 0, fmt.Errorf("%q is not a duration; %s", s, hint)
		}
		if n > int64(math.MaxInt64/(24*time.Hour)) {
			return 0, fmt.Errorf("%q is too long", s)
		}
		days, rest = time.Duration(n)*24*time.Hour, s[i+1:]
		if rest == "" {
			return days, nil
		}
		if rest[0] == '-' || rest[0] == '+' {
			return 0, fmt.Errorf("%q is not a duration; %s", s, hint)
		}
	}
	d, err := time.ParseDuration(rest)
	if err != nil {
		if _, nerr := strconv.ParseFloat(rest, 64); nerr == nil {
			return 0, fmt.Errorf("%q has no unit; %s", s, hint)
		}
		return 0, fmt.Errorf("%q is not a duration; %s", s, hint)
	}
	if d > math.MaxInt64-days {
		return 0, fmt.Errorf("%q is too long", s)
	}
	return days + d, nil
}

// formatDuration writes d in Go syntax without zero tails: 72h, 1h30m, 45s.
// parseDuration reads it back.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// parseTimeOfDay reads "HH:MM" (24-hour clock; "9:00" is accepted too).
func parseTimeOfDay(s string) (TimeOfDay, error) {
	bad := fmt.Errorf("%q is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00", s)
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !allDigits(h) || !allDigits(m) {
		return 0, bad
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 23 || mm > 59 {
		return 0, bad
	}
	return TimeOfDay(hh*60 + mm), nil
}

// parseQuietHours reads "HH:MM-HH:MM". The window may wrap midnight; an empty
// window (start = end) is refused because it would mean either nothing or
// the whole day.
func parseQuietHours(s string) (QuietHours, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("%q is not a window; write HH:MM-HH:MM, e.g. \"21:00-09:00\"", s)
	}
	start, err := parseTimeOfDay(strings.TrimSpace(from))
	if err != nil {
		return QuietHours{}, err
	}
	end, err := parseTimeOfDay(strings.TrimSpace(to))
	if err != nil {
		return QuietHours{}, err
	}
	if start == end {
		return QuietHours{}, fmt.Errorf("%q starts and ends at the same time; remove quiet_hours or widen the window", s)
	}
	return QuietHours{Start: start, End: end}, nil
}

// parseTarget reads "slack:C…", "slack:G…", "discord:<snowflake>" or
// "telegram:<chat id>".
func parseTarget(s string) (Target, error) {
	const forms = "write slack:CHANNEL_ID, discord:CHANNEL_ID or telegram:CHAT_ID"
	p, id, ok := strings.Cut(s, ":")
	if !ok {
		return Target{}, fmt.Errorf("%q has no platform; %s", s, forms)
	}
	switch Platform(p) {
	case PlatformSlack:
		if !slackID(id, "CG") {
			return Target{}, fmt.Errorf("%q: a Slack channel id starts with C or G followed by capital letters and digits, e.g. slack:C0123ABC", s)
		}
	case PlatformDiscord:
		if !snowflake(id) {
			return Target{}, fmt.Errorf("%q: a Discord channel id is a number, e.g. discord:123456789012345678", s)
		}
	case PlatformTelegram:
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n == 0 || strconv.FormatInt(n, 10) != id {
			return Target{}, fmt.Errorf("%q: a Telegram chat id is a non-zero integer, e.g. telegram:-1001234567890", s)
		}
	default:
		return Target{}, fmt.Errorf("%q: unknown platform %q; %s", s, p, forms)
	}
	return Target{Platform: Platform(p), ID: id}, nil
}

// slackID reports whether s looks like a Slack id starting with one of first.
func slackID(s, first string) bool {
	if len(s) < 2 || len(s) > 32 || !strings.ContainsRune(first, rune(s[0])) {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// snowflake reports whether s is a Discord id: a non-zero uint64 in decimal.
func snowflake(s string) bool {
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n > 0 && strconv.FormatUint(n, 10) == s
}

// checkID validates a survey or digest id: what the renderer prints and
// commands accept (/survey stats nps-delivery), so kept to [a-z0-9_-].
func checkID(s string) error {
	if s == "" {
		return errors.New("is empty; use lower-case letters, digits, - and _")
	}
	if len(s) > 64 {
		return fmt.Errorf("%q is longer than 64 characters", s)
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return fmt.Errorf("%q may contain only lower-case letters, digits, - and _", s)
		}
	}
	return nil
}

// touchpointTypePattern is the API's rule for a touchpoint's type (package
// surveys, which config may not import; TestTouchpointTypeRule pins the same
// examples, and a test in cmd/vocbot checks both agree). A rule for a type
// the API refuses could never fire.
var touchpointTypePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// checkTouchpointType validates a touchpoint type the way the API does.
func checkTouchpointType(s string) error {
	switch {
	case s == "":
		return errors.New("is empty; name the touchpoint type the API receives, e.g. order_delivered")
	case len(s) > 64:
		return fmt.Errorf("%q is longer than 64 characters", s)
	case !touchpointTypePattern.MatchString(s):
		return fmt.Errorf("%q is not a type the API accepts; use lower-case letters, digits and _ . - (starting with a letter or digit), e.g. order_delivered", s)
	}
	return nil
}

// checkLocale validates a language code against the supported locales.
func checkLocale(s string) error {
	if !slices.Contains(locales, s) {
		return fmt.Errorf("%q is not a supported locale; use one of %s", s, strings.Join(locales, ", "))
	}
	return nil
}

// weekdays are the day names of digests' days, in time.Weekday order.
var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// parseWeekday reads a three-letter day name, case-insensitively.
func parseWeekday(s string) (time.Weekday, error) {
	i := slices.Index(weekdays, strings.ToLower(s))
	if i < 0 {
		return 0, fmt.Errorf("%q is not a day; use sun, mon, tue, wed, thu, fri or sat", s)
	}
	return time.Weekday(i), nil
}

// loadLocation resolves an IANA zone name. "Local" is refused: it would
// silently depend on the host, which the file is meant to be independent of.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%q is not a time zone; use an IANA name such as Europe/Berlin or UTC", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not a known time zone; use an IANA name such as Asia/Jerusalem or UTC", name)
	}
	return loc, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// oneOf formats the allowed values of an enumeration for an error message.
func oneOf[T ~string](vals []T) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
