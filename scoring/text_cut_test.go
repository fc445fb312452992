package scoring

import "testing"

func TestCutUTF16(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, avoid string
		max             int
		want            string
	}{
		{"fits", "hello", "", 5, "hello"},
		{"cut", "hello world", "", 6, "hello…"},
		{"astral counts two", "a😀b😀c", "", 4, "a😀…"},
		{"whole line kept", "first line\nsecond line", "", 15, "first line\n…"},
		{"short first line not kept", "ab\ncdefghijkl", "", 10, "ab\ncdefgh…"},
		{"combining mark stays with its base", "abé́x", "", 4, "ab…"},
		{"escape not left at the end", `abc\*def`, `\`, 5, "abc…"},
		{"escape kept when not avoided", `abc\*def`, "", 5, `abc\…`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CutUTF16(tc.in, tc.max, tc.avoid)
			if got != tc.want {
				t.Errorf("CutUTF16(%q, %d, %q) = %q, want %q", tc.in, tc.max, tc.avoid, got, tc.want)
			}
			if UTF16Len(got) > tc.max {
				t.Errorf("%q is %d units, over %d", got, UTF16Len(got), tc.max)
			}
		})
	}
}
