package telegram

import (
	"strings"
	"testing"

	"github.com/vocbot/vocbot/surveys/surveystest"
)

// A digest longer than one message is cut at the last whole line that
// fits with the ellipsis: every line before the cut is kept in full, and
// the next line would not have fitted.
func TestRenderDigestCutsAtTheLastLineThatFits(t *testing.T) {
	t.Parallel()
	for _, locale := range []string{"he", "en"} {
		c := surveystest.BusyDigest(locale).Card()
		got := renderDigest(c)
		kept, ok := strings.CutSuffix(got, ellipsis)
		if !ok || utf16Len(got) > maxTextLen {
			t.Fatalf("%s: %d UTF-16 units, ellipsis %v: want a cut digest within %d", locale, utf16Len(got), ok, maxTextLen)
		}
		// The same card with room for everything: the kept text is its
		// first lines, whole.
		full := renderDigestRoom(c, 1<<20)
		if !strings.HasPrefix(full, kept) || !strings.HasSuffix(kept, "\n") {
			t.Fatalf("%s: the kept text is not whole lines of the full digest", locale)
		}
		next, _, _ := strings.Cut(full[len(kept):], "\n")
		if utf16Len(kept)+utf16Len(next)+1 <= maxTextLen-utf16Len(ellipsis) {
			t.Errorf("%s: cut before %q, which fits", locale, next)
		}
	}
}
