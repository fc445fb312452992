package surveys_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vocbot/vocbot/surveys"
)

func TestTextRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, clean string
		problem   string // a word the problem contains; "" = fine
	}{
		{"", "", ""},
		{"שלום, great service", "שלום, great service", ""},
		{"a\x00b", "ab", "NUL"},
		{"\x00", "", "NUL"},
		{"caf\xe9", "caf\uFFFD", "UTF-8"},
		{"\xed\xa0\x80 surrogate", "\uFFFD surrogate", "UTF-8"},
		{"both\x00\xff", "both\uFFFD", "UTF-8"},
		{"'; DROP TABLE responses;-- <b>x</b>", "'; DROP TABLE responses;-- <b>x</b>", ""},
	}
	for _, tt := range tests {
		p := surveys.TextProblem(tt.in)
		if (tt.problem == "") != (p == "") || !strings.Contains(p, tt.problem) {
			t.Errorf("TextProblem(%q) = %q, want one about %q", tt.in, p, tt.problem)
		}
		got := surveys.CleanText(tt.in)
		if got != tt.clean {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.clean)
		}
		if surveys.TextProblem(got) != "" {
			t.Errorf("CleanText(%q) = %q still breaks the rule", tt.in, got)
		}
	}
}

func TestQuoteCutsLongInput(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"cus_42", `"cus_42"`},
		{strings.Repeat("x", 64), `"` + strings.Repeat("x", 64) + `"`},
		{strings.Repeat("x", 900_000), `"` + strings.Repeat("x", 64) + `"…`},
		{strings.Repeat("ד", 65), `"` + strings.Repeat("ד", 64) + `"…`},
		{"a\x00\xff", "\"a\\x00\ufffd\""},
	}
	for _, tt := range tests {
		if got := surveys.Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%.20q…) = %q, want %q", tt.in, got, tt.want)
		}
		if !utf8.ValidString(surveys.Quote(tt.in)) {
			t.Errorf("Quote(%.20q…) is not UTF-8", tt.in)
		}
	}
}

func TestCustomerIDProblem(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"cus_42", "dana@example.com", "a", strings.Repeat("9", 128), "org/1:user+2"} {
		if p := surveys.CustomerIDProblem(ok); p != "" {
			t.Errorf("CustomerIDProblem(%q) = %q, want fine", ok, p)
		}
	}
	for _, bad := range []string{"", strings.Repeat("9", 129), strings.Repeat("c", 100_000), "a b", "a\x00b", "a\x01", "a\xff", "cus\n42", "<script>", "'; DROP"} {
		p := surveys.CustomerIDProblem(bad)
		if p == "" {
			t.Errorf("CustomerIDProblem(%.40q) = fine, want a problem", bad)
		}
		if len(p) > 200 {
			t.Errorf("CustomerIDProblem(%.40q) is %d bytes long: the input is echoed whole", bad, len(p))
		}
	}
}
