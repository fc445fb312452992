package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	secret  = "8f742231b10e8888abcd99yyyzzz85a5"
	channel = "C0CXTEAM"
	dana    = "U0DANA"
)

// newFake starts a fake workspace without rate limit and a Bot on it.
func newFake(t *testing.T, opts slacktest.Options) (*slacktest.Server, *Bot) {
	t.Helper()
	if opts.PostInterval == 0 {
		opts.PostInterval = -1
	}
	srv := slacktest.NewServer(opts)
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: dana, Name: "dana", Locale: "he-IL"})
	srv.AddChannel(slacktest.Channel{ID: channel, Name: "cx-team"})
	b, err := New(Config{BotToken: slacktest.DefaultToken, SigningSecret: secret, APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return srv, b
}

// The built-in wordings; [X] is the brand in an isolate, as the
// Engine interpolates it.
const brand = "\u2068Acme\u2069"

type wording struct {
	question, low, high string
	digits              string // ten digits for the button labels
}

var (
	latin   = "0123456789"
	persian = "۰۱۲۳۴۵۶۷۸۹"
	arabic  = "٠١٢٣٤٥٦٧٨٩"
)

var wordings = map[surveys.Metric]map[string]wording{
	surveys.NPS: {
		"en": {"How likely is it that you would recommend " + brand + " to a friend or colleague?", "Not at all likely", "Extremely likely", latin},
		"he": {"עד כמה סביר שתמליצו על " + brand + " לחבר או לעמית?", "בכלל לא סביר", "סביר מאוד", latin},
		"fa": {"از ۰ تا ۱۰، چقدر احتمال دارد " + brand + " را به یک دوست یا همکار معرفی کنید؟", "اصلاً احتمال ندارد", "کاملاً محتمل", persian},
		"ar": {"ما مدى احتمال أن توصي بـ" + brand + " لصديق أو زميل؟", "غير محتمل على الإطلاق", "محتمل للغاية", arabic},
		"ru": {"Насколько вероятно, что вы порекомендуете " + brand + " другу или коллеге?", "Крайне маловероятно", "Обязательно порекомендую", latin},
	},
	surveys.CSAT: {
		"en": {"How satisfied were you with " + brand + " support?", "Very dissatisfied", "Very satisfied", latin},
		"he": {"עד כמה היית מרוצה מהשירות של " + brand + "?", "בכלל לא מרוצה", "מרוצה מאוד", latin},
		"fa": {"چقدر از خدمات " + brand + " راضی بودید؟", "کاملاً ناراضی", "کاملاً راضی", persian},
		"ar": {"ما مدى رضاك عن خدمة " + brand + "؟", "غير راضٍ إطلاقًا", "راضٍ جدًا", arabic},
		"ru": {"Насколько вы довольны обслуживанием " + brand + "?", "Совсем не устраивает", "Полностью устраивает", latin},
	},
	surveys.CES: {
		"en": {brand + " made it easy for me to handle my issue.", "Strongly disagree", "Strongly agree", latin},
		"he": {brand + " אפשרה לי לטפל בפנייה שלי בקלות.", "לא מסכים/ה בכלל", "מסכים/ה מאוד", latin},
		"fa": {brand + " رسیدگی به درخواستم را برایم آسان کرد.", "کاملاً مخالفم", "کاملاً موافقم", persian},
		"ar": {"سهّلت " + brand + " عليّ التعامل مع طلبي.", "لا أوافق بشدة", "أوافق بشدة", arabic},
		"ru": {brand + " позволила мне легко решить мой вопрос.", "Совершенно не согласен(на)", "Полностью согласен(на)", latin},
	},
}

var scales = map[surveys.Metric][2]int{surveys.NPS: {0, 10}, surveys.CSAT: {1, 5}, surveys.CES: {1, 7}}

// localDigits writes n with the locale's digits.
func localDigits(n int, digits string) string {
	d := []rune(digits)
	var b strings.Builder
	for _, c := range fmt.Sprint(n) {
		b.WriteRune(d[c-'0'])
	}
	return b.String()
}

// prompt builds by hand what the Engine would send.
func prompt(m surveys.Metric, locale string) surveys.Prompt {
	w := wordings[m][locale]
	lo, hi := scales[m][0], scales[m][1]
	text := w.question + "\n\n" + localDigits(lo, w.digits) + " = " + w.low + "\n" + localDigits(hi, w.digits) + " = " + w.high
	p := surveys.Prompt{
		// Like the Engine: every RTL line starts with an RTL letter or RLM.
		Text: scoring.AnchorRTL(locale, text),
		Ref:  surveys.Ref{InvitationID: 1234, Question: surveys.QuestionScore}.String(),
	}
	if scoring.IsRTL(locale) {
		p.Dir = surveys.RTL
	}
	for v := lo; v <= hi; v++ {
		p.Choices = append(p.Choices, surveys.Choice{Label: localDigits(v, w.digits), Value: fmt.Sprint(v)})
	}
	return p
}

// golden renders a posted message for review: invisible format characters
// (RLM, isolates) are written as \uXXXX so the file shows every code point.
func golden(t *testing.T, m slacktest.Message) []byte {
	t.Helper()
	v := map[string]any{"text": m.Text, "blocks": json.RawMessage(m.Blocks), "metadata": m.Metadata}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, r := range buf.String() {
		if unicode.Is(unicode.Cf, r) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return []byte(out.String())
}

func TestSendGolden(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	for _, m := range []surveys.Metric{surveys.NPS, surveys.CSAT, surveys.CES, "reason"} {
		for _, locale := range []string{"en", "he", "fa", "ar", "ru"} {
			name := string(m) + "_" + locale
			t.Run(name, func(t *testing.T) {
				p := surveystest.SampleReasonPrompt(locale)
				if m != "reason" {
					p = prompt(m, locale)
				}
				ref, err := b.Send(t.Context(), surveys.Address{Platform: surveys.Slack, ChatID: channel}, p)
				if err != nil {
					t.Fatal(err)
				}
				var got slacktest.Message
				for _, msg := range srv.Messages(channel) {
					if messageRef(msg.Channel, msg.TS) == ref {
						got = msg
					}
				}
				if got.TS == "" {
					t.Fatalf("message %s not recorded", ref)
				}
				path := filepath.Join("testdata", "prompt_"+name+".golden")
				out := golden(t, got)
				if *update {
					if err := os.WriteFile(path, out, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(out)); diff != "" {
					t.Errorf("Block Kit differs from %s (-want +got):\n%s", path, diff)
				}
			})
		}
	}
}

func TestSendToUserOpensDM(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	ref, err := b.Send(t.Context(), surveys.Address{Platform: surveys.Slack, UserID: dana}, prompt(surveys.CSAT, "he"))
	if err != nil {
		t.Fatal(err)
	}
	dm := slacktest.DM(dana)
	msgs := srv.Messages(dm)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages in the DM, want 1", len(msgs))
	}
	if got, want := ref, messageRef(dm, msgs[0].TS); got != want {
		t.Errorf("got ref %q, want %q", got, want)
	}
	var methods []string
	for _, c := range srv.Calls() {
		methods = append(methods, c.Method)
	}
	if diff := cmp.Diff([]string{"conversations.open", "chat.postMessage"}, methods); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	toChannel := surveys.Address{Platform: surveys.Slack, ChatID: channel}
	tests := []struct {
		name       string
		to         surveys.Address
		setup      func(*slacktest.Server)
		token      string
		kind       surveys.SendFailure
		retryAfter time.Duration
	}{
		{name: "channel_not_found", to: surveys.Address{Platform: surveys.Slack, ChatID: "C0GONE"}, kind: surveys.Unreachable},
		{name: "user_not_found", to: surveys.Address{Platform: surveys.Slack, UserID: "U0NOBODY"}, kind: surveys.Unreachable},
		{name: "user_disabled", to: surveys.Address{Platform: surveys.Slack, UserID: "U0LEFT"}, kind: surveys.Unreachable,
			setup: func(s *slacktest.Server) { s.AddUser(slacktest.User{ID: "U0LEFT", Disabled: true}) }},
		{name: "cannot_dm_bot", to: surveys.Address{Platform: surveys.Slack, UserID: "U0VOCBOT"}, kind: surveys.Unreachable},
		{name: "is_archived", to: surveys.Address{Platform: surveys.Slack, ChatID: "C0OLD"}, kind: surveys.Unreachable,
			setup: func(s *slacktest.Server) { s.AddChannel(slacktest.Channel{ID: "C0OLD", Archived: true}) }},
		{name: "not_in_channel", to: surveys.Address{Platform: surveys.Slack, ChatID: "C0ELSE"}, kind: surveys.Unreachable,
			setup: func(s *slacktest.Server) { s.AddChannel(slacktest.Channel{ID: "C0ELSE", Outsider: true}) }},
		{name: "account_inactive", to: toChannel, kind: surveys.Unreachable,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.Error("account_inactive")) }},
		{name: "429 with Retry-After", to: toChannel, kind: surveys.RateLimited, retryAfter: 7 * time.Second,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.RateLimited(7*time.Second)) }},
		{name: "429 without Retry-After", to: toChannel, kind: surveys.RateLimited, retryAfter: time.Minute,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.RateLimitedNoHeader()) }},
		{name: "429 on conversations.open", to: surveys.Address{Platform: surveys.Slack, UserID: dana}, kind: surveys.RateLimited, retryAfter: 3 * time.Second,
			setup: func(s *slacktest.Server) { s.Fail("conversations.open", slacktest.RateLimited(3*time.Second)) }},
		{name: "other API error", to: toChannel, kind: surveys.Failed,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.Error("msg_too_long")) }},
		{name: "invalid_auth", to: toChannel, kind: surveys.Failed, token: "xoxb-wrong"},
		{name: "internal_error", to: toChannel, kind: surveys.Ambiguous,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.Error("internal_error")) }},
		{name: "HTTP 503", to: toChannel, kind: surveys.Ambiguous,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.Status(503)) }},
		{name: "HTTP 400", to: toChannel, kind: surveys.Failed,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.Status(400)) }},
		{name: "connection dropped after apply", to: toChannel, kind: surveys.Ambiguous,
			setup: func(s *slacktest.Server) { s.Fail("chat.postMessage", slacktest.DropAfterApply()) }},
		{name: "connection dropped on conversations.open", to: surveys.Address{Platform: surveys.Slack, UserID: dana}, kind: surveys.Failed,
			setup: func(s *slacktest.Server) { s.Fail("conversations.open", slacktest.DropAfterApply()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, b := newFake(t, slacktest.Options{})
			if tt.setup != nil {
				tt.setup(srv)
			}
			if tt.token != "" {
				var err error
				if b, err = New(Config{BotToken: tt.token, APIURL: srv.URL}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := b.Send(t.Context(), tt.to, prompt(surveys.NPS, "en"))
			var se *surveys.SendError
			if !errors.As(err, &se) {
				t.Fatalf("got error %v, want a *surveys.SendError", err)
			}
			kind, after := surveys.FailureOf(err)
			if kind != tt.kind || after != tt.retryAfter {
				t.Errorf("got %v (retry after %v), want kind %v (retry after %v)", err, after, tt.kind, tt.retryAfter)
			}
		})
	}
}

func TestSendBeforeAnythingIsWritten(t *testing.T) {
	t.Parallel()
	srv := slacktest.NewServer(slacktest.Options{})
	srv.Close() // connection refused: nothing can have been posted
	b, err := New(Config{BotToken: slacktest.DefaultToken, APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Send(t.Context(), surveys.Address{Platform: surveys.Slack, ChatID: channel}, prompt(surveys.NPS, "en"))
	if kind, _ := surveys.FailureOf(err); kind != surveys.Failed {
		t.Errorf("got %v, want a definite failure", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = b.Send(ctx, surveys.Address{Platform: surveys.Slack, ChatID: channel}, prompt(surveys.NPS, "en"))
	if kind, _ := surveys.FailureOf(err); kind != surveys.Failed {
		t.Errorf("canceled context: got %v, want a definite failure", err)
	}
}

func TestPerChannelRateLimit(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC).UnixNano())
	srv, b := newFake(t, slacktest.Options{
		PostInterval: time.Second,
		Now:          func() time.Time { return time.Unix(0, clock.Load()) },
	})
	to := surveys.Address{Platform: surveys.Slack, ChatID: channel}
	if _, err := b.Send(t.Context(), to, prompt(surveys.NPS, "en")); err != nil {
		t.Fatal(err)
	}
	_, err := b.Send(t.Context(), to, prompt(surveys.NPS, "en"))
	if kind, after := surveys.FailureOf(err); kind != surveys.RateLimited || after != time.Second {
		t.Fatalf("second post in the same second: got %v, want rate limited for 1s", err)
	}
	// Another channel has its own budget.
	if _, err := b.Send(t.Context(), surveys.Address{Platform: surveys.Slack, UserID: dana}, prompt(surveys.NPS, "en")); err != nil {
		t.Errorf("other channel: %v", err)
	}
	clock.Add(int64(time.Second))
	if _, err := b.Send(t.Context(), to, prompt(surveys.NPS, "en")); err != nil {
		t.Errorf("after the interval: %v", err)
	}
	if got := len(srv.Messages(channel)); got != 2 {
		t.Errorf("got %d messages, want 2", got)
	}
}

func TestDelivered(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	ctx := t.Context()
	p := prompt(surveys.NPS, "he")

	// The post is applied but the answer is lost: ambiguous.
	srv.Fail("chat.postMessage", slacktest.DropAfterApply())
	_, err := b.Send(ctx, surveys.Address{Platform: surveys.Slack, UserID: dana}, p)
	if kind, _ := surveys.FailureOf(err); kind != surveys.Ambiguous {
		t.Fatalf("got %v, want ambiguous", err)
	}
	// Later traffic pushes it past the first page of history.
	dm := slacktest.DM(dana)
	for i := range 150 {
		srv.Say(dm, dana, fmt.Sprintf("message %d", i))
	}
	posted := srv.Posted()
	want := messageRef(dm, posted[0].TS)

	for _, ch := range []string{dm, dana} {
		ref, ok, err := b.Delivered(ctx, ch, p.Ref)
		if err != nil || !ok || ref != want {
			t.Errorf("Delivered(%s, %s) = %q, %v, %v; want %q, true, nil", ch, p.Ref, ref, ok, err, want)
		}
	}
	// The worker's question, by address.
	if ref, ok, err := b.DeliveredTo(ctx, surveys.Address{Platform: surveys.Slack, UserID: dana}, p.Ref); err != nil || !ok || ref != want {
		t.Errorf("DeliveredTo(dana) = %q, %v, %v; want %q", ref, ok, err, want)
	}
	if _, ok, err := b.Delivered(ctx, dm, "inv_other"); ok || err != nil {
		t.Errorf("Delivered of another ref = %v, %v; want false, nil", ok, err)
	}
	if _, _, err := b.Delivered(ctx, "C0GONE", p.Ref); err == nil {
		t.Error("Delivered in an unknown channel: got no error")
	}
}

func TestEdit(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	ctx := t.Context()
	to := surveys.Address{Platform: surveys.Slack, UserID: dana}
	p := prompt(surveys.NPS, "en")
	ref, err := b.Send(ctx, to, p)
	if err != nil {
		t.Fatal(err)
	}
	done := surveys.Prompt{Text: "How likely…? Your answer: *9* ✓", Ref: p.Ref}
	if err := b.Edit(ctx, to, ref, done); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(slacktest.DM(dana))
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if !m.Edited || len(m.Buttons()) != 0 || m.Text != done.Text {
		t.Errorf("after Edit: edited=%v buttons=%d text=%q; want edited, no buttons, %q", m.Edited, len(m.Buttons()), m.Text, done.Text)
	}
	if got, ok, err := b.Delivered(ctx, slacktest.DM(dana), p.Ref); !ok || err != nil || got != ref {
		t.Errorf("Delivered after Edit = %q, %v, %v; want %q", got, ok, err, ref)
	}
	if err := b.Edit(ctx, to, surveys.MessageRef(slacktest.DM(dana)+":1.000001"), done); err == nil {
		t.Error("Edit of an unknown message: got no error")
	}
	if err := b.Edit(ctx, to, "garbage", done); err == nil {
		t.Error("Edit with a malformed ref: got no error")
	}
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	_, b := newFake(t, slacktest.Options{})
	got, err := b.Identity(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{TeamID: "T0VOCBOT", Team: "Vocbot Test", UserID: "U0VOCBOT", BotID: "B0VOCBOT"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Identity (-want +got):\n%s", diff)
	}
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{}, {BotToken: "xoxb-1", APIURL: "http://127.0.0.1:1/api"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v): got no error", cfg)
		}
	}
}

// Workers snooze on 429 with the shared rate bucket; the SDK must not
// retry behind their back (no OptionRetry).
func TestNoRetryInsideTheSDK(t *testing.T) {
	t.Parallel()
	srv, b := newFake(t, slacktest.Options{})
	srv.Fail("chat.postMessage", slacktest.RateLimited(time.Second), slacktest.Status(503))
	to := surveys.Address{Platform: surveys.Slack, ChatID: channel}
	for range 2 {
		if _, err := b.Send(t.Context(), to, prompt(surveys.NPS, "en")); err == nil {
			t.Fatal("got no error for a scripted fault")
		}
	}
	posts := 0
	for _, c := range srv.Calls() {
		if c.Method == "chat.postMessage" {
			posts++
		}
	}
	if posts != 2 {
		t.Errorf("got %d chat.postMessage calls for 2 sends, want 2", posts)
	}
}
