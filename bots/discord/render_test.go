package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// wordings are the built-in question texts with [X] = a brand
// that needs escaping, and the anchors on a second line.
var promptWordings = map[string]map[surveys.Metric]string{
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

var followUps = map[string]string{
	"en": "What is the main reason for your score?",
	"he": "מה הסיבה העיקרית לציון שנתת?",
	"fa": "دلیل اصلی امتیاز شما چیست؟",
	"ar": "ما السبب الرئيسي لتقييمك؟",
	"ru": "Какова главная причина вашей оценки?",
}

func prompt(lang string, m surveys.Metric, ref string) surveys.Prompt {
	p := surveys.Prompt{Text: promptWordings[lang][m], Ref: ref}
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
		if r >= '\u200B' && r <= '\u200F' || r >= '\u2066' && r <= '\u2069' || r == '\u061C' {
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := visible(buf.String())
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
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from %s (go test -update rewrites it) (-want +got):\n%s", name, path, diff)
	}
}

var testBinding = binding{channel: "111111111111111111", user: "222222222222222222"}

func TestRenderPromptGolden(t *testing.T) {
	t.Parallel()
	key := []byte("test secret")
	for _, lang := range surveys.Locales {
		for _, m := range []surveys.Metric{surveys.NPS, surveys.CSAT, surveys.CES} {
			msg, err := renderPrompt(key, testBinding, prompt(lang, m, "s1234"))
			if err != nil {
				t.Fatalf("%s %s: %v", lang, m, err)
			}
			golden(t, "prompt_"+string(m)+"_"+lang, msg)
		}
		why := surveys.Prompt{Text: followUps[lang], Ref: "w1234", Choices: []surveys.Choice{{Label: "⏭", Value: "skip"}}}
		if lang == "he" || lang == "fa" || lang == "ar" {
			why.Dir = surveys.RTL
		}
		msg, err := renderPrompt(key, testBinding, why)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "prompt_why_"+lang, msg)
		msg, err = renderPrompt(key, testBinding, surveystest.SampleReasonPrompt(lang))
		if err != nil {
			t.Fatalf("%s reasons: %v", lang, err)
		}
		golden(t, "prompt_reason_"+lang, msg)
	}
}

func TestRenderDigestGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range surveys.Locales {
		m := renderDigest(surveystest.SampleDigest(lang).Card(), true, "trend-2026-11-23.png")
		golden(t, "digest_"+lang, m)
		if s := string(mustJSON(t, m)); strings.Contains(s, "<chat>") {
			t.Errorf("%s: a touchpoint name reached markdown unescaped", lang)
		}
	}
}

func sampleAlert(locale string, state surveys.AlertState) surveys.AlertView {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	a := surveys.Alert{ID: 12, ResponseID: 34, To: surveys.Address{Platform: surveys.Discord, ChatID: staffChan}, State: state, CreatedAt: at}
	switch state {
	case surveys.AlertClaimed:
		a.Assignee, a.ClaimedAt, a.Replies = surveys.Address{Platform: surveys.Discord, UserID: otherUser}, at, 1
	case surveys.AlertResolved:
		a.Assignee, a.ClaimedAt, a.ResolvedAt = surveys.Address{Platform: surveys.Discord, UserID: otherUser}, at, at
		a.Resolution = surveys.AlertReasonHandled
	}
	return surveys.AlertView{
		Alert: a,
		Response: surveys.Response{ID: 34, InvitationID: 56, CustomerID: "cus_<42>", SurveyID: "nps-delivery",
			Metric: surveys.NPS, Score: 2, Comment: "Late & *cold* <again> @everyone. Call 052-123-4567", CommentState: surveys.CommentGiven,
			Locale: "en", Platform: surveys.Discord, TouchpointType: "order_delivered",
			Attributes: map[string]string{"courier": "north_1", "region": "tlv"}, AnsweredAt: at},
		Customer: surveys.Address{Platform: surveys.Discord, UserID: customer},
		Locale:   locale,
	}
}

