package scoring_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// A day's comments become the digest's quotes: personal data redacted,
// noise ("ok", "!!!!") and repeats dropped (r1 and r2 say the same; r2's 1
// is more extreme than r1's 2), detractors first, in the order picked.
func ExampleSelectQuotes() {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ago := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	comments := []scoring.Comment{
		{ResponseID: "r1", Text: "The courier was two hours late and nobody answered the phone.", Scale: scoring.NPS, Score: 2, At: ago(5)},
		{ResponseID: "r2", Text: "The courier was two hours late and nobody answered the phone!", Scale: scoring.NPS, Score: 1, At: ago(6)},
		{ResponseID: "r3", Text: "Курьер опоздал на два часа, позвоните мне: +7 (912) 345-67-89", Scale: scoring.NPS, Score: 0, At: ago(8)},
		{ResponseID: "r4", Text: "Good service, good prices, fast delivery to Haifa.", Scale: scoring.NPS, Score: 8, At: ago(20)},
		{ResponseID: "r5", Text: "האפליקציה מעולה, ההחזר הכספי הגיע תוך יום אחד בלבד!", Scale: scoring.NPS, Score: 9, At: ago(1)},
		{ResponseID: "r6", Text: "ok", Scale: scoring.NPS, Score: 10, At: ago(1)},
		{ResponseID: "r7", Text: "Amazing!!!! love love love it", Scale: scoring.NPS, Score: 10, At: ago(1)},
	}
	quotes := scoring.SelectQuotes(comments, 4, scoring.QuoteOptions{Workspace: "acme", Now: now, Language: "he"})
	for _, q := range quotes {
		fmt.Printf("%-9v %s %s %q\n", q.Bucket, q.ResponseID, q.Lang, q.Text)
	}
	// Output:
	// detractor r3 ru "Курьер опоздал на два часа, позвоните мне: [телефон]"
	// detractor r2 en "The courier was two hours late and nobody answered the phone!"
	// passive   r4 en "Good service, good prices, fast delivery to Haifa."
	// promoter  r5 he "האפליקציה מעולה, ההחזר הכספי הגיע תוך יום אחד בלבד!"
}

// Redaction keeps the numbers that make feedback useful and removes the
// ones that identify the customer, in the comment's own language.
func ExampleRedact() {
	for _, text := range []string{
		"הזמנה 4111111111111112 לא הגיעה, תתקשרו ל-050-1234567 או dana@example.com",
		"کد ملی من ۰۰۱۲۳۴۵۶۷۹ است و شماره\u200Cام ۰۹۱۲ ۳۴۵ ۶۷۸۹",
		"Paid ₪1,299.90 on 01.12.2026 with card 4111 1111 1111 1111",
	} {
		r := scoring.Redact(text, "")
		fmt.Printf("%s: %s\n", r.Lang, r.Text)
	}
	// Output:
	// he: הזמנה 4111111111111112 לא הגיעה, תתקשרו ל-[טלפון] או [email]
	// fa: کد ملی من [ID] است و شماره‌ام [تلفن]
	// en: Paid ₪1,299.90 on 01.12.2026 with card [card]
}

// A chat adapter reads typed scores in any digit set, and re-prompts with
// the right words when the reply is not a score.
func ExampleParseAnswer() {
	for _, reply := range []string{"9", "۹", "٩", "۱۰!", "11", "7.5"} {
		n, err := scoring.ParseAnswer(reply, 0, 10)
		switch {
		case errors.Is(err, scoring.ErrAnswerOutOfRange):
			fmt.Printf("%s: pick a number from 0 to 10\n", reply)
		case errors.Is(err, scoring.ErrAnswerNotNumber):
			fmt.Printf("%s: reply with a number\n", reply)
		default:
			fmt.Printf("%s: %d\n", reply, n)
		}
	}
	// Output:
	// 9: 9
	// ۹: 9
	// ٩: 9
	// ۱۰!: 10
	// 11: pick a number from 0 to 10
	// 7.5: reply with a number
}

// Language by script; Persian and Arabic by the letters only one of them
// uses, and the workspace language when the letters cannot tell.
func ExampleDetectLanguage() {
	for _, text := range []string{"שירות מעולה", "Очень доволен", "خیلی گران بود", "الخدمة ممتازة", "سلام", "👍"} {
		lang, conf := scoring.DetectLanguage(text, "fa")
		fmt.Printf("%s %.2f\n", lang, conf)
	}
	// Output:
	// he 1.00
	// ru 1.00
	// fa 1.00
	// ar 1.00
	// fa 0.50
	// fa 0.00
}

// Matching ignores how a word was typed: Arabic or Persian keyboard,
// diacritics, digit set, case.
func ExampleNormalize() {
	fmt.Println(scoring.Normalize("خيلي ممنون") == scoring.Normalize("خیلی ممنون"))
	fmt.Println(scoring.Normalize("שָׁלוֹם"), scoring.Normalize("Ёлка ۱۲"), scoring.Normalize("كَتَبَ"))
	// Output:
	// true
	// שלום елка 12 کتب
}

// Long comments are cut at a sentence near the theme, never inside a
// character.
func ExampleExcerpt() {
	text := "Первое предложение короткое. Второе про доставку, она опоздала! Третье очень длинное предложение без конца и края"
	fmt.Println(scoring.Excerpt(text, "доставку", 40))
	fmt.Println(scoring.Excerpt("Short and sweet.", "", 280))
	// Output:
	// … Второе про доставку, она опоздала! … true
	// Short and sweet. false
}

// Hebrew digest lines start right to left whatever they open with, and
// interpolated values are isolated.
func ExampleAnchorRTL() {
	line := "NPS ל־28 ימים: " + scoring.IsolateLTR("42 (±8) ▲5") + " · " + scoring.Isolate("Checkout App")
	fmt.Printf("%+q\n", scoring.AnchorRTL("he", line))
	// Output:
	// "\u200fNPS \u05dc\u05be28 \u05d9\u05de\u05d9\u05dd: \u206642 (\u00b18) \u25b25\u2069 \u00b7 \u2068Checkout App\u2069"
}
