package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestQuotaSplit(t *testing.T) {
	t.Parallel()
	// n = eligible comments per (detractor, passive, promoter); raw shares
	// k·n/N worked out by hand in each comment.
	tests := []struct {
		k    int
		n    [3]int
		want [3]int
	}{
		// raw 0.5, 0.75, 3.75 → ceil/floor 1, 0, 3 → passive gets its one: 5.
		{5, [3]int{2, 3, 15}, [3]int{1, 1, 3}},
		// raw 5/3 each → 2, 1, 1 = 4; the fifth to the largest remainder,
		// passives and promoters tie at 2/3 → promoters.
		{5, [3]int{10, 10, 10}, [3]int{2, 1, 2}},
		// raw 2.5, 1.25, 1.25 → detractors rounded up: 3, 1, 1.
		{5, [3]int{50, 25, 25}, [3]int{3, 1, 1}},
		// raw 0.24, 0, 4.76 → 1, 0, 4.
		{5, [3]int{1, 0, 20}, [3]int{1, 0, 4}},
		// raw 0.15, 2.0, 2.85 → 1, 2, 2.
		{5, [3]int{3, 40, 57}, [3]int{1, 2, 2}},
		// raw 1.5, 0.5, 3 → 2, 0, 3 → passive 1: 6 > 5; promoters give one
		// back before detractors lose their rounding: 2, 1, 2.
		{5, [3]int{6, 2, 12}, [3]int{2, 1, 2}},
		// raw 2.7, 0.3, 0 → 3, 0, 0 → passive 1: 4 > 3; only detractors are
		// above one: 2, 1, 0.
		{3, [3]int{9, 1, 0}, [3]int{2, 1, 0}},
		// raw 0.5, 0.5, 5 → 1, 0, 5 → passive 1: 7 > 6 → promoters: 1, 1, 4.
		{6, [3]int{1, 1, 10}, [3]int{1, 1, 4}},
		// k smaller than the non-empty buckets: detractors keep theirs, the
		// smallest other bucket (passives, 3) goes without, then promoters.
		{2, [3]int{5, 3, 10}, [3]int{1, 0, 1}},
		{1, [3]int{5, 3, 10}, [3]int{1, 0, 0}},
		// No detractors: raw 0, 0.46, 1.54 → 0, 0, 1 → passive 1.
		{2, [3]int{0, 3, 10}, [3]int{0, 1, 1}},
		// One bucket.
		{5, [3]int{0, 0, 7}, [3]int{0, 0, 5}},
		// Fewer comments than quotes: all of them.
		{10, [3]int{2, 3, 4}, [3]int{2, 3, 4}},
		{5, [3]int{1, 2, 2}, [3]int{1, 2, 2}},
		// Nothing to split.
		{0, [3]int{1, 2, 3}, [3]int{}},
		{5, [3]int{}, [3]int{}},
	}
	for _, tt := range tests {
		got := quotaSplit(tt.k, tt.n)
		if got != tt.want {
			t.Errorf("quotaSplit(%d, %v) = %v, want %v", tt.k, tt.n, got, tt.want)
		}
	}
	// Properties over many splits: the total is min(k, N), no bucket gets
	// more than it has, and every non-empty bucket gets one when k allows.
	for k := 1; k <= 8; k++ {
		for d := range 6 {
			for pa := range 6 {
				for p := range 6 {
					n := [3]int{d, pa, p}
					q := quotaSplit(k, n)
					nonEmpty, total := 0, d+pa+p
					for i := range n {
						if n[i] > 0 {
							nonEmpty++
						}
						if q[i] > n[i] || q[i] < 0 {
							t.Fatalf("quotaSplit(%d, %v) = %v exceeds a bucket", k, n, q)
						}
						if n[i] > 0 && q[i] == 0 && k >= nonEmpty && i == 0 {
							t.Fatalf("quotaSplit(%d, %v) = %v leaves detractors out", k, n, q)
						}
					}
					if q[0]+q[1]+q[2] != min(k, total) {
						t.Fatalf("quotaSplit(%d, %v) = %v, want %d in all", k, n, q, min(k, total))
					}
					if k >= nonEmpty {
						for i := range n {
							if n[i] > 0 && q[i] == 0 {
								t.Fatalf("quotaSplit(%d, %v) = %v leaves a non-empty bucket out", k, n, q)
							}
						}
					}
				}
			}
		}
	}
}