func TestRenderAlertGolden(t *testing.T) {
	t.Parallel()
	for _, lang := range surveys.Locales {
		for _, state := range []surveys.AlertState{surveys.AlertOpen, surveys.AlertClaimed, surveys.AlertResolved} {
			v := sampleAlert(lang, state)
			m, err := renderAlert([]byte("test secret"), staffChan, v.Card(alertStyle), state)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "alert_"+string(state)+"_"+lang, m)
			if s := string(mustJSON(t, m)); strings.Contains(s, "052-123-4567") || strings.Contains(s, "<again>") || strings.Contains(s, "*cold*") {
				t.Errorf("%s %s: the comment is not redacted and escaped: %s", lang, state, s)
			}
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lo, hi int
		want   string
	}{
		{0, 10, "0 1 2 3 / 4 5 6 7 / 8 9 10"},
		{1, 5, "1 2 3 4 5"},
		{1, 7, "1 2 3 4 / 5 6 7"},
		{1, 2, "1 2"},
		{1, 25, "1 2 3 4 5 / 6 7 8 9 10 / 11 12 13 14 15 / 16 17 18 19 20 / 21 22 23 24 25"},
	} {
		p := surveys.Prompt{Text: "q", Ref: "s1"}
		for v := tc.hi; v >= tc.lo; v-- { // reversed: rendering restores numeric order
			p.Choices = append(p.Choices, surveys.Choice{Label: strconv.Itoa(v), Value: strconv.Itoa(v)})
		}
		m, err := renderPrompt([]byte("k"), testBinding, p)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, row := range *m.Components {
			var labels []string
			for _, b := range row.(discordgo.ActionsRow).Components {
				labels = append(labels, b.(discordgo.Button).Label)
			}
			rows = append(rows, strings.Join(labels, " "))
		}
		if got := strings.Join(rows, " / "); got != tc.want {
			t.Errorf("%d–%d: got %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
	p := surveys.Prompt{Text: "q", Ref: "s1"}
	for v := range 26 {
		p.Choices = append(p.Choices, surveys.Choice{Label: strconv.Itoa(v), Value: strconv.Itoa(v)})
	}
	if _, err := renderPrompt([]byte("k"), testBinding, p); err == nil {
		t.Error("26 choices: no error")
	}
}

func TestRenderText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("line of text\n", 200) // 2,600 characters
	for _, tc := range []struct {
		name string
		p    surveys.Prompt
		want func(string) bool
	}{
		{"escaped", surveys.Prompt{Text: "*bold* _it_ <@1> `x` [a](b) # h"}, func(s string) bool {
			return s == `\*bold\* \_it\_ \<@1\> \`+"`"+`x\`+"`"+` \[a\](b) \# h`
		}},
		{"lists", surveys.Prompt{Text: "- a\n10. b\n  + c"}, func(s string) bool { return s == "\\- a\n10\\. b\n  \\+ c" }},
		{"urls kept", surveys.Prompt{Text: "see https://t.me/vocbot_bot?start=a_b now_"}, func(s string) bool {
			return s == "see https://t.me/vocbot_bot?start=a_b now\\_"
		}},
		{"rtl anchored", surveys.Prompt{Text: "שלום\n10 = מאוד", Dir: surveys.RTL}, func(s string) bool { return s == "שלום\n\u200F10 = מאוד" }},
		{"cut at a whole line", surveys.Prompt{Text: long}, func(s string) bool {
			return utf16Len(s) <= maxContent && strings.HasSuffix(s, "line of text\n…")
		}},
		{"cut keeps runes whole", surveys.Prompt{Text: strings.Repeat("😀", 1500)}, func(s string) bool {
			return utf16Len(s) <= maxContent && strings.HasSuffix(s, "😀…")
		}},
	} {
		m, err := renderPrompt([]byte("k"), testBinding, tc.p)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !tc.want(*m.Content) {
			t.Errorf("%s: got %q", tc.name, *m.Content)
		}
		if unescapeMarkdown(escapeMarkdown(tc.p.Text)) != tc.p.Text && tc.name != "rtl anchored" {
			t.Errorf("%s: unescape does not undo escape", tc.name)
		}
	}
	for _, p := range []surveys.Prompt{
		{Text: "  "},
		{Text: "q", Choices: []surveys.Choice{{Label: "1", Value: "1"}}},                               // no ref
		{Text: "q", Ref: strings.Repeat("r", 25), Choices: []surveys.Choice{{Label: "1", Value: "1"}}}, // ref too long
		{Text: "q", Ref: "s|1", Choices: []surveys.Choice{{Label: "1", Value: "1"}}},                   // separator
	} {
		if _, err := renderPrompt([]byte("k"), testBinding, p); err == nil {
			t.Errorf("render(%+v): no error", p)
		}
	}
}

func TestPostDigest(t *testing.T) {
	t.Parallel()
	fake, bot, _ := fixture(t, true)
	ctx := ctxT(t)
	to := surveys.Address{Platform: surveys.Discord, ChatID: staffChan}
	chart := []byte("\x89PNG\r\n\x1a\nfake chart")
	ref, err := bot.PostDigest(ctx, to, surveystest.SampleDigest("he"), chart)
	if err != nil {
		t.Fatal(err)
	}
	// A worker's retry of the same digest is the same message.
	again, err := bot.PostDigest(ctx, to, surveystest.SampleDigest("he"), chart)
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages(staffChan)
	if len(msgs) != 1 || string(ref) != staffChan+":"+msgs[0].ID || again != ref {
		t.Fatalf("posted %d messages, refs %q %q", len(msgs), ref, again)
	}
	m := msgs[0]
	if len(m.Files) != 1 || m.Files[0].Name != "trend-2026-11-23.png" || !bytes.Equal(m.Files[0].Data, chart) || m.Files[0].ContentType != "image/png" {
		t.Errorf("files %+v, want the chart", m.Files)
	}
	if len(m.Embeds) != 1 || m.Embeds[0].Image != "attachment://trend-2026-11-23.png" || len(m.Embeds[0].Fields) == 0 {
		t.Errorf("embeds %+v, want one with fields and the chart as image", m.Embeds)
	}
	// Without a chart: no file, no image.
	if _, err := bot.PostDigest(ctx, to, surveystest.SampleDigest("en"), nil); err != nil {
		t.Fatal(err)
	}
	if m := fake.Messages(staffChan)[1]; len(m.Files) != 0 || m.Embeds[0].Image != "" {
		t.Errorf("digest without chart: %+v", m)
	}
}

// An embed stays within Discord's limits whatever the digest holds.
func TestDigestWithinLimits(t *testing.T) {
	t.Parallel()
	c := surveys.DigestCard{Title: strings.Repeat("T", 300), Footer: strings.Repeat("f", 100), Locale: "en"}
	for i := range 40 {
		c.Sections = append(c.Sections, surveys.DigestSection{Title: fmt.Sprintf("Survey %d", i),
			Lines: []string{strings.Repeat("n", 900), strings.Repeat("m", 900)}, QuotesTitle: "Quotes", Quotes: []string{strings.Repeat("q", 2000)}})
	}
	m := renderDigest(c, false, "")
	e := m.Embeds[0]
	total := utf16Len(e.Title) + utf16Len(e.Description) + utf16Len(e.Footer.Text)
	for _, f := range e.Fields {
		total += utf16Len(f.Name) + utf16Len(f.Value)
		if utf16Len(f.Value) > maxFieldValue {
			t.Errorf("field %q: value of %d", f.Name, utf16Len(f.Value))
		}
	}
	if total > maxEmbedTotal || len(e.Fields) > maxEmbedFields || utf16Len(e.Title) > maxEmbedTitle || e.Footer.Text == "" {
		t.Errorf("embed: %d characters, %d fields, title %d", total, len(e.Fields), utf16Len(e.Title))
	}
}

func TestPostAlert(t *testing.T) {
	t.Parallel()
	fake, bot, in, target, client := httpMode(t)
	ctx := ctxT(t)
	to := surveys.Address{Platform: surveys.Discord, ChatID: staffChan}
	ref, err := bot.PostAlert(ctx, to, sampleAlert("en", surveys.AlertOpen))
	if err != nil {
		t.Fatal(err)
	}
	m := fake.Messages(staffChan)[0]
	var labels []string
	for _, b := range m.Buttons() {
		labels = append(labels, b.Label)
	}
	if got := strings.Join(labels, "|"); got != "Claim|Reply to customer|Resolve: handled|Resolve: no action needed" {
		t.Errorf("buttons: %s", got)
	}
	// Anyone in the channel may claim.
	claim, _ := m.Button("Claim")
	staff := discordtest.Invoker{UserID: otherUser, ChannelID: staffChan, GuildID: guild, Roles: []string{ambRole}}
	if _, err := client.Press(ctx, target, staff, m, claim.CustomID); err != nil {
		t.Fatal(err)
	}
	if got := in.incoming(); len(got) != 1 || got[0].Ref != "a12" || got[0].Value != surveys.AlertClaimValue || got[0].From.UserID != otherUser {
		t.Errorf("claim: %+v", got)
	}
	// Reply opens a modal; its text runs /survey reply.
	reply, _ := m.Button("Reply to customer")
	res, err := client.Press(ctx, target, staff, m, reply.CustomID)
	if err != nil || res.Response.Modal == nil {
		t.Fatalf("reply: %+v, %v", res.Response, err)
	}
	res, err = client.Submit(ctx, target, staff, m, *res.Response.Modal, "Sorry! A new order is on its way.")
	if err != nil {
		t.Fatal(err)
	}
	reqs := in.requests()
	if len(reqs) != 1 || reqs[0].Text != "reply a12 Sorry! A new order is on its way." || reqs[0].From.ChatID != staffChan || len(reqs[0].Roles) != 1 {
		t.Errorf("reply command: %+v", reqs)
	}
	if !res.Response.Ephemeral {
		t.Errorf("reply answer %+v, want private", res.Response)
	}
	if err := bot.UpdateAlert(ctx, to, ref, sampleAlert("en", surveys.AlertResolved)); err != nil {
		t.Fatal(err)
	}
	m, _ = fake.Message(m.ID)
	if m.Edits != 1 || len(m.Rows) != 0 || !strings.Contains(m.Embeds[0].Description, "<@"+otherUser+">") {
		t.Errorf("after resolve: %d edits, rows %v, embed %+v", m.Edits, m.Rows, m.Embeds)
	}
}

func TestCommandsGolden(t *testing.T) {
	t.Parallel()
	b := &Bot{surveys: []SurveyChoice{{ID: "nps", Name: "Delivery NPS"}, {ID: "csat"}}}
	customers, survey := b.commands()
	golden(t, "commands", map[string]any{"customers": customers, "survey": survey})
}

// platform is how main sees an adapter.
var _ interface {
	Name() surveys.Platform
	Mount(*http.ServeMux, surveys.Inbox)
	Receivers() []surveys.Receiver
	Limits() surveys.SendLimits
} = (*Bot)(nil)

// A customer's answer is a reply to the alert message, escaped and pinging
// nobody; a reply to a deleted alert still lands in the channel.
func TestPostInThread(t *testing.T) {
	t.Parallel()
	fake, bot, _, _, _ := httpMode(t)
	ctx := ctxT(t)
	to := surveys.Address{Platform: surveys.Discord, ChatID: staffChan}
	ref, err := bot.PostAlert(ctx, to, sampleAlert("en", surveys.AlertClaimed))
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.PostInThread(ctx, to, ref, "Customer cus_1 wrote (he):\n@everyone *now*"); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages(staffChan)
	if len(msgs) != 2 || msgs[1].ReplyTo != msgs[0].ID || !strings.Contains(msgs[1].Content, `\*now\*`) {
		t.Fatalf("thread message %+v, want a reply to %s with the text escaped", msgs[len(msgs)-1], msgs[0].ID)
	}
	if err := bot.PostInThread(ctx, to, surveys.MessageRef(staffChan+":123"), "late"); err != nil {
		t.Fatalf("reply to a deleted alert: %v", err)
	}
	if msgs := fake.Messages(staffChan); len(msgs) != 3 || msgs[2].ReplyTo != "" {
		t.Errorf("reply to a deleted alert: %+v", msgs[len(msgs)-1])
	}
}

// A "why?" question's chat hint ("just reply with a message") is left out:
// over HTTP interactions a typed message never reaches vocbot, so the
// answer goes through the "Write an answer" form.
func TestRenderPromptLeavesOutTheTypingHint(t *testing.T) {
	t.Parallel()
	p := surveys.Prompt{Text: "What is the main reason for your score?", Hint: "Just reply with a message.", Ref: "w1234",
		Choices: []surveys.Choice{{Label: "Skip", Value: "skip"}}}
	msg, err := renderPrompt([]byte("k"), testBinding, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := *msg.Content; got != p.Text {
		t.Fatalf("content %q, want the question alone", got)
	}
}
