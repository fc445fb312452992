package scoring

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// benchComments builds n synthetic comments, from the random seed, in he, fa, ar, ru and en from
// phrase fragments, with scores 0–10, ages up to two days, and a phone
// number or e-mail in one comment of twenty: a busy workspace's day.
func benchComments(n int, seed uint64) []Comment {
	frags := [][]string{
		{"השליח איחר בשעתיים", "האפליקציה קורסת בתשלום", "שירות לקוחות מעולה", "ההחזר הכספי לקח שבועיים", "המחיר גבוה מדי", "המוצר הגיע שבור", "הכול עבד בצורה חלקה"},
		{"بسته دیر رسید", "پشتیبانی خیلی خوب بود", "قیمت\u200Cها گران است", "اپلیکیشن هنگام پرداخت بسته شد", "ارسال سریع بود", "کالا آسیب دیده بود", "همه چیز عالی بود"},
		{"تأخر المندوب ساعتين", "خدمة العملاء ممتازة", "التطبيق بطيء عند الدفع", "استرداد المبلغ استغرق أسبوعين", "الأسعار مرتفعة", "وصل المنتج مكسورا", "كل شيء كان رائعا"},
		{"Курьер опоздал на два часа", "Поддержка ответила быстро", "Приложение вылетает при оплате", "Возврат денег занял две недели", "Цены слишком высокие", "Товар пришёл сломанным", "Всё прошло отлично"},
		{"The courier was two hours late", "Support answered within minutes", "The app crashes at checkout", "The refund took two weeks", "Prices are too high", "The item arrived broken", "Everything went smoothly"},
	}
	pii := []string{"call me 050-1234567", "+7 (912) 345-67-89", "dana@example.com", "۰۹۱۲ ۳۴۵ ۶۷۸۹"}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(seed, 11))
	cs := make([]Comment, n)
	for i := range cs {
		lang := frags[rng.IntN(len(frags))]
		parts := make([]string, 1+rng.IntN(4))
		for j := range parts {
			parts[j] = lang[rng.IntN(len(lang))]
		}
		text := strings.Join(parts, ". ") + "."
		if i%20 == 0 {
			text += " " + pii[rng.IntN(len(pii))]
		}
		cs[i] = Comment{
			ResponseID: fmt.Sprintf("resp-%06d", i),
			Text:       text,
			Scale:      NPS,
			Score:      rng.IntN(11),
			At:         now.Add(-time.Duration(rng.IntN(48*60)) * time.Minute),
		}
	}
	return cs
}

// BenchmarkSelectQuotes10k selects a digest's 5 quotes from a day of 10,000
// comments: redaction, eligibility, TF-IDF, quotas, MMR and excerpts.
func BenchmarkSelectQuotes10k(b *testing.B) {
	cs := benchComments(10000, 7)
	opts := QuoteOptions{Workspace: "acme", Now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Language: "he"}
	b.ReportAllocs()
	for b.Loop() {
		if q := SelectQuotes(cs, 5, opts); len(q) != 5 {
			b.Fatalf("got %d quotes", len(q))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/comment")
}

// BenchmarkRedact redacts one comment of the benchmark mix at a time; one in
// twenty has personal data.
func BenchmarkRedact(b *testing.B) {
	cs := benchComments(1000, 7)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Redact(cs[i%len(cs)].Text, "")
		i++
	}
}

// BenchmarkRedactPII redacts a comment full of personal data in every format.
func BenchmarkRedactPII(b *testing.B) {
	text := "call me 050-1234567 or +972 52 123 4567, mail dana@example.co.il, کد ملی ۰۰۱۲۳۴۵۶۷۹, card 4111 1111 1111 1111, +7 (912) 345-67-89, order 4111111111111112"
	b.ReportAllocs()
	for b.Loop() {
		Redact(text, "")
	}
}