func TestQuoteScoreParts(t *testing.T) {
	t.Parallel()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	for _, tt := range []struct {
		scale ScaleID
		score int
		want  float64
	}{
		{NPS, 0, 1}, {NPS, 6, 1.5 / 7.5}, {NPS, 7, 0.5 / 7.5}, {NPS, 8, 0.5 / 7.5}, {NPS, 10, 2.5 / 7.5},
		{ENPS, 0, 1},
		{CSAT, 1, 1}, {CSAT, 3, 0}, {CSAT, 4, 0.5}, {CSAT, 5, 1},
		{CES2, 1, 1}, {CES2, 4, 0}, {CES2, 6, 2.0 / 3}, {CES2, 7, 1},
		{CES1, 1, 1}, {CES1, 3, 0},
		{ScaleID("stars"), 5, 0},
	} {
		if got := extremity(tt.scale, tt.score); !near(got, tt.want) {
			t.Errorf("extremity(%s, %d) = %v, want %v", tt.scale, tt.score, got, tt.want)
		}
	}
	for _, tt := range []struct {
		chars int
		want  float64
	}{
		{0, 0}, {20, 0}, {40, 0.5}, {59, 39.0 / 40}, {60, 1}, {200, 1}, {280, 1},
		{640, 0.5}, {999, 1.0 / 720}, {1000, 0}, {5000, 0},
	} {
		if got := lengthScore(tt.chars); !near(got, tt.want) {
			t.Errorf("lengthScore(%d) = %v, want %v", tt.chars, got, tt.want)
		}
	}
	for _, tt := range []struct {
		age  time.Duration
		want float64
	}{
		{0, 1}, {24 * time.Hour, math.Exp(-1)}, {12 * time.Hour, math.Exp(-0.5)}, {-time.Hour, 1},
	} {
		if got := recency(tt.age); !near(got, tt.want) {
			t.Errorf("recency(%v) = %v, want %v", tt.age, got, tt.want)
		}
	}
}

