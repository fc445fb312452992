package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			var b strings.Builder
			if err := c.WriteEffective(&b); err != nil {
				t.Fatalf("WriteEffective: %v", err)
			}
		}
	})
}
