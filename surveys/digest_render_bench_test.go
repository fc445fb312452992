package surveys_test

import (
	"strings"
	"testing"

	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// renderLocales are the digest locales the rendering benchmarks word in:
// each script and direction the digest supports.
var renderLocales = []string{"en", "he", "fa", "ar", "ru"}

// BenchmarkRenderDigestCard words a busy workspace's digest
// (surveystest.BusyDigest: four surveys, six touchpoints and twelve agents
// and regions each, five quotes a survey, the close-the-loop section) in
// each locale. One op is Digest.Card: every number, date and name
// formatted in the locale's digits, isolated for bidi and put into its
// catalog's templates.
func BenchmarkRenderDigestCard(b *testing.B) {
	for _, locale := range renderLocales {
		b.Run(locale, func(b *testing.B) {
			d := surveystest.BusyDigest(locale)
			checkBusy(b, d)
			b.ReportAllocs()
			for b.Loop() {
				if c := d.Card(); len(c.Sections) != len(d.Surveys)+1 {
					b.Fatalf("%d sections for %d surveys and the loop", len(c.Sections), len(d.Surveys))
				}
			}
		})
	}
}

// BenchmarkRenderDigestText is BenchmarkRenderDigestCard with the card
// joined into the plain text Telegram's message and `vocbot digest
// preview` start from. One op is Digest.Text.
func BenchmarkRenderDigestText(b *testing.B) {
	for _, locale := range []string{"he", "en"} {
		b.Run(locale, func(b *testing.B) {
			d := surveystest.BusyDigest(locale)
			checkBusy(b, d)
			b.ReportAllocs()
			for b.Loop() {
				if text := d.Text(); strings.Count(text, "\n") < 80 {
					b.Fatalf("a busy digest of %d lines:\n%s", strings.Count(text, "\n"), text)
				}
			}
		})
	}
}

// checkBusy fails a benchmark whose digest is not the busy one it claims
// to measure (every survey with a score, touchpoints, breakdowns and
// quotes), and words it once, so that loading the digest catalogs stays
// out of the timed loop.
func checkBusy(b *testing.B, d surveys.Digest) {
	b.Helper()
	d.Card()
	if len(d.Surveys) < 4 || d.Loop == nil || d.Quiet {
		b.Fatalf("digest of %d surveys, loop %v, quiet %v: not a busy workspace's", len(d.Surveys), d.Loop != nil, d.Quiet)
	}
	for _, s := range d.Surveys {
		if !s.Current.HasScore() || len(s.Touchpoints) < 2 || len(s.Breakdowns) != 2 || len(s.Quotes) < 3 {
			b.Fatalf("survey %s: score %v, %d touchpoints, %d breakdowns, %d quotes", s.SurveyID,
				s.Current.HasScore(), len(s.Touchpoints), len(s.Breakdowns), len(s.Quotes))
		}
	}
}
