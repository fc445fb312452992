package scoring

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz tests for the parsers of outside input: comments (redaction,
// normalization, excerpts) and answers typed in chat. The seeds run as plain
// tests; `go test -fuzz=FuzzRedact ./scoring/` explores further.

func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"call me 050-1234567 or +972 52 123 4567, mail dana@example.co.il",
		"شماره من ۰۹۱۲ ۳۴۵ ۶۷۸۹ است، کد ملی ۰۰۱۲۳۴۵۶۷۹",
		"Мой номер +7 (912) 345-67-89, заказ 123456789012",
		"card 4111 1111 1111 1111 order 4111111111111112 ID 123456782",
		"price 1,299.90 on 01.12.2026 14:30, order #98765432",
		"ל-dana@example.com https://x.example/a?b=1 www.example.org.",
		"رقمي ٠٩١٢٣٤٥٦٧٨٩ (021) 8877-6655 +44 20 7946 0958",
		"a@b.cc@d.ee 12345678-2 123-456789-1 \u200f050\u200f-1234567",
		"\xff\xfe 0501234567",
		"",
	} {
		f.Add(s, "")
		f.Add(s, "he")
	}
	f.Fuzz(func(t *testing.T, text, locale string) {
		r := Redact(text, locale)
		if !utf8.ValidString(r.Text) {
			t.Fatalf("Redact(%q).Text = %q is not valid UTF-8", text, r.Text)
		}
		valid := strings.ToValidUTF8(text, "\uFFFD")
		at := 0
		for _, m := range r.Matches {
			if m.Start < at || m.End <= m.Start || m.End > len(valid) {
				t.Fatalf("Redact(%q): bad or overlapping match %+v after offset %d", text, m, at)
			}
			at = m.End
		}
		if len(r.Matches) == 0 && r.Text != valid {
			t.Fatalf("Redact(%q) changed the text without a match: %q", text, r.Text)
		}
		if r.PIIShare < 0 || r.PIIShare > 1 {
			t.Fatalf("Redact(%q).PIIShare = %v, want within [0, 1]", text, r.PIIShare)
		}
		// Idempotence also proves that no pass finds anything left over.
		if again := Redact(r.Text, locale); again.Text != r.Text {
			t.Fatalf("Redact not idempotent on %q:\n once  %q\n twice %q", text, r.Text, again.Text)
		}
	})
}

