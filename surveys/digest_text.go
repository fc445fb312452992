package surveys

import (
	"embed"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
	"golang.org/x/text/unicode/bidi"

	"github.com/vocbot/vocbot/scoring"
)

// The digest's wordings live in locales/digest.<locale>.json, apart from the
// customer-facing catalogs: staff read them, customers never do.

//go:embed locales/digest.*.json
var digestFiles embed.FS

var digestCatalog = sync.OnceValue(func() map[string]*i18n.Localizer { return mustLoadCatalog(digestFiles, "digest") })

// DigestMoreCommand is where staff find more quotes than a digest shows.
const DigestMoreCommand = "/survey quotes"

// DigestCard is a digest worded in its locale, with the structure each
// platform renders natively (a Block Kit header and sections, a Telegram
// message, an embed): the one place digest text is written.
type DigestCard struct {
	Title    string
	Sections []DigestSection
	// Footer points to more quotes; Quiet notes a day without responses.
	Footer string
	Quiet  string
	Dir    TextDirection
	Locale string
}

// DigestSection is one survey's part.
type DigestSection struct {
	Title string
	// Lines are the numbers: headline, change, yesterday, touchpoints.
	Lines []string
	// QuotesTitle heads Quotes, which are whole quote lines.
	QuotesTitle string
	Quotes      []string
}

// Text is the card as plain text: what Telegram posts and `vocbot digest
// preview` prints.
func (c DigestCard) Text() string {
	var b strings.Builder
	b.WriteString(c.Title)
	b.WriteString("\n")
	if c.Quiet != "" {
		b.WriteString(c.Quiet)
		b.WriteString("\n")
	}
	for _, s := range c.Sections {
		b.WriteString("\n")
		b.WriteString(s.Title)
		b.WriteString("\n")
		for _, l := range s.Lines {
			b.WriteString(l)
			b.WriteString("\n")
		}
		if len(s.Quotes) > 0 {
			b.WriteString(s.QuotesTitle)
			b.WriteString("\n")
			for _, q := range s.Quotes {
				b.WriteString(q)
				b.WriteString("\n")
			}
		}
	}
	b.WriteString("\n")
	b.WriteString(c.Footer)
	return scoring.AnchorRTL(c.Locale, b.String()) + "\n"
}

// Text is the digest as plain text.
func (d Digest) Text() string { return d.Card().Text() }

// Card words the digest in its locale.
func (d Digest) Card() DigestCard {
	f := NewDigestFormat(d.Locale)
	c := DigestCard{Locale: f.lang, Title: f.text("digest.title", map[string]any{"Date": f.Date(d.Date)})}
	if f.rtl {
		c.Dir = RTL
	}
	if d.Quiet {
		c.Quiet = f.text("digest.quiet", nil)
	}
	for _, s := range d.Surveys {
		c.Sections = append(c.Sections, f.section(s))
	}
	if d.Loop != nil {
		c.Sections = append(c.Sections, f.loopSection(*d.Loop))
	}
	c.Footer = f.text("digest.more", map[string]any{"Command": f.ltr(DigestMoreCommand)})
	if w := WaitingAlertsLine(f.lang, d.WaitingAlerts, d.AlertWaitTarget); w != "" {
		c.Footer = w + "\n" + c.Footer
	}
	if d.Blocked > 0 {
		c.Footer = f.text("digest.blocked", map[string]any{"N": f.Int(d.Blocked)}) + "\n" + c.Footer
	}
	return c
}

// DigestFormat writes a digest's numbers, dates and names for one locale:
// its digits, separators and bidi isolates.
type DigestFormat struct {
	lang    string
	rtl     bool
	printer *message.Printer
	loc     *i18n.Localizer
}

// NewDigestFormat formats for locale ("he", "fa", "ar-u-nu-latn", …);
// unknown locales fall back to English.
func NewDigestFormat(locale string) *DigestFormat {
	lang, _ := baseLanguage(locale)
	tag, err := language.Parse(locale)
	known := false
	for _, l := range Locales {
		known = known || l == lang
	}
	if !known || err != nil {
		lang, tag = defaultLocale, language.English
	}
	return &DigestFormat{lang: lang, rtl: scoring.IsRTL(lang), printer: message.NewPrinter(tag), loc: digestCatalog()[lang]}
}

// Lang is the base language of the format ("fa").
func (f *DigestFormat) Lang() string { return f.lang }

