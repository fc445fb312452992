package telegram

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// wordings are the built-in question texts with [X] = a brand
// that needs escaping, and the anchors on a second line.
var wordings = map[string]map[surveys.Metric]string{
	"en": {
		surveys.NPS:  "How likely is it that you would recommend Acme & Co <beta> to a friend or colleague?\n0 = Not at all likely · 10 = Extremely likely",
		surveys.CSAT: "How satisfied were you with your delivery?\n1 = Very dissatisfied · 5 = Very satisfied",
		surveys.CES:  "Acme made it easy for me to handle my issue.\n1 = Strongly disagree · 7 = Strongly agree",
	},
	"he": {
		surveys.NPS:  "עד כמה סביר שתמליצו על \u2068Acme & Co\u2069 לחבר או לעמית?\n0 = בכלל לא סביר · 10 = סביר מאוד",
		surveys.CSAT: "עד כמה היית מרוצה מהמשלוח?\n1 = בכלל לא מרוצה · 5 = מרוצה מאוד",
		surveys.CES:  "Acme אפשרה לי לטפל בפנייה שלי בקלות.\n1 = לא מסכים/ה בכלל · 7 = מסכים/ה מאוד",
	},
	"fa": {
		surveys.NPS:  "از ۰ تا ۱۰، چقدر احتمال دارد \u2068Acme\u2069 را به یک دوست یا همکار معرفی کنید؟\n۰ = اصلاً احتمال ندارد · ۱۰ = کاملاً محتمل",
		surveys.CSAT: "چقدر از خدمات راضی بودید؟\n۱ = کاملاً ناراضی · ۵ = کاملاً راضی",
		surveys.CES:  "Acme رسیدگی به درخواستم را برایم آسان کرد.\n۱ = کاملاً مخالفم · ۷ = کاملاً موافقم",
	},
	"ar": {
		surveys.NPS:  "ما مدى احتمال أن توصي بـ\u2068Acme\u2069 لصديق أو زميل؟\n0 = غير محتمل على الإطلاق · 10 = محتمل للغاية",
		surveys.CSAT: "ما مدى رضاك عن الخدمة؟\n1 = غير راضٍ إطلاقًا · 5 = راضٍ جدًا",
		surveys.CES:  "سهّلت Acme عليّ التعامل مع طلبي.\n1 = لا أوافق بشدة · 7 = أوافق بشدة",
	},
	"ru": {
		surveys.NPS:  "Насколько вероятно, что вы порекомендуете Acme другу или коллеге?\n0 = Крайне маловероятно · 10 = Обязательно порекомендую",
		surveys.CSAT: "Насколько вы довольны обслуживанием?\n1 = Совсем не доволен(льна) · 5 = Очень доволен(льна)",
		surveys.CES:  "Acme позволила мне легко решить мой вопрос.\n1 = Совершенно не согласен(на) · 7 = Полностью согласен(на)",
	},
}

var scales = map[surveys.Metric][2]int{surveys.NPS: {0, 10}, surveys.CSAT: {1, 5}, surveys.CES: {1, 7}}

func prompt(lang string, m surveys.Metric, ref string) surveys.Prompt {
	p := surveys.Prompt{Text: wordings[lang][m], Ref: ref}
	if lang == "he" || lang == "fa" || lang == "ar" {
		p.Dir = surveys.RTL
	}
	for v := scales[m][0]; v <= scales[m][1]; v++ {
		p.Choices = append(p.Choices, surveys.Choice{Label: strconv.Itoa(v), Value: strconv.Itoa(v)})
	}
	return p
}