func TestQuoteEligible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, lang string
		want       bool
	}{
		{"The courier was two hours late.", "en", true},
		{"Too short really", "en", false},                    // 16 characters
		{"Excellent-service-thank-you!", "en", false},        // 28 characters, one token
		{"שירות מעולה תודה רבה לכם", "he", true},             // 24 characters, fine in he
		{"عالی بود، ممنون از همه شما", "fa", true},           // clitics: characters decide
		{"Мне всё понравилось, спасибо!", "ru", true},        //
		{"Great service!!! thank you so much", "en", false},  // "!!!"
		{"Sooo good, really loved it all", "en", false},      // "ooo"
		{"ОООчень хорошо, всем спасибо", "ru", false},        // case-folded "ооо"
		{"Paid 1000 shekels, worth every one", "en", true},   // digits may repeat
		{"The courier was late... again, sadly", "en", true}, // "..." is an ellipsis
		{"10/10 10/10 10/10 10/10 10/10 :)", "en", false},    // letters < half
		{"👍👍 👍👍 👍👍 👍👍 👍👍 👍👍 👍👍 ok ok", "en", false},          // emoji are not letters
		{"שָׁלוֹם", "he", false},                             // marks do not count
	}
	for _, tt := range tests {
		_, got := quoteEligible(tt.text, Normalize(tt.text), tt.lang)
		if got != tt.want {
			t.Errorf("quoteEligible(%q, %s) = %v, want %v", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestJaccardAndShingles(t *testing.T) {
	t.Parallel()
	var g gramScratch
	a := g.shingles(Normalize("The courier was two hours late."))
	b := g.shingles(Normalize("the courier was two hours late!!"))
	if got := jaccard(a, b); got != 1 {
		t.Errorf("jaccard of texts differing in case and punctuation = %v, want 1", got)
	}
	if got := jaccard([]uint64{1, 2, 3, 4}, []uint64{3, 4, 5}); got != 2.0/5 {
		t.Errorf("jaccard({1,2,3,4}, {3,4,5}) = %v, want 2/5", got)
	}
	if got := jaccard(nil, nil); got != 0 {
		t.Errorf("jaccard(∅, ∅) = %v, want 0", got)
	}
	// " abc " has 5 runes, so one 5-gram, two 4-grams and three 3-grams,
	// all distinct.
	if tf := g.termFreqs("abc"); len(tf) != 6 {
		t.Errorf("termFreqs(abc) has %d grams, want 6", len(tf))
	}
	// " aaaa a " (after "aaaa, a"): the 3-gram " a " occurs once, "aaa"
	// twice.
	tf := g.termFreqs("aaaa, a")
	counts := map[uint64]int32{}
	for _, x := range tf {
		counts[x.h] = x.n
	}
	if got := counts[gramHash([]rune("aaa"))]; got != 2 {
		t.Errorf("count of aaa = %d, want 2", got)
	}
	if gt := gramText("Hello, world!"); gt != " Hello world " {
		t.Errorf("gramText = %q, want %q", gt, " Hello world ")
	}
}

var quoteNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// quotePool is a day's comments in five languages, with duplicates, PII,
// noise and a long comment.
func quotePool() []Comment {
	h := func(n int) time.Time { return quoteNow.Add(-time.Duration(n) * time.Hour) }
	return []Comment{
		{ResponseID: "r01", Text: "The courier was two hours late and nobody answered the phone.", Scale: NPS, Score: 2, At: h(5), Theme: "delivery"},
		{ResponseID: "r02", Text: "The courier was two hours late and nobody answered the phone!", Scale: NPS, Score: 1, At: h(6), Theme: "delivery"},
		{ResponseID: "r03", Text: "השליח איחר בשעתיים ואף אחד לא ענה לטלפון, ממש מאכזב.", Scale: NPS, Score: 3, At: h(3), Theme: "delivery"},
		{ResponseID: "r04", Text: "Курьер опоздал на два часа, позвоните мне: +7 (912) 345-67-89", Scale: NPS, Score: 0, At: h(8), Theme: "delivery"},
		{ResponseID: "r05", Text: "بسته دیر رسید و کسی جواب تلفن را نداد، خیلی بد بود", Scale: NPS, Score: 4, At: h(2), Theme: "delivery"},
		{ResponseID: "r06", Text: "Good service, good prices, fast delivery to Haifa.", Scale: NPS, Score: 8, At: h(20)},
		{ResponseID: "r07", Text: "الخدمة جيدة لكن التطبيق بطيء أحيانا عند الدفع", Scale: NPS, Score: 7, At: h(10), Theme: "app"},
		{ResponseID: "r08", Text: "Great app, checkout took less than a minute and the refund was instant.", Scale: NPS, Score: 10, At: h(10), Theme: "app"},
		{ResponseID: "r09", Text: "האפליקציה מעולה, ההחזר הכספי הגיע תוך יום אחד בלבד!", Scale: NPS, Score: 9, At: h(1), Theme: "app"},
		{ResponseID: "r10", Text: "ok", Scale: NPS, Score: 9, At: h(1)},
		{ResponseID: "r11", Text: "call me 050-1234567", Scale: NPS, Score: 0, At: h(1)},
		{ResponseID: "r12", Text: "Amazing!!!! love love love it", Scale: NPS, Score: 10, At: h(1)},
		{ResponseID: "r13", Text: "Out of range score, never quoted at all.", Scale: NPS, Score: 11, At: h(1)},
		{ResponseID: "r14", Text: strings.Repeat("Все было хорошо, но упаковка немного помялась в дороге. ", 8) + "Спасибо!", Scale: NPS, Score: 8, At: h(4)},
	}
}

func quoteOpts() QuoteOptions {
	return QuoteOptions{Workspace: "acme", Now: quoteNow, Language: "he"}
}

func TestSelectQuotesPool(t *testing.T) {
	t.Parallel()
	quotes := SelectQuotes(quotePool(), 5, quoteOpts())
	if len(quotes) != 5 {
		t.Fatalf("got %d quotes, want 5: %+v", len(quotes), quotes)
	}
	// Eligible: detractors r01/r02 (one near-duplicate pair), r03, r04, r05;
	// passives r06, r07, r14; promoters r08, r09. r10 (short), r11 (mostly
	// PII), r12 ("!!!!") and r13 (score 11) are out. N = 10 with the pair
	// counted twice: D 5, Pa 3, P 2 → raw 2.5, 1.5, 1 → 3, 1, 1.
	var buckets []Bucket
	seen := map[string]bool{}
	for _, q := range quotes {
		buckets = append(buckets, q.Bucket)
		seen[q.ResponseID] = true
		if n := graphemeCount(q.Text); n > QuoteMaxChars {
			t.Errorf("quote %s has %d characters", q.ResponseID, n)
		}
		if q.Score.Total < 0 || q.Score.Total > 1 {
			t.Errorf("quote %s score %v outside [0, 1]", q.ResponseID, q.Score.Total)
		}
	}
	if diff := cmp.Diff([]Bucket{Detractor, Detractor, Detractor, Passive, Promoter}, buckets); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}
	if seen["r01"] && seen["r02"] {
		t.Errorf("both near-duplicates r01 and r02 were quoted")
	}
	for _, id := range []string{"r10", "r11", "r12", "r13"} {
		if seen[id] {
			t.Errorf("ineligible comment %s was quoted", id)
		}
	}
}

func TestSelectQuotesRedactsAndExcerpts(t *testing.T) {
	t.Parallel()
	pool := quotePool()
	quotes := SelectQuotes(pool, len(pool), quoteOpts())
	byID := map[string]Quote{}
	for _, q := range quotes {
		byID[q.ResponseID] = q
	}
	r04, ok := byID["r04"]
	if !ok {
		t.Fatalf("r04 not quoted: %+v", quotes)
	}
	if want := "Курьер опоздал на два часа, позвоните мне: [телефон]"; r04.Text != want || r04.Lang != "ru" {
		t.Errorf("r04 = %q (%s), want %q (ru)", r04.Text, r04.Lang, want)
	}
	r14, ok := byID["r14"]
	if !ok {
		t.Fatalf("r14 not quoted: %+v", quotes)
	}
	// 8 sentences of 55 characters plus a space each: five fit in 280 with
	// " …" (5·56 − 1 + 2 = 281 is one too many, so four: 4·56 − 1 + 2 = 225).
	want := strings.TrimSpace(strings.Repeat("Все было хорошо, но упаковка немного помялась в дороге. ", 4)) + " …"
	if !r14.Excerpt || r14.Text != want {
		t.Errorf("r14 = %q (excerpt %v), want %q", r14.Text, r14.Excerpt, want)
	}
	for _, q := range quotes {
		if q.ResponseID != "r14" && q.Excerpt {
			t.Errorf("%s is an excerpt", q.ResponseID)
		}
	}
}

// The same comments in any order give the same quotes.
func TestSelectQuotesPermutation(t *testing.T) {
	t.Parallel()
	pool := quotePool()
	want := SelectQuotes(pool, 5, quoteOpts())
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		shuffled := slices.Clone(pool)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := SelectQuotes(shuffled, 5, quoteOpts())
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("permutation %d changed the quotes (-want +got):\n%s", i, diff)
		}
	}
}