func (f *DigestFormat) text(id string, data map[string]any) string {
	s, err := f.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Int writes a whole number in the locale's digits, with "−" (U+2212) for
// negatives, isolated left to right in RTL text.
func (f *DigestFormat) Int(n int) string {
	if n >= 0 {
		return f.printer.Sprint(number.Decimal(n))
	}
	return f.ltr("−" + f.printer.Sprint(number.Decimal(-n)))
}

// Signed writes a change with its sign ("+7", "−3", "0").
func (f *DigestFormat) Signed(n int) string {
	switch {
	case n > 0:
		return "+" + f.printer.Sprint(number.Decimal(n))
	case n < 0:
		return "−" + f.printer.Sprint(number.Decimal(-n))
	}
	return f.printer.Sprint(number.Decimal(0))
}

// Percent writes a rounded percentage with the locale's sign.
func (f *DigestFormat) Percent(n int) string {
	s := f.Int(n)
	switch f.lang {
	case "fa", "ar":
		return s + "٪"
	case "ru":
		return s + "\u00a0%"
	}
	return s + "%"
}

// Decimal writes x with one decimal.
func (f *DigestFormat) Decimal(x float64) string {
	return f.printer.Sprint(number.Decimal(x, number.Scale(1)))
}

// Range writes an interval rounded half away from zero ("30–52",
// "−13–5"), isolated left to right in RTL text.
func (f *DigestFormat) Range(iv scoring.Interval) string {
	lo, hi := int(scoring.Round(iv.Lo)), int(scoring.Round(iv.Hi))
	return f.ltr(f.plain(lo) + "–" + f.plain(hi))
}

func (f *DigestFormat) plain(n int) string {
	if n < 0 {
		return "−" + f.printer.Sprint(number.Decimal(-n))
	}
	return f.printer.Sprint(number.Decimal(n))
}

// Date writes a calendar date as YYYY-MM-DD in the locale's digits (Go has
// no Jalali calendar; Gregorian is accepted there).
func (f *DigestFormat) Date(t time.Time) string {
	y, m, d := t.Date()
	two := func(n int) string { return f.printer.Sprint(number.Decimal(n, number.MinIntegerDigits(2))) }
	return f.ltr(f.printer.Sprint(number.Decimal(y, number.NoSeparator())) + "-" + two(int(m)) + "-" + two(d))
}

// ltr isolates a known left-to-right value in RTL text.
func (f *DigestFormat) ltr(s string) string {
	if f.rtl {
		return scoring.IsolateLTR(s)
	}
	return s
}

// name isolates an interpolated name (survey id, touchpoint type, attribute
// value), taking its direction from its first strong character: always in
// RTL text, and in LTR text when it holds right-to-left letters (a Hebrew
// agent name would otherwise pull the number after it into its run).
func (f *DigestFormat) name(s string) string {
	if f.rtl || hasRTL(s) {
		return scoring.Isolate(s)
	}
	return s
}

// sectionTitle heads a survey's section: the team's title for it, else
// its id and metric ("nps · NPS").
func (f *DigestFormat) sectionTitle(s DigestSurvey, metric string) string {
	if s.Title != "" {
		return scoring.AnchorRTL(f.lang, f.name(s.Title))
	}
	return f.text("digest.survey", map[string]any{"Survey": f.name(s.SurveyID), "Metric": metric})
}

func hasRTL(s string) bool {
	for _, r := range s {
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
			return true
		}
	}
	return false
}

// quote isolates a customer's words with their own direction.
func (f *DigestFormat) quote(s, lang string) string {
	switch {
	case scoring.IsRTL(lang):
		return scoring.IsolateRTL(s)
	case f.rtl:
		return scoring.IsolateLTR(s)
	}
	return s
}

// metricName is the metric's acronym: the same in every language.
func metricName(scale scoring.ScaleID) string {
	switch scale {
	case scoring.CES2, scoring.CES1:
		return "CES"
	}
	return scale.Name()
}

// Value writes a cell's displayed score: NPS points, or a percentage.
func (f *DigestFormat) Value(scale scoring.ScaleID, c DigestScore) string {
	if scale == scoring.NPS || scale == scoring.ENPS {
		return f.Int(c.Value)
	}
	return f.Percent(c.Value)
}

