package surveys

import (
	"fmt"
	"hash/fnv"
	"time"
)

// Status is where an invitation is in its life.
//
//	scheduled ─► sending ─► sent
//	    │           ├─► undeliverable   (blocked, chat gone: never retried)
//	    │           └─► unknown         (ambiguous failure on a platform with no
//	    │                                idempotency key: never resent)
//	    └─► expired                     (not sent before it expired)
//	skipped                             (decided at ingestion, with a reason)
type Status string

// The invitation states.
const (
	Scheduled     Status = "scheduled"
	Sending       Status = "sending"
	Sent          Status = "sent"
	Skipped       Status = "skipped"
	Undeliverable Status = "undeliverable"
	Unknown       Status = "unknown"
	Expired       Status = "expired"
)

// Final reports whether nothing more will happen to the invitation.
func (s Status) Final() bool {
	return s == Sent || s == Skipped || s == Undeliverable || s == Unknown || s == Expired
}

// SkipReason says why a touchpoint got no survey; every skip has one.
type SkipReason string

// The skip reasons of the HTTP API.
const (
	SkipFatigue     SkipReason = "fatigue"
	SkipOptedOut    SkipReason = "opted_out"
	SkipUnreachable SkipReason = "unreachable"
	SkipSampledOut  SkipReason = "sampled_out"
	SkipNoRule      SkipReason = "no_rule"
)

// Invitation is one survey offered to one customer because of one
// touchpoint, or the record of why it was not.
type Invitation struct {
	ID           int64
	TouchpointID int64
	CustomerID   string // the customer's external id
	SurveyID     string
	Status       Status
	SkipReason   SkipReason // set when Status is Skipped
	Detail       string     // the decision in words, for every status
	To           Address
	Locale       string
	DueAt        time.Time
	ExpiresAt    time.Time
	SentAt       time.Time
	MessageRef   string
	CreatedAt    time.Time
	// WebURL is the signed link of a web invitation (To.Platform is Web),
	// for the customer to answer in a browser; "" otherwise. It is made
	// when asked for, never stored.
	WebURL string
}

// CustomerState is what the decision needs to know about a customer, read
// under a lock so that two touchpoints for the same customer decide in turn.
type CustomerState struct {
	OptedOut bool
	Locale   string
	TimeZone string
	// Identities: the ones given with this touchpoint plus those linked
	// before, except those where the customer blocked the bot.
	Identities []Address
	// Blocked are the customer's chats where they blocked the bot: never
	// chosen, they only explain why the customer is unreachable.
	Blocked []Address
	// LastSurveyAt is when the customer was last surveyed or is scheduled to
	// be (zero if never): invitations scheduled, sending, sent or unknown.
	LastSurveyAt time.Time
}

// Decision is the outcome of a touchpoint: an invitation due at DueAt, or a
// skip with its reason. Detail explains it in words a CX manager reads.
type Decision struct {
	SurveyID  string
	Skip      SkipReason
	Detail    string
	To        Address
	Locale    string
	DueAt     time.Time
	ExpiresAt time.Time
}

// Invited reports whether the decision sends a survey.
func (d Decision) Invited() bool { return d.Skip == "" }

// DefaultExpiry applies to surveys without expires_after.
const DefaultExpiry = 72 * time.Hour

// Decide applies the workspace's rules to one touchpoint, in this order:
// survey chosen (request or rule), opt-out, reachability on an enabled
// platform, fatigue, sampling, then timing (delay, quiet hours in the
// customer's time zone). It is pure: the same inputs give the same decision.
// t must have passed Validate.
func (s *Settings) Decide(t Touchpoint, st CustomerState, now time.Time) Decision {
	rule, hasRule := s.Rule(t.Type)
	d := Decision{SurveyID: t.SurveyID}
	if d.SurveyID == "" {
		if !hasRule {
			d.Skip, d.Detail = SkipNoRule, fmt.Sprintf("no touchpoint rule for type %q and no survey named in the request", t.Type)
			return d
		}
		d.SurveyID = rule.SurveyID
	}
	survey, _ := s.Survey(d.SurveyID)
	d.Locale = s.locale(t.Customer.Locale, st.Locale)

	if st.OptedOut {
		d.Skip, d.Detail = SkipOptedOut, "the customer opted out of surveys (/stop)"
		return d
	}
	to, why := s.reachable(st.Identities)
	if why != "" {
		why = blockedWhy(st, why)
	}
	web := why != "" && survey.WebLink
	if web {
		// Nobody to message: a link the caller hands on, valid from now.
		to = Address{Platform: Web, UserID: t.Customer.ExternalID}
	} else if why != "" {
		d.Skip, d.Detail = SkipUnreachable, why
		return d
	}
	d.To = to

	due := t.OccurredAt.Add(rule.Delay)
	if due.Before(now) || web {
		due = now
	}
	loc := s.location(t.Customer.TimeZone, st.TimeZone)
	quietNote := ""
	if hasRule && !rule.Quiet.IsZero() && !web {
		if moved := rule.Quiet.after(due.In(loc)); !moved.Equal(due) {
			quietNote = fmt.Sprintf(", moved out of quiet hours %s to %s their time", rule.Quiet, moved.In(loc).Format("Mon 15:04 MST"))
			due = moved
		}
	}

	if !st.LastSurveyAt.IsZero() && s.MinGap > 0 {
		gap := due.Sub(st.LastSurveyAt)
		if gap < 0 {
			gap = -gap
		}
		if gap < s.MinGap {
			d.Skip = SkipFatigue
			d.Detail = fmt.Sprintf("surveyed %s ago (%s); minimum gap %s",
				humanDuration(now.Sub(st.LastSurveyAt)), st.LastSurveyAt.In(loc).Format("2006-01-02"), humanDuration(s.MinGap))
			if st.LastSurveyAt.After(now) {
				d.Detail = fmt.Sprintf("another survey is already scheduled for %s; minimum gap %s",
					st.LastSurveyAt.In(loc).Format("2006-01-02 15:04"), humanDuration(s.MinGap))
			}
			return d
		}
	}

	if hasRule && rule.Sample > 0 && rule.Sample < 1 {
		if roll := sampleRoll(t); roll >= rule.Sample {
			d.Skip = SkipSampledOut
			d.Detail = fmt.Sprintf("not in the %.0f%% sample for %q", rule.Sample*100, t.Type)
			return d
		}
	}

	d.DueAt = due
	expiry := survey.ExpiresAfter
	if expiry <= 0 {
		expiry = DefaultExpiry
	}
	d.ExpiresAt = due.Add(expiry)
	switch {
	case web:
		d.Detail = "a web link for the customer to answer in a browser (no chat to send to: " + why + ")"
	case due.Equal(now):
		d.Detail = "sending now via " + string(to.Platform) + quietNote
	default:
		d.Detail = fmt.Sprintf("scheduled for %s their time via %s%s", due.In(loc).Format("2006-01-02 15:04"), to.Platform, quietNote)
	}
	return d
}

