package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// touchpointTypeExamples are touchpoint types with whether the API accepts
// them. The API's rule lives in package surveys, which config may not import;
// config repeats it, this test pins it, and a test in cmd/vocbot checks the
// same examples against the API.
var touchpointTypeExamples = []struct {
	typ string
	ok  bool
}{
	{"order_delivered", true},
	{"ticket.closed", true},
	{"checkout-completed", true},
	{"0day", true},
	{"a", true},
	{strings.Repeat("a", 64), true},
	{"", false},
	{strings.Repeat("a", 65), false},
	{"Order:Delivered", false},
	{"order:delivered", false},
	{"ORDER_DELIVERED", false},
	{"order delivered", false},
	{"_order", false},
	{"-order", false},
	{".order", false},
	{"order/delivered", false},
	{"orderé", false},
	{"order\n", false},
}

func TestTouchpointTypeRule(t *testing.T) {
	t.Parallel()
	for _, ex := range touchpointTypeExamples {
		content := y("touchpoints:", "  - type: "+strconv.Quote(ex.typ), "    survey: nps")
		_, errs := decode(t, content)
		if got := len(errs) == 0; got != ex.ok {
			t.Errorf("type %q: accepted = %v, want %v (errors %q)", ex.typ, got, ex.ok, errs)
		}
		if !ex.ok && (len(errs) != 1 || !strings.HasPrefix(errs[0], "vocbot.yaml:2: touchpoints[0].type: ")) {
			t.Errorf("type %q: errors %q, want one on line 2 naming touchpoints[0].type", ex.typ, errs)
		}
	}
}

// TestLocalesRefused checks that a locale vocbot has no wording for is
// refused wherever a locale is written, with the supported list.
func TestLocalesRefused(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{"en", "he", "fa", "ar", "ru"}, Locales()); diff != "" {
		t.Errorf("Locales (-want +got):\n%s", diff)
	}
	got := Locales()
	got[0] = "xx"
	if Locales()[0] != "en" {
		t.Error("Locales returns the package's own list; a caller could change it")
	}
	const supported = "is not a supported locale; use one of en, he, fa, ar, ru"
	_, errs := decode(t, y(
		"default_locale: de",
		"surveys:",
		"  - id: nps",
		"    question: {de: Hallo, en: Hello}",
		"digests:",
		"  - {id: d, to: 'slack:C1', at: '09:00', locale: de-DE}",
	))
	want := []string{
		`vocbot.yaml:1: default_locale: "de" ` + supported,
		`vocbot.yaml:4: surveys[0].question.de: "de" ` + supported,
		`vocbot.yaml:6: digests[0].locale: "de-DE" ` + supported,
	}
	if diff := cmp.Diff(want, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	for _, l := range Locales() {
		if _, errs := decode(t, fmt.Sprintf("default_locale: %s\n", l)); errs != nil {
			t.Errorf("%s: %q", l, errs)
		}
	}
	if !slices.Equal(locales, Locales()) {
		t.Error("Locales differs from the list the file is checked against")
	}
}
