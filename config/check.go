package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// apply checks what the walk read against the rest of the file (required
// keys, repeats, references, ranges that depend on other keys) and sets it
// over the defaults in c. Sections go in dependency order, not file order:
// references to surveys need the surveys first, and digests default to the
// top-level time zone and locale. A value the walk could not read keeps its
// default and is not checked further: its problem is already reported.
func (d *decoder) apply(f *fileConfig, c *Config) {
	p := f.Pos
	if p.ok("product") {
		c.Product = string(f.Product)
	}
	if p.ok("timezone") {
		c.Timezone = f.Timezone.loc
	}
	if p.ok("default_locale") {
		c.DefaultLocale = string(f.DefaultLocale)
	}
	index := map[string]int{}
	for i, s := range c.Surveys {
		index[s.ID] = i
	}
	d.surveys(f.Surveys, c, index)
	refs := &surveyRefs{d: d, c: c, index: index}
	d.touchpoints(f.Touchpoints, c, refs)
	if f.Fatigue.Pos.ok("min_gap") {
		c.Fatigue.MinGap = time.Duration(f.Fatigue.MinGap)
	}
	d.digests(f.Digests, c, refs)
	d.alerts(f.Alerts, c, refs)
	d.ambassadors(f.Ambassadors, &c.Ambassadors)
	d.enps(f.ENPS, &c.ENPS)
	if f.Digits.Pos.ok("ar") {
		c.Digits.Arabic = string(f.Digits.Arabic)
	}
	if f.Digits.Pos.ok("fa") {
		c.Digits.Persian = string(f.Digits.Persian)
	}
	if p.has("web_link_fallback") && d.required(f.WebLinkFallback.Pos, "web_link_fallback", "url", "write the https address vocbot posts web links to, e.g. url: https://crm.example.com/hooks/vocbot") &&
		f.WebLinkFallback.Pos.ok("url") {
		c.WebLinkFallback.URL = string(f.WebLinkFallback.URL)
	}
}

// required reports a missing key of the item at path.
func (d *decoder) required(p position, path, key, hint string) bool {
	if p.has(key) {
		return true
	}
	d.errorf(p.node, path, "missing %s; %s", key, hint)
	return false
}

func (d *decoder) surveys(list []fileSurvey, c *Config, index map[string]int) {
	seen := map[string]int{}
	for _, f := range list {
		p := f.Pos
		path := fmt.Sprintf("surveys[%d]", p.index)
		if !d.required(p, path, "id", "give the survey an id such as nps-delivery") || !p.ok("id") {
			continue
		}
		id := string(f.ID)
		if line, dup := seen[id]; dup {
			d.errorf(p.at("id"), path+".id", "%q is already the id of the survey on line %d; ids must be unique", id, line)
			continue
		}
		seen[id] = p.at("id").Line
		builtin, isBuiltin := index[id]
		s := newSurvey(id, "")
		if isBuiltin {
			// Redefining a built-in keeps its metric unless told otherwise:
			// "- id: nps" with a question is how its wording is changed.
			s.Metric = c.Surveys[builtin].Metric
		}
		if p.ok("metric") {
			s.Metric = f.Metric
		} else if !p.has("metric") && s.Metric == "" {
			d.errorf(p.node, path, "missing metric; use one of %s", oneOf(metrics))
		}
		for l, w := range f.Question {
			s.Question[string(l)] = string(w)
		}
		if p.ok("follow_up") {
			s.FollowUp = f.FollowUp
		}
		if p.ok("web_link") {
			s.WebLink = f.WebLink
		}
		if p.ok("expires_after") {
			if v := time.Duration(f.ExpiresAfter); v <= 0 {
				d.errorf(p.at("expires_after"), path+".expires_after", "must be more than 0, e.g. 72h")
			} else {
				s.ExpiresAfter = v
			}
		}
		if p.ok("reminder_after") {
			if v := time.Duration(f.ReminderAfter); v >= s.ExpiresAfter {
				d.errorf(p.at("reminder_after"), path+".reminder_after", "%s is not before expires_after (%s); remind earlier, or remove reminder_after for no reminder", formatDuration(v), formatDuration(s.ExpiresAfter))
			} else {
				s.ReminderAfter = v
			}
		}
		d.surveyWording(f, path, &s)
		if isBuiltin {
			c.Surveys[builtin] = s
		} else {
			index[id] = len(c.Surveys)
			c.Surveys = append(c.Surveys, s)
		}
	}
}

// surveyRefs checks references to surveys, in constant time however long
// the lists.
type surveyRefs struct {
	d     *decoder
	c     *Config
	index map[string]int
}