func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{"9", "۹", "٩", "10", "۱۰", "١٠", " 7 ", "\u200f8\u200f", "9!", "10؟", "+3",
		"-1", "11", "7.5", "7,5", "about 7", "", "0000000000000000009", "99999999999999999999", "٩٩", "٣."} {
		f.Add(s, 0, 10)
	}
	f.Add("3", 1, 5)
	f.Add("5", 5, 1)
	f.Fuzz(func(t *testing.T, text string, lo, hi int) {
		n, err := ParseAnswer(text, lo, hi)
		if err != nil {
			var ae *AnswerError
			if !errors.As(err, &ae) || (!errors.Is(err, ErrAnswerNotNumber) && !errors.Is(err, ErrAnswerOutOfRange)) {
				t.Fatalf("ParseAnswer(%q, %d, %d) error %v is not an *AnswerError with a sentinel", text, lo, hi, err)
			}
			if n != 0 {
				t.Fatalf("ParseAnswer(%q, %d, %d) = %d with an error, want 0", text, lo, hi, n)
			}
		} else if n < lo || n > hi {
			t.Fatalf("ParseAnswer(%q, %d, %d) = %d, outside the scale", text, lo, hi, n)
		}
		// Persian and Arabic-Indic digits mean what ASCII digits mean, and
		// bidi marks around the answer change nothing.
		for _, variant := range []string{FoldDigits(text), string(RLM) + text + string(LRM)} {
			n2, err2 := ParseAnswer(variant, lo, hi)
			if n2 != n || (err == nil) != (err2 == nil) || (err != nil && !errors.Is(err2, errors.Unwrap(err))) {
				t.Fatalf("ParseAnswer(%q) = %d, %v but ParseAnswer(%q) = %d, %v", text, n, err, variant, n2, err2)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Ёлки ЁЛКИ", "كيف حالك؟ أنا بخير", "שָׁלוֹם עוֹלָם", "مـــــرحبا", "e\u0301 \u00e9",
		"ا\u0653", "a\u05b0\u0301", "۱۲۳ ٤٥٦", "\u2067שלום\u2069 Acme", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent on %q:\n once  %q\n twice %q", s, n, again)
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	for _, s := range []string{
		"Первое предложение. Второе про доставку! Третье?",
		"שָׁלוֹם עֲלֵיכֶם חֲבֵרִים יְקָרִים מְאֹד מְאֹד. עוד משפט.",
		"👩\u200D👩\u200D👧\u200D👦👩\u200D👩\u200D👧\u200D👦👩\u200D👩\u200D👧\u200D👦 family family family",
		"بسیار عالی بود؟ ممنون از شما. ارسال سریع بود",
		"     ",
	} {
		f.Add(s, "", 10)
		f.Add(s, "доставку", 25)
	}
	f.Fuzz(func(t *testing.T, text, near string, limit int) {
		if !utf8.ValidString(text) || limit > 10000 || limit < -10 {
			t.Skip()
		}
		got, cut := Excerpt(text, near, limit)
		if !cut {
			if got != text {
				t.Fatalf("Excerpt(%q, %q, %d) = %q uncut, want the text", text, near, limit, got)
			}
			return
		}
		if n := graphemeCount(got); n > max(limit, 2) {
			t.Fatalf("Excerpt(%q, %q, %d) = %q has %d characters", text, near, limit, got, n)
		}
		body := strings.TrimSuffix(strings.TrimPrefix(got, Ellipsis+" "), Ellipsis)
		body = strings.TrimSuffix(body, " ")
		if !strings.Contains(text, body) {
			t.Fatalf("Excerpt(%q, %q, %d) = %q is not a piece of the text", text, near, limit, got)
		}
	})
}

func FuzzSelectQuotes(f *testing.F) {
	f.Add("The courier was two hours late and nobody answered the phone.", "השליח איחר בשעתיים ואף אחד לא ענה לטלפון", "Great app... checkout took a minute!", 2, 9, 3, "delivery")
	f.Add("call me 050-1234567", "x", "", 0, 10, 5, "")
	f.Add(strings.Repeat("Все было хорошо. ", 40), "بسته دیر رسید و کسی جواب تلفن را نداد، خیلی بد بود", "a b c d e f g h i j k l", 7, 4, 1, "хорошо")
	f.Fuzz(func(t *testing.T, a, b, c string, sa, sb, k int, theme string) {
		if k > 20 {
			t.Skip()
		}
		pool := []Comment{
			{ResponseID: "a", Text: a, Scale: NPS, Score: sa, At: quoteNow, Theme: theme},
			{ResponseID: "b", Text: b, Scale: CSAT, Score: sb, At: quoteNow.Add(-time.Hour), Theme: theme},
			{ResponseID: "c", Text: c, Scale: CES2, Score: 7, At: quoteNow.Add(-30 * time.Hour)},
			{ResponseID: "d", Text: a + " " + c, Scale: NPS, Score: 0, At: quoteNow},
		}
		got := SelectQuotes(pool, k, quoteOpts())
		if len(got) > max(k, 0) {
			t.Fatalf("%d quotes for k = %d", len(got), k)
		}
		for i, q := range got {
			if !utf8.ValidString(q.Text) || graphemeCount(q.Text) > QuoteMaxChars {
				t.Fatalf("quote %q: invalid or too long", q.Text)
			}
			if i > 0 && q.Bucket < got[i-1].Bucket {
				t.Fatalf("%v after %v", q.Bucket, got[i-1].Bucket)
			}
			for _, v := range []float64{q.Score.Total, q.Score.Informative, q.Score.Extreme, q.Score.Recent, q.Score.Length} {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("quote %s: score part %v outside [0, 1]: %+v", q.ResponseID, v, q.Score)
				}
			}
		}
		slices.Reverse(pool)
		again := SelectQuotes(pool, k, quoteOpts())
		if !slices.EqualFunc(got, again, func(x, y Quote) bool { return x.ResponseID == y.ResponseID && x.Text == y.Text }) {
			t.Fatalf("reversed input changed the quotes: %+v, then %+v", got, again)
		}
	})
}
