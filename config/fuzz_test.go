package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// FuzzLoadYAML feeds arbitrary file contents to the decoder: it must never
// panic or hang, and every error line must stand alone, starting with the
// file name and a line number.
func FuzzLoadYAML(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "vocbot.example.yaml")); err == nil {
		f.Add(string(data))
	}
	for _, seed := range []string{
		"",
		"product: Acme\n",
		"surveys:\n  - id: a\n    metric: nps\n    question: {en: x}\n",
		"touchpoints:\n  - {type: t, survey: nps, quiet_hours: '21:00-09:00', sample: 0.5, delay: 1d2h}\n",
		"digests:\n  - {id: d, to: 'telegram:-100', at: '09:00', days: [sun], surveys: [nps], quotes: 3}\n",
		"x-a: &a {min_gap: 1h}\nfatigue: {<<: *a}\n",
		"a: &a [*a]\n",
		"surveys: &s\n  - id: a\n    question: *s\n",
		"{\n",
		"surveys:\n\t- x\n",
		"- a\n- b\n",
		"---\n---\n",
		"? [a, b]\n: c\n",
		"product: !!binary aGVsbG8=\n",
		"fatigue: {min_gap: !custom 5h}\n",
		"ambassadors: {telegram_users: [0x10, 1_000, 9223372036854775808]}\n",
		// Every section valid, so the fuzzer starts deep inside each.
		"product: Acme\ntimezone: Asia/Jerusalem\ndefault_locale: he\n" +
			"surveys:\n  - {id: s1, metric: csat, question: {en: Hi, ru: Привет}, follow_up: false, expires_after: 2d, reminder_after: 1h}\n  - {id: nps, expires_after: 7d}\n" +
			"touchpoints:\n  - {type: order_delivered, survey: s1, delay: 1h30m, sample: 0.25, quiet_hours: '22:00-07:30'}\n" +
			"fatigue: {min_gap: 0s}\n" +
			"digests:\n  - {id: d1, to: 'discord:42', at: '23:59', timezone: Asia/Tehran, days: [SAT, sun], surveys: [s1, nps], quotes: 10, locale: fa, breakdowns: [region, a.b-c], post_when_empty: true}\n" +
			"alerts:\n  - {to: 'slack:G0PRIV', on: detractor}\n  - {to: 'telegram:-100'}\n" +
			"ambassadors: {slack_users: [U1, W2], discord_roles: ['1'], discord_users: [812345678901234567], telegram_users: [1], daily_quota: 1000000}\n" +
			"enps: {anonymity_threshold: 10, comment_threshold: 100}\ndigits: {ar: latin, fa: latin}\n",
		// Anchors and merges in every kind of place.
		"x-s: &s {metric: ces, expires_after: 1h}\nx-q: &q {en: a}\nx-d: &d {to: 'slack:C1', at: '09:00', days: &days [mon]}\n" +
			"surveys:\n  - {<<: *s, id: a, question: *q}\n  - {<<: [*s, {follow_up: false}], id: b}\n" +
			"digests:\n  - {<<: *d, id: x, surveys: [a, b]}\n  - {<<: *d, id: y, days: *days}\n" +
			"ambassadors: &amb {daily_quota: 3}\nenps: {<<: {anonymity_threshold: 4}}\n",
		"x-a: &a {<<: &b {<<: &c {min_gap: 1h}}}\nfatigue: {<<: [*a, *b, *c]}\n",
		// Wrong types and values in every section.
		"product: [1]\ntimezone: 5\ndefault_locale: {}\nsurveys: {}\ntouchpoints: x\nfatigue: []\ndigests: 1\nalerts: true\nambassadors: x\nenps: []\ndigits: 0\n",
		"surveys: [1, [], ~, {id: ~, metric: []}, {id: '', question: [], follow_up: 2, expires_after: -1s, reminder_after: 99999999999h}]\n",
		"touchpoints: [{type: Order:Delivered, survey: ~, delay: 1, sample: .inf, quiet_hours: '25:00-01:00'}, {type: a, survey: nps, sample: -0}]\n",
		"digests: [{id: 1, to: 'slack:#x', at: 0900, timezone: Local, days: [], surveys: [], quotes: 1e3, locale: de, breakdowns: [' '], post_when_empty: 1}]\n",
		"alerts: [{to: 'email:x', on: promoter}, {on: detractor}, {to: 'discord:0'}]\n",
		"ambassadors: {slack_users: [u1], discord_roles: [0], discord_users: ['-1', 1.5], telegram_users: [-1, 1e3], daily_quota: 0}\nenps: {anonymity_threshold: 2, comment_threshold: 1000}\ndigits: {ar: arabic}\n",
		// NUL bytes, control characters, huge and odd numbers.
		"product: \"a\\0b\"\nsurveys:\n  - {id: \"a\\u0000\", metric: nps}\n",
		"product: a\x00b\n",
		"\x00",
		"fatigue: {min_gap: 106751d}\ntouchpoints: [{type: t, survey: nps, delay: 9223372036854775807ns, sample: 1e-400}]\n",
		"digests: [{id: d, to: 'telegram:99999999999999999999', at: '9:00', quotes: 0x7fffffffffffffff}]\nenps: {anonymity_threshold: -9223372036854775809}\n",
		"surveys: [{id: a, metric: nps, question: {? [x] : y, en: ~, he: ''}}]\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, content string) {
		c := Default()
		errs := decodeFile("fuzz.yaml", []byte(content), c)
		for _, err := range errs {
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Fatalf("error spans lines: %q", msg)
			}
			rest, ok := strings.CutPrefix(msg, "fuzz.yaml:")
			if !ok {
				t.Fatalf("error does not start with the file name: %q", msg)
			}
			// Only a go-yaml panic, caught, has no line to give.
			if i := strings.IndexByte(rest, ':'); (i <= 0 || strings.Trim(rest[:i], "0123456789") != "") && !strings.HasPrefix(rest, " not valid YAML (") {
				t.Fatalf("error has no line number: %q", msg)
			}
		}
		if errs == nil {
			// A file that loads gives a config its users need not check.
			if c.Timezone == nil {
				t.Fatal("nil time zone")
			}
			for _, tp := range c.Touchpoints {
				if _, ok := c.Survey(tp.Survey); !ok {
					t.Fatalf("touchpoint %q names unknown survey %q", tp.Type, tp.Survey)
				}
				if !(tp.Sample > 0 && tp.Sample <= 1) || tp.Delay < 0 {
					t.Fatalf("touchpoint out of range: %+v", tp)
				}
			}
			for _, s := range c.Surveys {
				if s.ExpiresAfter <= 0 || s.ReminderAfter < 0 || s.ReminderAfter >= s.ExpiresAfter {
					t.Fatalf("survey out of range: %+v", s)
				}
			}
			// What config check prints loads back to the same settings.
			out, err := yaml.Marshal(c.file())
			if err != nil {
				t.Fatalf("printing the effective configuration: %v", err)
			}
			again := Default()
			if errs := decodeFile("effective.yaml", out, again); errs != nil {
				t.Fatalf("the effective configuration does not load: %v\n%s", errs, out)
			}
			if diff := cmp.Diff(c, again, cmpLocations); diff != "" {
				t.Fatalf("the effective configuration loads differently (-file +effective):\n%s\n%s", diff, out)
			}
			var b strings.Builder
			if err := c.WriteEffective(&b); err != nil {
				t.Fatalf("WriteEffective: %v", err)
			}
		}
	})
}