// check reports whether r names a defined survey.
func (s *surveyRefs) check(r surveyRef, path string) bool {
	if _, ok := s.index[r.id]; ok {
		return true
	}
	ids := make([]string, len(s.c.Surveys))
	for i, sv := range s.c.Surveys {
		ids[i] = sv.ID
	}
	hint, best := "", 3
	for _, id := range ids {
		// Only an id clearly close: a typo, not a different short name.
		if dist := editDistance(r.id, id); dist < best && 2*dist < len(r.id) {
			hint, best = " (did you mean "+strconv.Quote(id)+"?)", dist
		}
	}
	if len(ids) > 8 {
		ids = append(ids[:8], "…")
	}
	s.d.errorf(r.node, path, "no survey has id %q%s; defined: %s", r.id, hint, strings.Join(ids, ", "))
	return false
}

func (d *decoder) touchpoints(list []fileTouchpoint, c *Config, refs *surveyRefs) {
	seen := map[string]int{}
	for _, f := range list {
		p := f.Pos
		path := fmt.Sprintf("touchpoints[%d]", p.index)
		t := Touchpoint{Sample: 1}
		if d.required(p, path, "type", "name the touchpoint type the API receives, e.g. order_delivered") && p.ok("type") {
			s := string(f.Type)
			if line, dup := seen[s]; dup {
				d.errorf(p.at("type"), path+".type", "%q already has a rule on line %d; one rule per type", s, line)
			} else {
				seen[s] = p.at("type").Line
				t.Type = s
			}
		}
		if d.required(p, path, "survey", "name the survey this touchpoint triggers") && p.ok("survey") && refs.check(f.Survey, path+".survey") {
			t.Survey = f.Survey.id
		}
		if p.ok("delay") {
			t.Delay = time.Duration(f.Delay)
		}
		if p.ok("sample") {
			t.Sample = float64(f.Sample)
		}
		if p.ok("quiet_hours") {
			t.QuietHours = f.QuietHours
		}
		c.Touchpoints = append(c.Touchpoints, t)
	}
}

func (d *decoder) digests(list []fileDigest, c *Config, refs *surveyRefs) {
	const channels = "name the channel, e.g. slack:C0123ABC, discord:123456789012345678 or telegram:-1001234567890"
	seen := map[string]int{}
	for _, f := range list {
		p := f.Pos
		path := fmt.Sprintf("digests[%d]", p.index)
		g := Digest{
			Timezone: c.Timezone,
			Days:     []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
			Quotes:   defaultQuotes,
			Locale:   c.DefaultLocale,
		}
		if d.required(p, path, "id", "give the digest an id such as daily-voc") && p.ok("id") {
			id := string(f.ID)
			if line, dup := seen[id]; dup {
				d.errorf(p.at("id"), path+".id", "%q is already the id of the digest on line %d; ids must be unique", id, line)
			} else {
				seen[id] = p.at("id").Line
				g.ID = id
			}
		}
		if d.required(p, path, "to", channels) && p.ok("to") {
			g.To = f.To
		}
		if d.required(p, path, "at", `give the local time to post it, e.g. "09:00"`) && p.ok("at") {
			g.At = f.At
		}
		if p.ok("timezone") {
			g.Timezone = f.Timezone.loc
		}
		if p.ok("days") {
			if len(p.at("days").Content) == 0 {
				d.errorf(p.at("days"), path+".days", "no days; list at least one, or remove days for every day")
			} else {
				var set [7]bool
				for _, wd := range f.Days {
					if set[wd.day] {
						d.errorf(wd.node, fmt.Sprintf("%s.days[%d]", path, wd.i), "%s is listed twice", wd.text)
					}
					set[wd.day] = true
				}
				g.Days = nil
				for wd, on := range set {
					if on {
						g.Days = append(g.Days, time.Weekday(wd))
					}
				}
			}
		}
		if p.ok("surveys") {
			if len(p.at("surveys").Content) == 0 {
				d.errorf(p.at("surveys"), path+".surveys", "no surveys; list at least one, or remove surveys for all of them")
			}
			listed := map[string]bool{}
			for _, r := range f.Surveys {
				sub := fmt.Sprintf("%s.surveys[%d]", path, r.i)
				switch {
				case !refs.check(r, sub):
				case listed[r.id]:
					d.errorf(r.node, sub, "%q is listed twice", r.id)
				default:
					listed[r.id] = true
					g.Surveys = append(g.Surveys, r.id)
				}
			}
		}
		if p.ok("quotes") {
			if f.Quotes < 0 || f.Quotes > 10 {
				d.errorf(p.at("quotes"), path+".quotes", "%d is out of range; use 0 to 10", f.Quotes)
			} else {
				g.Quotes = f.Quotes
			}
		}
		if p.ok("locale") {
			g.Locale = string(f.Locale)
		}
		listed := map[string]bool{}
		for _, a := range f.Breakdowns {
			if listed[a.name] {
				d.errorf(a.node, fmt.Sprintf("%s.breakdowns[%d]", path, a.i), "%q is listed twice", a.name)
				continue
			}
			listed[a.name] = true
			g.Breakdowns = append(g.Breakdowns, a.name)
		}
		if p.ok("post_when_empty") {
			g.PostWhenEmpty = f.PostWhenEmpty
		}
		c.Digests = append(c.Digests, g)
	}
}