// Equal comments are told apart by the hash of (workspace, date, response
// ID), so the pick among them is stable for a day and rotates across days.
func TestSelectQuotesTieBreak(t *testing.T) {
	t.Parallel()
	text := "The courier was two hours late and nobody answered the phone."
	var pool []Comment
	for i := range 6 {
		pool = append(pool, Comment{ResponseID: fmt.Sprintf("r%d", i), Text: text, Scale: NPS, Score: 2, At: quoteNow})
	}
	picks := map[string]bool{}
	for day := range 10 {
		opts := quoteOpts()
		opts.Now = quoteNow.AddDate(0, 0, day)
		got := SelectQuotes(pool, 3, opts)
		if len(got) != 1 { // the rest are near-duplicates of the first
			t.Fatalf("day %d: got %d quotes, want 1", day, len(got))
		}
		// The expected pick: the smallest tie hash.
		date := opts.Now.Format(time.DateOnly)
		want := slices.MinFunc(pool, func(a, b Comment) int {
			return cmpUint64(tieHash("acme", date, a.ResponseID), tieHash("acme", date, b.ResponseID))
		})
		if got[0].ResponseID != want.ResponseID {
			t.Errorf("day %d: picked %s, want %s (smallest tie hash)", day, got[0].ResponseID, want.ResponseID)
		}
		picks[got[0].ResponseID] = true
	}
	if len(picks) < 2 {
		t.Errorf("ten days picked only %v: the tie-break does not rotate", picks)
	}
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestSelectQuotesMemoryAndBlocklist(t *testing.T) {
	t.Parallel()
	pool := []Comment{
		{ResponseID: "a", Text: "The courier was two hours late and nobody answered the phone.", Scale: NPS, Score: 2, At: quoteNow},
		{ResponseID: "b", Text: "Checkout is a damn maze, I gave up twice before paying.", Scale: NPS, Score: 3, At: quoteNow},
		{ResponseID: "c", Text: "This class of service is not what we paid for at all.", Scale: NPS, Score: 4, At: quoteNow},
	}
	opts := quoteOpts()
	opts.Recent = []string{"the courier was two hours late, and nobody answered the phone"}
	opts.Blocklist = []string{"DAMN", "ass"}
	var got []string
	for _, q := range SelectQuotes(pool, 3, opts) {
		got = append(got, q.ResponseID)
	}
	// a repeats a quote of the last 7 days; b has a blocked word; "ass"
	// does not block "class".
	if diff := cmp.Diff([]string{"c"}, got); diff != "" {
		t.Errorf("quotes (-want +got):\n%s", diff)
	}
}

// Within a theme the medoid goes first: the outlier of the "delivery"
// theme is not its representative even when it scores higher.
func TestSelectQuotesMedoid(t *testing.T) {
	t.Parallel()
	pool := []Comment{
		{ResponseID: "m1", Text: "The delivery was late by two hours again this week.", Scale: NPS, Score: 5, At: quoteNow, Theme: "delivery"},
		{ResponseID: "m2", Text: "The delivery was late by three hours again this week.", Scale: NPS, Score: 5, At: quoteNow, Theme: "delivery"},
		{ResponseID: "m3", Text: "The delivery was late by four hours again, sadly.", Scale: NPS, Score: 5, At: quoteNow, Theme: "delivery"},
		{ResponseID: "x", Text: "Zebra-striped packaging arrived torn; quixotic voucher rejected.", Scale: NPS, Score: 0, At: quoteNow, Theme: "delivery"},
	}
	got := SelectQuotes(pool, 1, quoteOpts())
	if len(got) != 1 || got[0].ResponseID == "x" {
		t.Fatalf("picked %+v, want one of the central m1, m2, m3", got)
	}
	// Without themes the outlier, most extreme and most unusual, wins.
	for i := range pool {
		pool[i].Theme = ""
	}
	got = SelectQuotes(pool, 1, quoteOpts())
	if len(got) != 1 || got[0].ResponseID != "x" {
		t.Fatalf("picked %+v without themes, want x", got)
	}
}

// MMR: after the best comment, a comment that says something else beats one
// that repeats it in other words.
func TestSelectQuotesDiversity(t *testing.T) {
	t.Parallel()
	pool := []Comment{
		{ResponseID: "a", Text: "Refund took three weeks and support kept closing my ticket.", Scale: NPS, Score: 0, At: quoteNow},
		{ResponseID: "b", Text: "Refund took three weeks, and support kept closing the ticket again.", Scale: NPS, Score: 0, At: quoteNow},
		{ResponseID: "c", Text: "The app crashes every time I open the order history page.", Scale: NPS, Score: 0, At: quoteNow.Add(-2 * time.Hour)},
	}
	got := SelectQuotes(pool, 2, quoteOpts())
	ids := []string{got[0].ResponseID, got[1].ResponseID}
	if !slices.Contains(ids, "c") {
		t.Errorf("picked %v, want the different comment c among them", ids)
	}
}

func TestSelectQuotesEdges(t *testing.T) {
	t.Parallel()
	if got := SelectQuotes(quotePool(), 0, quoteOpts()); got != nil {
		t.Errorf("k = 0: got %v, want nil", got)
	}
	if got := SelectQuotes(nil, 5, quoteOpts()); got != nil {
		t.Errorf("no comments: got %v, want nil", got)
	}
	// Languages come from the text when not given, else as given.
	pool := []Comment{
		{ResponseID: "1", Text: "سلام، سفارش خیلی دیر رسید و پشتیبانی هم جواب نداد", Scale: CSAT, Score: 1, At: quoteNow},
		{ResponseID: "2", Text: "Shipping was quick and the box was intact, thanks.", Scale: CSAT, Score: 5, At: quoteNow, Lang: "en-GB"},
	}
	got := SelectQuotes(pool, 2, quoteOpts())
	if len(got) != 2 || got[0].Lang != "fa" || got[1].Lang != "en" {
		t.Errorf("got %+v, want fa then en", got)
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	long := "Первое предложение короткое. Второе про доставку, она опоздала! Третье очень длинное предложение без конца и края"
	tests := []struct {
		name, text, near string
		limit            int
		want             string
		cut              bool
	}{
		{"fits", "Short and sweet.", "", 280, "Short and sweet.", false},
		{"exactly", "12345", "", 5, "12345", false},
		// "Первое предложение короткое." is 28 characters; + " …" = 30.
		{"first sentence", long, "", 30, "Первое предложение короткое. …", true},
		// From the theme's sentence (34 characters) on: "… " + 34 + " …" =
		// 38; adding the first sentence would make 28 + 1 + 34 + 2 = 65.
		{"theme sentence", long, "ДОСТАВКУ", 40, "… Второе про доставку, она опоздала! …", true},
		{"theme and before", long, "доставку", 70, "Первое предложение короткое. Второе про доставку, она опоздала! …", true},
		// One sentence longer than the limit: cut at a grapheme, 9 + "…".
		{"grapheme cut", "שָׁלוֹם עֲלֵיכֶם חֲבֵרִים יְקָרִים", "", 10, "שָׁלוֹם עֲלֵיכֶ…", true},
		// A ZWJ family (7 code points) is one character and is never split.
		{"zwj emoji", "👩\u200D👩\u200D👧\u200D👦👩\u200D👩\u200D👧\u200D👦👩\u200D👩\u200D👧\u200D👦", "", 2, "👩\u200D👩\u200D👧\u200D👦…", true},
		// Harakat stay on their letter: "كَتَبَ" is 3 characters.
		{"harakat", "كَتَبَ الوَلَدُ الدَّرْسَ", "", 4, "كَتَبَ…", true},
		// Persian question mark ends a sentence.
		{"persian sentences", "ارسال خیلی دیر بود؟ بسته هم آسیب دیده بود.", "", 22, "ارسال خیلی دیر بود؟ …", true},
		// The trailing space before the cut is dropped.
		{"space at cut", "aaaa bbbb", "", 6, "aaaa…", true},
		{"tiny limit", "abcdef", "", 0, "a…", true},
	}
	for _, tt := range tests {
		got, cut := Excerpt(tt.text, tt.near, tt.limit)
		if got != tt.want || cut != tt.cut {
			t.Errorf("%s: Excerpt(%q, %q, %d) = %q, %v; want %q, %v", tt.name, tt.text, tt.near, tt.limit, got, cut, tt.want, tt.cut)
		}
	}
}

func TestDocFreq(t *testing.T) {
	t.Parallel()
	d := NewDocFreq()
	d.Add("", "שירות מעולה")
	d.Add("he-IL", "שירות גרוע")
	d.Add("ru", "Всё отлично")
	if d.Docs("he") != 2 || d.Docs("ru") != 1 || d.Docs("fa") != 0 {
		t.Errorf("Docs: he %d, ru %d, fa %d; want 2, 1, 0", d.Docs("he"), d.Docs("ru"), d.Docs("fa"))
	}
	var nilDF *DocFreq
	if nilDF.Docs("he") != 0 {
		t.Errorf("nil DocFreq has documents")
	}
	// With a corpus in which "late" is everywhere, the comment about the
	// app is the informative one.
	for range 50 {
		d.Add("en", "the courier was late again")
	}
	pool := []Comment{
		{ResponseID: "a", Text: "The courier was late again, as always.", Scale: NPS, Score: 3, At: quoteNow},
		{ResponseID: "b", Text: "Voucher field rejects lowercase codes.", Scale: NPS, Score: 3, At: quoteNow},
	}
	opts := quoteOpts()
	opts.DocFreq = d
	got := SelectQuotes(pool, 2, opts)
	if len(got) != 2 || got[0].ResponseID != "b" || got[0].Score.Informative != 1 || got[1].Score.Informative != 0 {
		t.Errorf("got %+v, want b (informative 1) before a (0)", got)
	}
}

// Properties of any selection: at most k quotes, grouped detractors, then
// passives, then promoters; no two near-duplicates; none longer than
// QuoteMaxChars; no personal data left; the same for any input order.
func TestSelectQuotesProperties(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		pool := benchComments(40+int(seed)*10, seed)
		k := 1 + int(seed%7)
		opts := quoteOpts()
		got := SelectQuotes(pool, k, opts)
		if len(got) > k {
			t.Fatalf("seed %d: %d quotes for k = %d", seed, len(got), k)
		}
		var g gramScratch
		for i, q := range got {
			if i > 0 && q.Bucket < got[i-1].Bucket {
				t.Errorf("seed %d: %v after %v", seed, q.Bucket, got[i-1].Bucket)
			}
			if n := graphemeCount(q.Text); n > QuoteMaxChars {
				t.Errorf("seed %d: quote of %d characters", seed, n)
			}
			if leak := leftoverPII(q.Text); leak != "" {
				t.Errorf("seed %d: %s in %q", seed, leak, q.Text)
			}
			for _, p := range got[:i] {
				if j := jaccard(g.shingles(Normalize(q.Text)), g.shingles(Normalize(p.Text))); j >= quoteDupJaccard {
					t.Errorf("seed %d: %q and %q are near-duplicates (%.2f)", seed, p.Text, q.Text, j)
				}
			}
		}
		shuffled := slices.Clone(pool)
		slices.Reverse(shuffled)
		if diff := cmp.Diff(got, SelectQuotes(shuffled, k, opts)); diff != "" {
			t.Errorf("seed %d: reversed input changed the quotes (-want +got):\n%s", seed, diff)
		}
	}
}
