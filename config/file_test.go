package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// decode runs the file decoder on content named vocbot.yaml over the
// defaults and returns the config and the error lines.
func decode(t *testing.T, content string) (*Config, []string) {
	t.Helper()
	c := Default()
	var lines []string
	for _, err := range decodeFile("vocbot.yaml", []byte(content), c) {
		lines = append(lines, err.Error())
	}
	return c, lines
}

// y joins lines into a YAML document, so fixtures show their line numbers
// by position.
func y(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func mustLocation(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestFileFull(t *testing.T) {
	t.Parallel()
	c, errs := decode(t, y(
		"product: Acme",
		"timezone: Asia/Jerusalem",
		"default_locale: he",
		"surveys:",
		"  - id: nps-delivery",
		"    metric: nps",
		`    question: {en: "How likely…", he: "עד כמה…"}`,
		"    follow_up: false",
		"    expires_after: 3d",
		"    reminder_after: 1d12h",
		"  - id: csat", // redefines the built-in, keeping its metric
		`    question: {ru: "Как вам?"}`,
		"touchpoints:",
		"  - type: order_delivered",
		"    survey: nps-delivery",
		"    delay: 2h",
		"    sample: 0.25",
		`    quiet_hours: "21:00-09:00"`,
		"  - type: ticket.closed",
		"    survey: ces",
		"fatigue:",
		"  min_gap: 14d",
		"digests:",
		"  - id: daily-voc",
		"    to: slack:C0123ABC",
		`    at: "9:30"`,
		"    days: [FRI, mon, sun]",
		"    surveys: [nps-delivery]",
		"    quotes: 0",
		"  - id: team",
		"    to: telegram:-1001234567890",
		`    at: "17:00"`,
		"    timezone: Asia/Tehran",
		"    locale: fa",
		"alerts:",
		"  - to: discord:123456789012345678",
		"  - to: slack:G0PRIVATE",
		"    on: detractor",
		"    first_reply_within: 4h",
		"    relay_window: 72h",
		"    reasons: [refund, fixed, no_action]",
		"    recovery: {survey: csat}",
		"ambassadors:",
		"  slack_users: [U0123, W0456]",
		`  discord_roles: ["1234567890", 9876543210]`,
		"  discord_users: [812345678901234567]",
		"  telegram_users: [111111, 222]",
		"  daily_quota: 7",
		"enps:",
		"  anonymity_threshold: 9", // raises the default comment threshold 8 to 9
		"digits: {ar: latin}",
	))
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	jerusalem, tehran := mustLocation(t, "Asia/Jerusalem"), mustLocation(t, "Asia/Tehran")
	want := Default()
	want.Product = "Acme"
	want.Timezone = jerusalem
	want.DefaultLocale = "he"
	want.Surveys[1] = Survey{ID: "csat", Metric: MetricCSAT, Question: map[string]string{"ru": "Как вам?"}, FollowUp: true, ExpiresAfter: 72 * time.Hour}
	want.Surveys = append(want.Surveys, Survey{
		ID: "nps-delivery", Metric: MetricNPS, Question: map[string]string{"en": "How likely…", "he": "עד כמה…"},
		FollowUp: false, ExpiresAfter: 72 * time.Hour, ReminderAfter: 36 * time.Hour,
	})
	want.Touchpoints = []Touchpoint{
		{Type: "order_delivered", Survey: "nps-delivery", Delay: 2 * time.Hour, Sample: 0.25, QuietHours: QuietHours{Start: 21 * 60, End: 9 * 60}},
		{Type: "ticket.closed", Survey: "ces", Sample: 1},
	}
	want.Fatigue.MinGap = 14 * 24 * time.Hour
	want.Digests = []Digest{
		{ID: "daily-voc", To: Target{PlatformSlack, "C0123ABC"}, At: 9*60 + 30, Timezone: jerusalem,
			Days: []time.Weekday{time.Sunday, time.Monday, time.Friday}, Surveys: []string{"nps-delivery"}, Quotes: 0, Locale: "he"},
		{ID: "team", To: Target{PlatformTelegram, "-1001234567890"}, At: 17 * 60, Timezone: tehran,
			Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6}, Quotes: 5, Locale: "fa"},
	}
	want.Alerts = []Alert{
		{To: Target{PlatformDiscord, "123456789012345678"}, On: Detractor, RelayWindow: 168 * time.Hour},
		{To: Target{PlatformSlack, "G0PRIVATE"}, On: Detractor, FirstReplyWithin: 4 * time.Hour, RelayWindow: 72 * time.Hour,
			Reasons: []string{"refund", "fixed", "no_action"}, Recovery: &Recovery{Survey: "csat", After: 48 * time.Hour}},
	}
	want.Ambassadors = Ambassadors{
		SlackUsers: []string{"U0123", "W0456"}, DiscordRoles: []string{"1234567890", "9876543210"}, DiscordUsers: []string{"812345678901234567"},
		TelegramUsers: []int64{111111, 222}, DailyQuota: 7,
	}
	want.ENPS = ENPS{AnonymityThreshold: 9, CommentThreshold: 9}
	want.Digits = Digits{Arabic: "latin", Persian: "native"}
	if diff := cmp.Diff(want, c, cmpLocations); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestFileEmpty(t *testing.T) {
	t.Parallel()
	for _, content := range []string{"", "\n", "# only a comment\n", "---\n", "~\n", "{}\n", "surveys:\ntouchpoints: ~\n"} {
		c, errs := decode(t, content)
		if errs != nil {
			t.Errorf("%q: errors %v", content, errs)
			continue
		}
		if diff := cmp.Diff(Default(), c, cmpLocations); diff != "" {
			t.Errorf("%q: config differs from defaults (-want +got):\n%s", content, diff)
		}
	}
}

// TestFileErrors pins every validation message with its line and key path.
func TestFileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		// Unknown keys, at every depth.
		{"unknown top-level key", y("product: A", "survey: []"),
			[]string{"vocbot.yaml:2: survey: unknown key; did you mean surveys?"}},
		{"unknown key far from any", y("colour: red"),
			[]string{"vocbot.yaml:1: colour: unknown key; valid keys here: product, timezone, default_locale, surveys, touchpoints, fatigue, digests, alerts, ambassadors, enps, digits, web_link_fallback"}},
		{"unknown survey key", y("surveys:", "  - id: a", "    metric: nps", "    folow_up: true"),
			[]string{"vocbot.yaml:4: surveys[0].folow_up: unknown key; did you mean follow_up?"}},
		{"unknown touchpoint key", y("touchpoints:", "  - type: t", "    survey: nps", "    delay_s: 5"),
			[]string{"vocbot.yaml:4: touchpoints[0].delay_s: unknown key; did you mean delay?"}},
		{"unknown fatigue key", y("fatigue:", "  gap: 1h"),
			[]string{"vocbot.yaml:2: fatigue.gap: unknown key; valid keys here: min_gap"}},
		{"unknown digest key", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    chanel: x"),
			[]string{"vocbot.yaml:5: digests[0].chanel: unknown key; valid keys here: id, to, at, timezone, days, surveys, quotes, locale, breakdowns, post_when_empty"}},
		{"unknown alert key", y("alerts:", "  - to: slack:C1", "    when: detractor"),
			[]string{"vocbot.yaml:3: alerts[0].when: unknown key; valid keys here: to, on, first_reply_within, relay_window, reasons, recovery"}},
		{"negative first reply target", y("alerts:", "  - to: slack:C1", "    first_reply_within: -1h"),
			[]string{`vocbot.yaml:3: alerts[0].first_reply_within: "-1h" is negative; use 0 or more`}},
		{"zero relay window", y("alerts:", "  - to: slack:C1", "    relay_window: 0s"),
			[]string{"vocbot.yaml:3: alerts[0].relay_window: must be more than 0, e.g. 168h"}},
		{"recovery unknown survey", y("surveys:", "  - {id: csat-recovery, metric: csat}", "alerts:", "  - to: slack:C1", "    recovery: {survey: csat-recovry, after: 48h}"),
			[]string{`vocbot.yaml:5: alerts[0].recovery.survey: no survey has id "csat-recovry" (did you mean "csat-recovery"?); defined: nps, csat, ces, enps, csat-recovery`}},
		{"recovery negative after", y("alerts:", "  - to: slack:C1", "    recovery:", "      survey: csat", "      after: -2h"),
			[]string{`vocbot.yaml:5: alerts[0].recovery.after: "-2h" is negative; use 0 or more`}},
		{"recovery zero after", y("alerts:", "  - to: slack:C1", "    recovery: {survey: csat, after: 0s}"),
			[]string{"vocbot.yaml:3: alerts[0].recovery.after: must be more than 0, e.g. 48h"}},
		{"recovery bad after", y("alerts:", "  - to: slack:C1", "    recovery: {survey: csat, after: soon}"),
			[]string{`vocbot.yaml:3: alerts[0].recovery.after: "soon" is not a duration; write a duration like 72h, 90m or 30d`}},
		{"recovery missing survey", y("alerts:", "  - to: slack:C1", "    recovery: {after: 48h}"),
			[]string{"vocbot.yaml:3: alerts[0].recovery: missing survey; name the survey to send after the resolution, e.g. {survey: csat, after: 48h}"}},
		{"recovery unknown key", y("alerts:", "  - to: slack:C1", "    recovery: {survey: csat, afer: 48h}"),
			[]string{"vocbot.yaml:3: alerts[0].recovery.afer: unknown key; did you mean after?"}},
		{"recovery not a mapping", y("alerts:", "  - to: slack:C1", "    recovery: csat"),
			[]string{"vocbot.yaml:3: alerts[0].recovery: expected a mapping (keys survey, after), got text"}},
		{"reason listed twice", y("alerts:", "  - to: slack:C1", "    reasons: [refund, refund]"),
			[]string{`vocbot.yaml:3: alerts[0].reasons[1]: "refund" is listed twice`}},
		{"unknown ambassadors key", y("ambassadors:", "  slack_user: [U1]"),
			[]string{"vocbot.yaml:2: ambassadors.slack_user: unknown key; did you mean slack_users?"}},
		{"unknown enps key", y("enps:", "  threshold: 5"),
			[]string{"vocbot.yaml:2: enps.threshold: unknown key; valid keys here: anonymity_threshold, comment_threshold"}},
		{"unknown digits key", y("digits:", "  he: latin"),
			[]string{"vocbot.yaml:2: digits.he: unknown key; valid keys here: ar, fa"}},
		{"key with a line break", y(`"sur\nveys": []`),
			[]string{`vocbot.yaml:1: sur\nveys: unknown key; did you mean surveys?`}},
		{"odd tag", "!%0A\n",
			[]string{`vocbot.yaml:1: the file must be a mapping of keys such as surveys: and digests:, not a value tagged !\n`}},
		{"repeated key", y("product: A", "timezone: UTC", "product: B"),
			[]string{"vocbot.yaml:3: product: repeated key (also on line 1); keep one"}},
		{"repeated nested key", y("surveys:", "  - id: a", "    metric: nps", "    metric: csat"),
			[]string{"vocbot.yaml:4: surveys[0].metric: repeated key (also on line 3); keep one"}},

		// Wrong types.
		{"top level list", y("- a"),
			[]string{"vocbot.yaml:1: the file must be a mapping of keys such as surveys: and digests:, not a list"}},
		{"top level text", y("hello"),
			[]string{"vocbot.yaml:1: the file must be a mapping of keys such as surveys: and digests:, not text"}},
		{"surveys not a list", y("surveys:", "  id: a"),
			[]string{"vocbot.yaml:2: surveys: expected a list, got a mapping"}},
		{"survey not a mapping", y("surveys:", "  - nps"),
			[]string{"vocbot.yaml:2: surveys[0]: expected a mapping (keys id, metric, question, follow_up, expires_after, reminder_after, web_link, title, follow_up_question, thanks, reasons), got text"}},
		{"empty list item", y("surveys:", "  -"),
			[]string{"vocbot.yaml:2: surveys[0]: expected a mapping (keys id, metric, question, follow_up, expires_after, reminder_after, web_link, title, follow_up_question, thanks, reasons), got nothing"}},
		{"product a list", y("product: [a]"),
			[]string{"vocbot.yaml:1: product: expected text, got a list"}},
		{"product a bool", y("product: true"),
			[]string{"vocbot.yaml:1: product: expected text, got true; put it in quotes if you mean the word"}},
		{"follow_up text", y("surveys:", "  - id: a", "    metric: nps", "    follow_up: yes"),
			[]string{`vocbot.yaml:4: surveys[0].follow_up: expected true or false, got "yes"`}},
		{"follow_up number", y("surveys:", "  - id: a", "    metric: nps", "    follow_up: 1"),
			[]string{`vocbot.yaml:4: surveys[0].follow_up: expected true or false, got "1"`}},
		{"question not a map", y("surveys:", "  - id: a", "    metric: nps", "    question: How likely?"),
			[]string{`vocbot.yaml:4: surveys[0].question: expected a mapping of locale to text, e.g. {en: "…", he: "…"}, got text`}},
		{"sample text", y("touchpoints:", "  - type: t", "    survey: nps", "    sample: half"),
			[]string{`vocbot.yaml:4: touchpoints[0].sample: expected a number, got "half"`}},
		{"quotes float", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    quotes: 2.5"),
			[]string{`vocbot.yaml:5: digests[0].quotes: expected a whole number, got "2.5"`}},
		{"quotes huge", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    quotes: 99999999999999999999"),
			[]string{`vocbot.yaml:5: digests[0].quotes: expected a whole number, got "99999999999999999999"`}},
		{"days scalar", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    days: mon"),
			[]string{"vocbot.yaml:5: digests[0].days: expected a list, got text"}},
		{"fatigue scalar", y("fatigue: 30d"),
			[]string{"vocbot.yaml:1: fatigue: expected a mapping (keys min_gap), got text"}},
		{"ambassadors list", y("ambassadors: [U1]"),
			[]string{"vocbot.yaml:1: ambassadors: expected a mapping (keys slack_users, discord_roles, discord_users, telegram_users, daily_quota), got a list"}},
		{"daily_quota text", y("ambassadors:", "  daily_quota: lots"),
			[]string{`vocbot.yaml:2: ambassadors.daily_quota: expected a whole number, got "lots"`}},
		{"complex key", y("? [a]", ": 1"),
			[]string{"vocbot.yaml:1: a key must be a plain name, not a list"}},

		// Top-level values.
		{"timezone unknown", y("timezone: Mars/Olympus"),
			[]string{`vocbot.yaml:1: timezone: "Mars/Olympus" is not a known time zone; use an IANA name such as Asia/Jerusalem or UTC`}},
		{"timezone Local", y("timezone: Local"),
			[]string{`vocbot.yaml:1: timezone: "Local" is not a time zone; use an IANA name such as Europe/Berlin or UTC`}},
		{"default_locale", y("default_locale: de"),
			[]string{`vocbot.yaml:1: default_locale: "de" is not a supported locale; use one of en, he, fa, ar, ru`}},
		{"product multi-line", y("product: |", "  two", "  lines"),
			[]string{"vocbot.yaml:1: product: write the product or company name on one line, at most 100 characters"}},

		// Surveys.
		{"survey metric", y("surveys:", "  - id: x", "    metric: npss"),
			[]string{`vocbot.yaml:3: surveys[0].metric: "npss" is not one of nps, csat, ces, enps`}},
		{"survey missing id", y("surveys:", "  - metric: nps"),
			[]string{"vocbot.yaml:2: surveys[0]: missing id; give the survey an id such as nps-delivery"}},
		{"survey empty id", y("surveys:", `  - id: ""`, "    metric: nps"),
			[]string{"vocbot.yaml:2: surveys[0].id: is empty; use lower-case letters, digits, - and _"}},
		{"survey id characters", y("surveys:", "  - id: NPS Delivery", "    metric: nps"),
			[]string{`vocbot.yaml:2: surveys[0].id: "NPS Delivery" may contain only lower-case letters, digits, - and _`}},
		{"survey id too long", y("surveys:", "  - id: "+strings.Repeat("a", 65), "    metric: nps"),
			[]string{`vocbot.yaml:2: surveys[0].id: "` + strings.Repeat("a", 65) + `" is longer than 64 characters`}},
		{"survey duplicate id", y("surveys:", "  - id: a", "    metric: nps", "  - id: a", "    metric: csat"),
			[]string{`vocbot.yaml:4: surveys[1].id: "a" is already the id of the survey on line 2; ids must be unique`}},
		{"places in a list count unreadable items", y("surveys: [nps, {id: a}, 3, {id: b, metric: npss}]"), []string{
			"vocbot.yaml:1: surveys[0]: expected a mapping (keys id, metric, question, follow_up, expires_after, reminder_after, web_link, title, follow_up_question, thanks, reasons), got text",
			"vocbot.yaml:1: surveys[1]: missing metric; use one of nps, csat, ces, enps",
			"vocbot.yaml:1: surveys[2]: expected a mapping (keys id, metric, question, follow_up, expires_after, reminder_after, web_link, title, follow_up_question, thanks, reasons), got a number",
			`vocbot.yaml:1: surveys[3].metric: "npss" is not one of nps, csat, ces, enps`,
		}},
		{"survey missing metric", y("surveys:", "  - id: custom"),
			[]string{"vocbot.yaml:2: surveys[0]: missing metric; use one of nps, csat, ces, enps"}},
		{"question locale", y("surveys:", "  - id: a", "    metric: nps", "    question:", "      en: Hi", "      de: Hallo"),
			[]string{`vocbot.yaml:6: surveys[0].question.de: "de" is not a supported locale; use one of en, he, fa, ar, ru`}},
		{"question empty", y("surveys:", "  - id: a", "    metric: nps", `    question: {en: " "}`),
			[]string{"vocbot.yaml:4: surveys[0].question.en: the wording is empty; write it or remove the line"}},
		{"question null", y("surveys:", "  - id: a", "    metric: nps", "    question:", "      he:"),
			[]string{"vocbot.yaml:5: surveys[0].question.he: the wording is missing; write it or remove the line"}},
		{"question repeated", y("surveys:", "  - id: a", "    metric: nps", "    question:", "      he: a", "      he: b"),
			[]string{"vocbot.yaml:6: surveys[0].question.he: repeated locale (also on line 5); keep one"}},
		{"expires_after zero", y("surveys:", "  - id: a", "    metric: nps", "    expires_after: 0s"),
			[]string{"vocbot.yaml:4: surveys[0].expires_after: must be more than 0, e.g. 72h"}},
		{"expires_after bad", y("surveys:", "  - id: a", "    metric: nps", "    expires_after: 3 days"),
			[]string{`vocbot.yaml:4: surveys[0].expires_after: "3 days" is not a duration; write a duration like 72h, 90m or 30d`}},
		{"reminder after expiry", y("surveys:", "  - id: a", "    metric: nps", "    expires_after: 24h", "    reminder_after: 1d"),
			[]string{"vocbot.yaml:5: surveys[0].reminder_after: 24h is not before expires_after (24h); remind earlier, or remove reminder_after for no reminder"}},
		{"reminder after default expiry", y("surveys:", "  - id: a", "    metric: nps", "    reminder_after: 4d"),
			[]string{"vocbot.yaml:4: surveys[0].reminder_after: 96h is not before expires_after (72h); remind earlier, or remove reminder_after for no reminder"}},
		{"reminder negative", y("surveys:", "  - id: a", "    metric: nps", "    reminder_after: -1h"),
			[]string{`vocbot.yaml:4: surveys[0].reminder_after: "-1h" is negative; use 0 or more`}},

		// Touchpoints.
		{"touchpoint missing type and survey", y("touchpoints:", "  - delay: 1h"), []string{
			"vocbot.yaml:2: touchpoints[0]: missing type; name the touchpoint type the API receives, e.g. order_delivered",
			"vocbot.yaml:2: touchpoints[0]: missing survey; name the survey this touchpoint triggers",
		}},
		{"touchpoint type characters", y("touchpoints:", "  - type: order delivered", "    survey: nps"),
			[]string{`vocbot.yaml:2: touchpoints[0].type: "order delivered" is not a type the API accepts; use lower-case letters, digits and _ . - (starting with a letter or digit), e.g. order_delivered`}},
		{"touchpoint type the API refuses", y("touchpoints:", "  - {type: 'Order:Delivered', survey: nps}", "  - {type: '', survey: nps}", "  - {type: "+strings.Repeat("a", 65)+", survey: nps}"), []string{
			`vocbot.yaml:2: touchpoints[0].type: "Order:Delivered" is not a type the API accepts; use lower-case letters, digits and _ . - (starting with a letter or digit), e.g. order_delivered`,
			"vocbot.yaml:3: touchpoints[1].type: is empty; name the touchpoint type the API receives, e.g. order_delivered",
			`vocbot.yaml:4: touchpoints[2].type: "` + strings.Repeat("a", 65) + `" is longer than 64 characters`,
		}},
		{"touchpoint duplicate type", y("touchpoints:", "  - {type: t, survey: nps}", "  - {type: t, survey: csat}"),
			[]string{`vocbot.yaml:3: touchpoints[1].type: "t" already has a rule on line 2; one rule per type`}},
		{"touchpoint unknown survey", y("surveys:", "  - {id: mine, metric: ces}", "touchpoints:", "  - type: t", "    survey: nope"),
			[]string{`vocbot.yaml:5: touchpoints[0].survey: no survey has id "nope"; defined: nps, csat, ces, enps, mine`}},
		{"touchpoint survey defined later in the file", y("touchpoints:", "  - {type: t, survey: late}", "surveys:", "  - {id: late, metric: nps}"),
			nil},
		{"touchpoint delay negative", y("touchpoints:", "  - type: t", "    survey: nps", "    delay: -5m"),
			[]string{`vocbot.yaml:4: touchpoints[0].delay: "-5m" is negative; use 0 or more`}},
		{"touchpoint delay without unit", y("touchpoints:", "  - type: t", "    survey: nps", "    delay: 3600"),
			[]string{`vocbot.yaml:4: touchpoints[0].delay: "3600" has no unit; write a duration like 72h, 90m or 30d`}},
		{"sample zero", y("touchpoints:", "  - type: t", "    survey: nps", "    sample: 0"),
			[]string{"vocbot.yaml:4: touchpoints[0].sample: 0 is not a share; use more than 0 and at most 1 (1 asks everyone)"}},
		{"sample above one", y("touchpoints:", "  - type: t", "    survey: nps", "    sample: 1.01"),
			[]string{"vocbot.yaml:4: touchpoints[0].sample: 1.01 is not a share; use more than 0 and at most 1 (1 asks everyone)"}},
		{"sample NaN", y("touchpoints:", "  - type: t", "    survey: nps", "    sample: .nan"),
			[]string{"vocbot.yaml:4: touchpoints[0].sample: .nan is not a share; use more than 0 and at most 1 (1 asks everyone)"}},
		{"quiet hours equal", y("touchpoints:", "  - type: t", "    survey: nps", `    quiet_hours: "22:00-22:00"`),
			[]string{`vocbot.yaml:4: touchpoints[0].quiet_hours: "22:00-22:00" starts and ends at the same time; remove quiet_hours or widen the window`}},
		{"quiet hours format", y("touchpoints:", "  - type: t", "    survey: nps", `    quiet_hours: "10pm-8am"`),
			[]string{`vocbot.yaml:4: touchpoints[0].quiet_hours: "10pm" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`}},
		{"quiet hours no dash", y("touchpoints:", "  - type: t", "    survey: nps", `    quiet_hours: "22:00"`),
			[]string{`vocbot.yaml:4: touchpoints[0].quiet_hours: "22:00" is not a window; write HH:MM-HH:MM, e.g. "21:00-09:00"`}},

		// Fatigue.
		{"min_gap", y("fatigue:", "  min_gap: a month"),
			[]string{`vocbot.yaml:2: fatigue.min_gap: "a month" is not a duration; write a duration like 72h, 90m or 30d`}},

		// Digests.
		{"digest missing everything", y("digests:", "  - quotes: 3"), []string{
			"vocbot.yaml:2: digests[0]: missing id; give the digest an id such as daily-voc",
			"vocbot.yaml:2: digests[0]: missing to; name the channel, e.g. slack:C0123ABC, discord:123456789012345678 or telegram:-1001234567890",
			`vocbot.yaml:2: digests[0]: missing at; give the local time to post it, e.g. "09:00"`,
		}},
		{"digest duplicate id", y("digests:", "  - {id: d, to: slack:C1, at: '09:00'}", "  - {id: d, to: slack:C2, at: '10:00'}"),
			[]string{`vocbot.yaml:3: digests[1].id: "d" is already the id of the digest on line 2; ids must be unique`}},
		{"digest target platform", y("digests:", "  - id: d", "    to: email:cx@example.com", `    at: "09:00"`),
			[]string{`vocbot.yaml:3: digests[0].to: "email:cx@example.com": unknown platform "email"; write slack:CHANNEL_ID, discord:CHANNEL_ID or telegram:CHAT_ID`}},
		{"digest target without platform", y("digests:", "  - id: d", "    to: C0123", `    at: "09:00"`),
			[]string{`vocbot.yaml:3: digests[0].to: "C0123" has no platform; write slack:CHANNEL_ID, discord:CHANNEL_ID or telegram:CHAT_ID`}},
		{"digest slack channel name", y("digests:", "  - id: d", "    to: slack:#general", `    at: "09:00"`),
			[]string{`vocbot.yaml:3: digests[0].to: "slack:#general": a Slack channel id starts with C or G followed by capital letters and digits, e.g. slack:C0123ABC`}},
		{"digest slack user as channel", y("digests:", "  - id: d", "    to: slack:U0123", `    at: "09:00"`),
			[]string{`vocbot.yaml:3: digests[0].to: "slack:U0123": a Slack channel id starts with C or G followed by capital letters and digits, e.g. slack:C0123ABC`}},
		{"digest discord channel", y("digests:", "  - id: d", "    to: discord:general", `    at: "09:00"`),
			[]string{`vocbot.yaml:3: digests[0].to: "discord:general": a Discord channel id is a number, e.g. discord:123456789012345678`}},
		{"digest telegram chat", y("digests:", "  - id: d", "    to: telegram:@channel", `    at: "09:00"`),
			[]string{`vocbot.yaml:3: digests[0].to: "telegram:@channel": a Telegram chat id is a non-zero integer, e.g. telegram:-1001234567890`}},
		{"digest at", y("digests:", "  - id: d", "    to: slack:C1", "    at: 9am"),
			[]string{`vocbot.yaml:4: digests[0].at: "9am" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`}},
		{"digest at 24:00", y("digests:", "  - id: d", "    to: slack:C1", `    at: "24:00"`),
			[]string{`vocbot.yaml:4: digests[0].at: "24:00" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`}},
		{"digest timezone", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    timezone: IST"),
			[]string{`vocbot.yaml:5: digests[0].timezone: "IST" is not a known time zone; use an IANA name such as Asia/Jerusalem or UTC`}},
		{"digest days", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    days: [mon, monday, mon]"), []string{
			`vocbot.yaml:5: digests[0].days[1]: "monday" is not a day; use sun, mon, tue, wed, thu, fri or sat`,
			"vocbot.yaml:5: digests[0].days[2]: mon is listed twice",
		}},
		{"digest no days", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    days: []"),
			[]string{"vocbot.yaml:5: digests[0].days: no days; list at least one, or remove days for every day"}},
		{"digest surveys", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    surveys:", "      - nps", "      - npx", "      - nps"), []string{
			`vocbot.yaml:7: digests[0].surveys[1]: no survey has id "npx" (did you mean "nps"?); defined: nps, csat, ces, enps`,
			`vocbot.yaml:8: digests[0].surveys[2]: "nps" is listed twice`,
		}},
		{"digest no surveys", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    surveys: []"),
			[]string{"vocbot.yaml:5: digests[0].surveys: no surveys; list at least one, or remove surveys for all of them"}},
		{"digest quotes", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    quotes: 11"),
			[]string{"vocbot.yaml:5: digests[0].quotes: 11 is out of range; use 0 to 10"}},
		{"digest quotes negative", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    quotes: -1"),
			[]string{"vocbot.yaml:5: digests[0].quotes: -1 is out of range; use 0 to 10"}},
		{"digest locale", y("digests:", "  - id: d", "    to: slack:C1", `    at: "09:00"`, "    locale: EN"),
			[]string{`vocbot.yaml:5: digests[0].locale: "EN" is not a supported locale; use one of en, he, fa, ar, ru`}},

		// Alerts.
		{"alert on", y("alerts:", "  - to: slack:C1", "    on: low_score"),
			[]string{`vocbot.yaml:3: alerts[0].on: "low_score" is not one of detractor`}},
		{"alert missing to", y("alerts:", "  - on: detractor"),
			[]string{"vocbot.yaml:2: alerts[0]: missing to; name the channel, e.g. slack:C0123ABC, discord:123456789012345678 or telegram:-1001234567890"}},
		{"alert duplicate", y("alerts:", "  - to: slack:C1", "  - to: slack:C1", "    on: detractor"),
			[]string{"vocbot.yaml:3: alerts[1]: the alert on line 2 already posts detractor to slack:C1"}},

		// Ambassadors.
		{"slack user", y("ambassadors:", "  slack_users: [U0123, dana]"),
			[]string{`vocbot.yaml:2: ambassadors.slack_users[1]: "dana" is not a Slack user id; copy it from the profile (⋮ → Copy member ID), e.g. U0123ABC`}},
		{"discord user", y("ambassadors:", "  discord_users: [\"8123456789\", dana, 0, -5, 01234]"), []string{
			`vocbot.yaml:2: ambassadors.discord_users[1]: "dana" is not a Discord user id; with Developer Mode on, right-click the user → Copy User ID`,
			`vocbot.yaml:2: ambassadors.discord_users[2]: "0" is not a Discord user id; with Developer Mode on, right-click the user → Copy User ID`,
			`vocbot.yaml:2: ambassadors.discord_users[3]: "-5" is not a Discord user id; with Developer Mode on, right-click the user → Copy User ID`,
			`vocbot.yaml:2: ambassadors.discord_users[4]: "01234" is not a Discord user id; with Developer Mode on, right-click the user → Copy User ID`,
		}},
		{"discord role", y("ambassadors:", "  discord_roles: [\"@cx-team\"]"),
			[]string{`vocbot.yaml:2: ambassadors.discord_roles[0]: "@cx-team" is not a Discord role id; with Developer Mode on, right-click the role → Copy Role ID`}},
		{"telegram user", y("ambassadors:", "  telegram_users:", "    - 1", "    - \"@dana\"", "    - 0"), []string{
			`vocbot.yaml:4: ambassadors.telegram_users[1]: "@dana" is not a Telegram user id; it is a positive number, e.g. 111111`,
			`vocbot.yaml:5: ambassadors.telegram_users[2]: "0" is not a Telegram user id; it is a positive number, e.g. 111111`,
		}},
		{"daily quota", y("ambassadors:", "  daily_quota: 0"),
			[]string{"vocbot.yaml:2: ambassadors.daily_quota: 0 is out of range; use 1 or more invitations per ambassador per day"}},

		// eNPS and digits.
		{"anonymity threshold", y("enps:", "  anonymity_threshold: 2"),
			[]string{"vocbot.yaml:2: enps.anonymity_threshold: 2 is out of range; use 3 to 10"}},
		{"comment threshold below anonymity", y("enps:", "  anonymity_threshold: 6", "  comment_threshold: 5"),
			[]string{"vocbot.yaml:3: enps.comment_threshold: 5 is out of range; use anonymity_threshold (6) to 100"}},
		{"digits", y("digits:", "  fa: persian"),
			[]string{`vocbot.yaml:2: digits.fa: "persian" is not one of native, latin`}},

		// Anchors and merge keys work, and their errors point at the source.
		{"x- keys hold anchors", y(
			"x-defaults: &d {to: slack:C1, at: '09:00', colour: red}",
			"digests:",
			"  - <<: *d",
			"    id: a",
		), []string{"vocbot.yaml:1: digests[0].colour: unknown key; valid keys here: id, to, at, timezone, days, surveys, quotes, locale, breakdowns, post_when_empty"}},
		{"x- keys only at the top", y("fatigue:", "  x-note: hi"),
			[]string{"vocbot.yaml:2: fatigue.x-note: unknown key; valid keys here: min_gap"}},
		{"merge of a scalar", y("fatigue:", "  <<: 5"),
			[]string{"vocbot.yaml:2: fatigue.<<: merge a mapping or a list of mappings, e.g. <<: *defaults"}},
		{"merge of itself", y("fatigue: &f", "  <<: *f"),
			[]string{"vocbot.yaml:2: fatigue.<<: merges nest more than 8 deep (or a mapping merges itself)"}},
		{"alias into a wrong place", y("surveys: &s", "  - id: a", "    metric: nps", "    question: *s"),
			[]string{`vocbot.yaml:1: surveys[0].question: expected a mapping of locale to text, e.g. {en: "…", he: "…"}, got a list`}},

		// Several errors come sorted by line, whatever the processing order.
		{"sorted by line", y("touchpoints:", "  - {type: t, survey: x}", "timezone: Nowhere"), []string{
			`vocbot.yaml:2: touchpoints[0].survey: no survey has id "x"; defined: nps, csat, ces, enps`,
			`vocbot.yaml:3: timezone: "Nowhere" is not a known time zone; use an IANA name such as Asia/Jerusalem or UTC`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got := decode(t, tt.content)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors for\n%s(-want +got):\n%s", tt.content, diff)
			}
		})
	}
}

func TestFileSyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content, want string
	}{
		{"unclosed flow", y("x: 1", "surveys: [a,", "digests: []"), "vocbot.yaml:2: did not find expected ',' or ']'"},
		{"unclosed flow on line 1", y("surveys: [a,", "digests: []"), "vocbot.yaml:3: did not find expected ',' or ']'"},
		{"unclosed flow mapping", y("x: 1", "y: 2", "z: {a: 1"), "vocbot.yaml:3: did not find expected ',' or '}'"},
		{"missing colon", y("a: 1", "b: 2", "c 2", "d: 3"), "vocbot.yaml:3: could not find expected ':'"},
		{"unterminated quote", y(`a: "x`), "vocbot.yaml:2: found unexpected end of stream"},
		{"list after mapping", y("x: 1", "y: 2", "- z"), "vocbot.yaml:3: did not find expected key"},
		{"reserved character", y("product: @acme"), "vocbot.yaml:1: found character that cannot start any token"},
		{"tab indentation", "surveys:\n\t- id: x\n", "vocbot.yaml:2: found character that cannot start any token (a tab in the indentation? YAML indents with spaces)"},
		{"bad indentation", y("fatigue:", "  min_gap: 1h", " x: 2"), "vocbot.yaml:3: did not find expected key"},
		{"mapping in scalar", y("product: a: b"), "vocbot.yaml:1: mapping values are not allowed in this context"},
		{"unknown anchor", y("product: A", "timezone: *nope"), "vocbot.yaml:2: *nope refers to no anchor; define &nope before it"},
		{"two documents", y("product: a", "---", "product: b"), "vocbot.yaml:2: a second YAML document; keep the configuration in one (remove the ---)"},
		{"second document broken", y("product: a", "---", "[x"), "vocbot.yaml:3: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got := decode(t, tt.content)
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileMerge(t *testing.T) {
	t.Parallel()
	c, errs := decode(t, y(
		"surveys:",
		"  - &base {id: a, metric: csat, expires_after: 48h, follow_up: false}",
		"  - <<: *base",
		"    id: b",
		"  - <<: [*base, {metric: ces, reminder_after: 1h}]",
		"    id: c",
		"    follow_up: true",
	))
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	want := []Survey{
		{ID: "a", Metric: MetricCSAT, Question: map[string]string{}, ExpiresAfter: 48 * time.Hour},
		{ID: "b", Metric: MetricCSAT, Question: map[string]string{}, ExpiresAfter: 48 * time.Hour},
		{ID: "c", Metric: MetricCSAT, Question: map[string]string{}, FollowUp: true, ExpiresAfter: 48 * time.Hour, ReminderAfter: time.Hour},
	}
	if diff := cmp.Diff(want, c.Surveys[4:]); diff != "" {
		t.Errorf("surveys (-want +got):\n%s", diff)
	}

	c, errs = decode(t, y(
		"x-digest: &digest",
		"  to: slack:C0123",
		"  days: [mon]",
		"digests:",
		"  - <<: *digest",
		"    id: morning",
		`    at: "08:00"`,
		"  - <<: *digest",
		"    id: evening",
		`    at: "18:00"`,
		"    to: discord:42",
	))
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	got := []string{}
	for _, g := range c.Digests {
		got = append(got, g.ID+" "+g.To.String()+" "+g.At.String()+" "+weekdays[g.Days[0]])
	}
	if diff := cmp.Diff([]string{"morning slack:C0123 08:00 mon", "evening discord:42 18:00 mon"}, got); diff != "" {
		t.Errorf("digests (-want +got):\n%s", diff)
	}
}

// TestFileTooBig checks that a file that expands exponentially through
// merges ("billion laughs") is refused by the walk's budget instead of
// walked, with one error, and so is one that is merely huge.
func TestFileTooBig(t *testing.T) {
	t.Parallel()
	var bomb strings.Builder
	bomb.WriteString("x-0: &a0 {min_gap: 1h}\n")
	for i := 1; i <= 7; i++ { // 10^7 merged pairs, within the merge depth
		fmt.Fprintf(&bomb, "x-%d: &a%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	bomb.WriteString("fatigue: *a7\n")

	var huge strings.Builder
	huge.WriteString("ambassadors:\n  telegram_users:\n")
	for i := range maxNodes + 10 {
		fmt.Fprintf(&huge, "    - %d\n", i+1)
	}

	// The refusal comes from the node budget, not a clock: the bomb would
	// expand to 10^7 values, and the budget stops the walk at 100,000.
	for name, content := range map[string]string{"bomb": bomb.String(), "huge": huge.String()} {
		_, errs := decode(t, content)
		if len(errs) != 1 || !strings.Contains(errs[0], "more than 100000 values here (counting what anchors and merges expand to); is this the right file?") {
			t.Errorf("%s: errors = %q, want one saying the file is too big", name, errs)
		}
	}
}