func (d *decoder) alerts(list []fileAlert, c *Config, refs *surveyRefs) {
	type key struct {
		to Target
		on AlertOn
	}
	seen := map[key]int{}
	for _, f := range list {
		p := f.Pos
		path := fmt.Sprintf("alerts[%d]", p.index)
		a := Alert{On: Detractor, RelayWindow: 168 * time.Hour}
		toOK := d.required(p, path, "to", "name the channel, e.g. slack:C0123ABC, discord:123456789012345678 or telegram:-1001234567890") && p.ok("to")
		if toOK {
			a.To = f.To
		}
		if p.ok("on") {
			a.On = f.On
		}
		if p.ok("first_reply_within") { // a duration is never negative
			a.FirstReplyWithin = time.Duration(f.FirstReplyWithin)
		}
		if p.ok("relay_window") {
			if v := time.Duration(f.RelayWindow); v <= 0 {
				d.errorf(p.at("relay_window"), path+".relay_window", "must be more than 0, e.g. 168h")
			} else {
				a.RelayWindow = v
			}
		}
		if p.ok("reasons") {
			listed := map[string]bool{}
			for i, r := range f.Reasons {
				if listed[string(r)] {
					d.errorf(p.at("reasons"), fmt.Sprintf("%s.reasons[%d]", path, i), "%q is listed twice", string(r))
					continue
				}
				listed[string(r)] = true
				a.Reasons = append(a.Reasons, string(r))
			}
		}
		if p.ok("recovery") {
			a.Recovery = d.recovery(f.Recovery, path+".recovery", refs)
		}
		if toOK {
			k := key{a.To, a.On}
			if line, dup := seen[k]; dup {
				d.errorf(p.node, path, "the alert on line %d already posts %s to %s", line, a.On, a.To)
				continue
			}
			seen[k] = p.node.Line
		}
		c.Alerts = append(c.Alerts, a)
	}
}

// recovery checks alerts[].recovery; nil when it is not usable.
func (d *decoder) recovery(f fileRecovery, path string, refs *surveyRefs) *Recovery {
	p := f.Pos
	r := &Recovery{After: 48 * time.Hour}
	ok := d.required(p, path, "survey", "name the survey to send after the resolution, e.g. {survey: csat, after: 48h}") && p.ok("survey") && refs.check(f.Survey, path+".survey")
	if ok {
		r.Survey = f.Survey.id
	}
	if p.ok("after") {
		if v := time.Duration(f.After); v <= 0 {
			d.errorf(p.at("after"), path+".after", "must be more than 0, e.g. 48h")
			ok = false
		} else {
			r.After = v
		}
	} else if p.has("after") {
		ok = false
	}
	if !ok {
		return nil
	}
	return r
}

func (d *decoder) ambassadors(f fileAmbassadors, a *Ambassadors) {
	for _, u := range f.SlackUsers {
		a.SlackUsers = append(a.SlackUsers, string(u))
	}
	for _, r := range f.DiscordRoles {
		a.DiscordRoles = append(a.DiscordRoles, string(r))
	}
	for _, u := range f.DiscordUsers {
		a.DiscordUsers = append(a.DiscordUsers, string(u))
	}
	for _, u := range f.TelegramUsers {
		a.TelegramUsers = append(a.TelegramUsers, int64(u))
	}
	if f.Pos.ok("daily_quota") {
		if v := f.DailyQuota; v < 1 || v > 1_000_000 {
			d.errorf(f.Pos.at("daily_quota"), "ambassadors.daily_quota", "%d is out of range; use 1 or more invitations per ambassador per day", v)
		} else {
			a.DailyQuota = v
		}
	}
}

func (d *decoder) enps(f fileENPS, e *ENPS) {
	if f.Pos.ok("anonymity_threshold") {
		if v := f.AnonymityThreshold; v < 3 || v > 10 {
			d.errorf(f.Pos.at("anonymity_threshold"), "enps.anonymity_threshold", "%d is out of range; use 3 to 10", v)
		} else {
			e.AnonymityThreshold = v
			e.CommentThreshold = max(e.CommentThreshold, v)
		}
	}
	if f.Pos.ok("comment_threshold") {
		if v := f.CommentThreshold; v < e.AnonymityThreshold || v > 100 {
			d.errorf(f.Pos.at("comment_threshold"), "enps.comment_threshold", "%d is out of range; use anonymity_threshold (%d) to 100", v, e.AnonymityThreshold)
		} else {
			e.CommentThreshold = v
		}
	}
}
