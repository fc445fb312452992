package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDigestBreakdownsAndPostWhenEmpty(t *testing.T) {
	t.Parallel()
	c, errs := decode(t, y("digests:", "  - {id: d, to: slack:C1, at: '09:00', breakdowns: [region, agent], post_when_empty: true}"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	g := c.Digests[0]
	if !cmp.Equal(g.Breakdowns, []string{"region", "agent"}) || !g.PostWhenEmpty {
		t.Fatalf("got breakdowns %v, post_when_empty %v", g.Breakdowns, g.PostWhenEmpty)
	}
	_, errs = decode(t, y("digests:", "  - {id: d, to: slack:C1, at: '09:00', breakdowns: [region, 'no spaces', region], post_when_empty: maybe}"))
	want := []string{
		`vocbot.yaml:2: digests[0].breakdowns[1]: "no spaces" is not a touchpoint attribute name; use 1–64 letters, digits and _.- as in the touchpoints' attributes`,
		`vocbot.yaml:2: digests[0].breakdowns[2]: "region" is listed twice`,
	}
	if len(errs) != 3 || !cmp.Equal(errs[:2], want) {
		t.Fatalf("errors: %q", errs)
	}
}