// visible shows bidi controls as ⟨U+XXXX⟩ so golden files can be reviewed.
func visible(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '\u200E' && r <= '\u200F' || r >= '\u2066' && r <= '\u2069' || r == '\u061C' {
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	fake, bot := newFixture(t)
	fake.SetLimits(telegramtest.Limits{}) // twenty renders to one chat at once: no flood limits
	const chat = 4242
	fake.AddUser(chat, "en")
	for _, lang := range []string{"en", "he", "fa", "ar", "ru"} {
		for _, m := range []surveys.Metric{surveys.NPS, surveys.CSAT, surveys.CES, "reason"} {
			name := string(m) + "_" + lang
			p := surveystest.SampleReasonPrompt(lang)
			if m != "reason" {
				p = prompt(lang, m, "s1234")
			}
			ref, err := bot.Send(context.Background(), surveys.Address{Platform: surveys.Telegram, ChatID: "4242", UserID: "4242"}, p)
			if err != nil {
				t.Fatalf("%s: send: %v", name, err)
			}
			sent := fake.Sent(chat)
			msg := sent[len(sent)-1]
			if got, want := string(ref), fmt.Sprintf("%d:%d", chat, msg.ID); got != want {
				t.Errorf("%s: message ref %q, want %q", name, got, want)
			}
			var kb strings.Builder
			for i, row := range msg.Keyboard {
				fmt.Fprintf(&kb, "row %d\n", i+1)
				for _, b := range row {
					fmt.Fprintf(&kb, "  %s → %s (%d bytes)\n", b.Text, b.Data, len(b.Data))
				}
			}
			got := fmt.Sprintf("parse_mode: %s\n--- text as sent\n%s\n--- text as shown\n%s\n--- keyboard\n%s",
				msg.ParseMode, visible(msg.HTML), visible(msg.Text), kb.String())
			golden(t, name, got)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}

func TestRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lo, hi int
		want   string
	}{
		{0, 10, "0 1 2 3 4 5 / 6 7 8 9 10"},
		{1, 5, "1 2 3 4 5"},
		{1, 7, "1 2 3 4 5 6 7"},
		{1, 2, "1 2"},
		{1, 9, "1 2 3 4 5 / 6 7 8 9"},
	} {
		p := surveys.Prompt{Text: "q", Ref: "s1"}
		for v := tc.hi; v >= tc.lo; v-- { // reversed: rendering restores numeric order
			p.Choices = append(p.Choices, surveys.Choice{Label: strconv.Itoa(v), Value: strconv.Itoa(v)})
		}
		r, err := render([]byte("k"), binding{chat: "1"}, p)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, row := range r.keyboard.InlineKeyboard {
			var labels []string
			for _, b := range row {
				labels = append(labels, b.Text)
			}
			rows = append(rows, strings.Join(labels, " "))
		}
		if got := strings.Join(rows, " / "); got != tc.want {
			t.Errorf("%d–%d: got %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestRenderText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("line of text\n", 400) // 5,200 characters
	for _, tc := range []struct {
		name string
		p    surveys.Prompt
		want func(html string) bool
	}{
		{"escaped", surveys.Prompt{Text: `<b>&amp;</b> "x"`}, func(h string) bool { return h == `&lt;b&gt;&amp;amp;&lt;/b&gt; "x"` }},
		{"rtl marks lines not starting with an RTL letter", surveys.Prompt{Text: "שלום\n10 = מאוד\n\nAcme טוב", Dir: surveys.RTL},
			func(h string) bool { return h == "שלום\n\u200F10 = מאוד\n\n\u200FAcme טוב" }},
		{"ltr untouched", surveys.Prompt{Text: "10 = good"}, func(h string) bool { return h == "10 = good" }},
		{"truncated at a whole line", surveys.Prompt{Text: long}, func(h string) bool {
			return utf16Len(h) <= maxTextLen && strings.HasSuffix(h, "line of text\n…")
		}},
		{"truncated inside a long line keeps runes whole", surveys.Prompt{Text: strings.Repeat("😀", 3000)}, func(h string) bool {
			return utf16Len(h) <= maxTextLen && strings.HasSuffix(h, "😀…")
		}},
	} {
		r, err := render([]byte("k"), binding{chat: "1"}, tc.p)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !tc.want(r.html) {
			t.Errorf("%s: got %q", tc.name, r.html)
		}
	}
	for _, p := range []surveys.Prompt{
		{Text: "  "},
		{Text: "q", Choices: []surveys.Choice{{Label: "1", Value: "1"}}},                               // no ref
		{Text: "q", Ref: strings.Repeat("r", 25), Choices: []surveys.Choice{{Label: "1", Value: "1"}}}, // ref too long
		{Text: "q", Ref: "s1", Choices: []surveys.Choice{{Label: "x", Value: "123456789"}}},            // value too long
		{Text: "q", Ref: "s|1", Choices: []surveys.Choice{{Label: "1", Value: "1"}}},                   // separator
	} {
		if _, err := render([]byte("k"), binding{chat: "1"}, p); err == nil {
			t.Errorf("render(%+v): no error", p)
		}
	}
}

func newFixture(t *testing.T) (*telegramtest.Server, *Bot) {
	t.Helper()
	fake := telegramtest.New("")
	t.Cleanup(fake.Close)
	bot, err := New(context.Background(), Config{Token: fake.Token(), APIURL: fake.APIURL(), CallbackSecret: []byte("test secret")})
	if err != nil {
		t.Fatal(err)
	}
	return fake, bot
}

// In Telegram the customer answers "why?" by typing, so the hint is shown.
func TestRenderShowsTheTypingHint(t *testing.T) {
	t.Parallel()
	p := surveys.Prompt{Text: "What is the main reason for your score?", Hint: "Just reply with a message.", Ref: "w1234"}
	r, err := render([]byte("k"), binding{chat: "42", user: "42"}, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := p.Text + " " + p.Hint; r.html != want {
		t.Fatalf("html %q, want %q", r.html, want)
	}
}