func (f *DigestFormat) section(s DigestSurvey) DigestSection {
	metric := f.name(metricName(s.Scale))
	sec := DigestSection{Title: f.sectionTitle(s, metric)}
	data := map[string]any{"Metric": metric, "N": f.Int(s.Current.N)}
	switch {
	case s.Current.Level == scoring.NoResponses:
		sec.Lines = append(sec.Lines, f.text("digest.none", data))
	case !s.Current.HasScore():
		sec.Lines = append(sec.Lines, f.text("digest.countsonly", data))
	default:
		data["Value"] = f.Value(s.Scale, s.Current)
		data["CI"] = f.Range(s.Current.CI)
		id := "digest.headline"
		if s.Scale == scoring.CES2 || s.Scale == scoring.CES1 {
			id = "digest.headline.ces"
			data["Mean"] = f.Decimal(s.Current.Mean)
		}
		line := f.text(id, data)
		if s.Current.Level == scoring.LowN {
			line += " · " + f.text("digest.lown", nil)
		}
		sec.Lines = append(sec.Lines, line)
	}
	if s.Current.HasScore() {
		prev := map[string]any{"N": f.Int(s.Previous.N)}
		if s.HasChange {
			prev["Value"] = f.Value(s.Scale, s.Previous)
			delta := f.Signed(s.Change)
			switch s.Arrow {
			case scoring.Up:
				delta = "▲ " + delta
			case scoring.Down:
				delta = "▼ " + delta
			}
			prev["Delta"] = f.ltr(delta)
			sec.Lines = append(sec.Lines, f.text("digest.change", prev))
		} else {
			sec.Lines = append(sec.Lines, f.text("digest.change.none", prev))
		}
	}
	rate := "—"
	if s.Invited.Sent > 0 {
		pct, _ := scoring.RoundPercent(s.Invited.Answered, s.Invited.Sent)
		rate = f.text("digest.rate", map[string]any{"Rate": f.Percent(pct), "Answered": f.Int(s.Invited.Answered), "Sent": f.Int(s.Invited.Sent)})
	}
	sec.Lines = append(sec.Lines, f.text("digest.yesterday", map[string]any{
		"Responses": f.Int(s.Yesterday.N), "Comments": f.Int(s.Comments), "Rate": rate}))
	if s.Yesterday.HasScore() {
		sec.Lines = append(sec.Lines, f.text("digest.yesterday.score", map[string]any{
			"Metric": metric, "Value": f.Value(s.Scale, s.Yesterday), "N": f.Int(s.Yesterday.N)}))
	}
	if len(s.Touchpoints) > 0 {
		sec.Lines = append(sec.Lines, f.text("digest.touchpoints", nil))
		sec.Lines = append(sec.Lines, f.ranking(s.Scale, s.Touchpoints)...)
	}
	for _, b := range s.Breakdowns {
		sec.Lines = append(sec.Lines, f.text("digest.attribute", map[string]any{"Attribute": f.name(b.Attribute)}))
		sec.Lines = append(sec.Lines, f.ranking(s.Scale, b.Segments)...)
	}
	sec.Lines = append(sec.Lines, f.reasonLines(s)...)
	if len(s.Quotes) > 0 {
		sec.QuotesTitle = f.text("digest.quotes", nil)
		for _, q := range s.Quotes {
			tp := q.Touchpoint
			if tp == "" {
				tp = f.text("digest.notouchpoint", nil)
			} else {
				tp = f.name(tp)
			}
			sec.Quotes = append(sec.Quotes, f.text("digest.quote", map[string]any{
				"Text": f.quote(q.Text, q.Lang), "Score": f.Int(q.Score), "Touchpoint": tp, "Date": f.Date(q.Date)}))
		}
	}
	return sec
}

// ranking writes ranked segments: all on one line when there are three or
// fewer, else the best and the worst (worst first).
func (f *DigestFormat) ranking(scale scoring.ScaleID, ranked []DigestSegment) []string {
	segs := make([]string, len(ranked))
	for i, t := range ranked {
		segs[i] = f.segment(scale, t)
	}
	const each = 3
	if len(segs) <= each {
		return []string{strings.Join(segs, " · ")}
	}
	k := min(each, len(segs)/2)
	worst := make([]string, 0, k)
	for i := len(segs) - 1; i >= len(segs)-k; i-- {
		worst = append(worst, segs[i])
	}
	return []string{
		f.text("digest.best", nil) + ": " + strings.Join(segs[:k], " · "),
		f.text("digest.worst", nil) + ": " + strings.Join(worst, " · "),
	}
}

func (f *DigestFormat) segment(scale scoring.ScaleID, t DigestSegment) string {
	name := t.Name
	if name == "" {
		name = f.text("digest.notouchpoint", nil)
	}
	data := map[string]any{"Name": f.name(name), "N": f.Int(t.Score.N)}
	if !t.Score.HasScore() {
		return f.text("digest.segment.few", data)
	}
	data["Value"] = f.Value(scale, t.Score)
	s := f.text("digest.segment", data)
	if t.Score.Level == scoring.LowN {
		s += " " + f.text("digest.lown", nil)
	}
	return s
}