// after returns t if it is outside the quiet window, else the first instant
// the window ends (its end on the local wall clock, on the same or next day).
func (q QuietHours) after(t time.Time) time.Time {
	m := t.Hour()*60 + t.Minute()
	if !q.contains(m) {
		return t
	}
	y, mo, d := t.Date()
	day := 0
	if q.Start > q.End && m >= q.Start {
		day = 1 // in the evening part of a window that wraps midnight
	}
	end := time.Date(y, mo, d+day, q.End/60, q.End%60, 0, 0, t.Location())
	return q.firstOutside(t, end)
}

// firstOutside is the first instant from t on whose wall clock is outside
// the window, given end, the window's end as time.Date read it. On most days
// that is end. On a DST night the end's wall time may not exist or exist
// twice, and time.Date then picks an instant on either side of the change
// (in America/New_York, 02:30 on the spring night comes back as 01:30 EST,
// still quiet; 01:30 on the autumn night as the first pass even when t is in
// the second). The right instant is then the change itself or the end's
// other pass, so those are the candidates.
func (q QuietHours) firstOutside(t, end time.Time) time.Time {
	candidates := []time.Time{end}
	start, next := end.ZoneBounds()
	_, offset := end.Zone()
	if !start.IsZero() {
		_, before := start.Add(-time.Second).Zone()
		candidates = append(candidates, start, end.Add(time.Duration(offset-before)*time.Second))
	}
	if !next.IsZero() {
		_, after := next.Zone()
		candidates = append(candidates, next, end.Add(time.Duration(offset-after)*time.Second))
	}
	var first time.Time
	for _, c := range candidates {
		if c.Before(t) || q.contains(c.Hour()*60+c.Minute()) {
			continue
		}
		if first.IsZero() || c.Before(first) {
			first = c
		}
	}
	switch {
	case !first.IsZero():
		return first
	case end.After(t):
		return end
	}
	return t
}

// sampleRoll is a number in [0, 1) fixed by the touchpoint's identity, so a
// replayed or re-imported touchpoint is sampled the same way.
func sampleRoll(t Touchpoint) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d", t.Source, t.ExternalID, t.Customer.ExternalID, t.Type, t.OccurredAt.UnixNano())
	return float64(h.Sum64()>>11) / float64(1<<53)
}

// reachable picks the preferred enabled platform among the identities.
func (s *Settings) reachable(ids []Address) (Address, string) {
	if len(ids) == 0 {
		return Address{}, "no chat identity: give telegram_chat_id, slack_user_id or discord_user_id, or link the customer first (POST /v1/customers/{id}/links)"
	}
	for _, p := range Platforms {
		if !s.enabled(p) {
			continue
		}
		for _, a := range ids {
			if a.Platform == p {
				return a, ""
			}
		}
	}
	var have []string
	for _, a := range ids {
		have = append(have, string(a.Platform))
	}
	return Address{}, fmt.Sprintf("reachable only on %v, which has no credentials configured", have)
}

func (s *Settings) locale(given, stored string) string {
	for _, l := range []string{stored, given} {
		for _, known := range Locales {
			if l == known {
				return l
			}
		}
	}
	return s.DefaultLocale
}

func (s *Settings) location(given, stored string) *time.Location {
	for _, name := range []string{given, stored} {
		if name == "" {
			continue
		}
		if loc, err := s.zones.load(name); err == nil {
			return loc
		}
	}
	if s.Timezone != nil {
		return s.Timezone
	}
	return time.UTC
}

// humanDuration says 4 days, 3 hours or 30 days the way a person would.
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return "moments"
}
