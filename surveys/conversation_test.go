package surveys_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// convStart is when every conversation test begins.
var convStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// convSettings: NPS and CSAT ask why, CES does not; no fatigue gap, so one
// customer can hold several invitations.
func convSettings() *surveys.Settings {
	return &surveys.Settings{
		Product:       "Acme",
		DefaultLocale: "en",
		Timezone:      time.UTC,
		Surveys: []surveys.Survey{
			{ID: "nps", Metric: surveys.NPS, FollowUp: true, ExpiresAfter: 72 * time.Hour},
			{ID: "csat", Metric: surveys.CSAT, FollowUp: true, ExpiresAfter: 72 * time.Hour},
			{ID: "ces", Metric: surveys.CES, ExpiresAfter: 72 * time.Hour},
		},
		Rules: []surveys.Rule{
			{Type: "order_delivered", SurveyID: "nps", Sample: 1},
			{Type: "ticket_closed", SurveyID: "csat", Sample: 1},
			{Type: "issue_resolved", SurveyID: "ces", Sample: 1},
		},
		Enabled: []surveys.Platform{surveys.Telegram, surveys.Slack},
	}
}

type convFixture struct {
	t        testing.TB
	db       *storage.DB
	store    *storage.Store
	engine   *surveys.Engine
	settings *surveys.Settings
	clock    *surveystest.Clock
	sender   *surveystest.Sender
	updates  atomic.Int64
}

func newConvFixture(t testing.TB, db *storage.DB) *convFixture {
	t.Helper()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f := &convFixture{t: t, db: db, store: storage.NewStore(db, jobs), settings: convSettings(),
		clock: surveystest.NewClock(convStart), sender: &surveystest.Sender{}}
	f.engine = surveys.NewEngine(f.settings, f.store, f.clock)
	f.engine.SetSenders(map[surveys.Platform]surveys.Sender{surveys.Telegram: f.sender, surveys.Slack: f.sender})
	return f
}

func tgChat(n int) surveys.Address {
	id := strconv.Itoa(n)
	return surveys.Address{Platform: surveys.Telegram, ChatID: id, UserID: id}
}

// invite ingests a touchpoint for the customer and delivers its survey the
// way the delivery worker would: the prompt through the Sender, then sent.
func (f *convFixture) invite(customer string, to surveys.Address, locale, typ string) surveys.Invitation {
	f.t.Helper()
	ctx := context.Background()
	n := f.updates.Add(1)
	res, err := f.engine.Ingest(ctx, surveys.Ingestion{
		Touchpoint: surveys.Touchpoint{
			Source: "api", ExternalID: fmt.Sprintf("evt_%d", n), Type: typ,
			Customer:   surveys.Customer{ExternalID: customer, Name: "Dana Levi", Locale: locale, TimeZone: "Asia/Jerusalem", Identities: []surveys.Address{to}},
			Attributes: map[string]string{"agent": "yossi"},
		},
		RequestHash: fmt.Sprintf("hash-%d", n),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	inv := res.Invitation
	if inv.Status != surveys.Scheduled {
		f.t.Fatalf("invitation %+v not scheduled", inv)
	}
	p, err := f.settings.ScorePrompt(inv)
	if err != nil {
		f.t.Fatal(err)
	}
	ref, err := f.sender.Send(ctx, inv.To, p)
	if err != nil {
		f.t.Fatal(err)
	}
	f.exec(`UPDATE invitations SET status = 'sent', sent_at = $1, message_ref = $2 WHERE id = $3`, f.clock.Now(), string(ref), inv.ID)
	inv.Status, inv.MessageRef, inv.SentAt = surveys.Sent, string(ref), f.clock.Now()
	return inv
}

func (f *convFixture) exec(q string, args ...any) {
	f.t.Helper()
	if f.db.Engine() == storage.SQLite {
		for i := len(args); i >= 1; i-- {
			q = strings.ReplaceAll(q, "$"+strconv.Itoa(i), "?")
		}
	}
	if _, err := f.db.SQL().Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *convFixture) query(q string, args ...any) *sql.Rows {
	f.t.Helper()
	rows, err := f.db.SQL().Query(q, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return rows
}

func (f *convFixture) count(q string) int {
	f.t.Helper()
	var n int
	if err := f.db.SQL().QueryRow(q).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *convFixture) nextID() string { return fmt.Sprintf("tg:%d", 1000+f.updates.Add(1)) }

// say is the customer typing text.
func (f *convFixture) say(from surveys.Address, text string) {
	f.t.Helper()
	f.handle(surveys.Incoming{ID: f.nextID(), From: from, Text: text})
}

// press is the customer tapping a button of a prompt with ref.
func (f *convFixture) press(from surveys.Address, ref, value string) {
	f.t.Helper()
	f.handle(surveys.Incoming{ID: f.nextID(), From: from, Ref: ref, Value: value})
}

func (f *convFixture) handle(in surveys.Incoming) {
	f.t.Helper()
	if err := f.engine.Handle(context.Background(), in); err != nil {
		f.t.Fatalf("Handle(%+v): %v", in, err)
	}
}

// lastText is the text of the last prompt sent to the address.
func (f *convFixture) lastText(to surveys.Address) string {
	sent := f.sender.Sent(to)
	if len(sent) == 0 {
		return ""
	}
	return sent[len(sent)-1].Text
}

func (f *convFixture) wantLast(to surveys.Address, id surveys.MessageID, locale string, data map[string]any) {
	f.t.Helper()
	want := f.settings.Text(locale, id, data)
	if got := f.lastText(to); got != want {
		f.t.Errorf("last message to %s = %q, want %s %q", to, got, id, want)
	}
}

func (f *convFixture) response(invitationID int64) (surveys.Response, bool) {
	f.t.Helper()
	r, err := f.store.ResponseTo(context.Background(), invitationID)
	if errors.Is(err, surveys.ErrNotFound) {
		return surveys.Response{}, false
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return r, true
}

func (f *convFixture) responses() int { return f.count(`SELECT count(*) FROM responses`) }

func (f *convFixture) alerts() int {
	return f.count(`SELECT count(*) FROM river_job WHERE kind = 'send_alert' AND queue = 'alerts'`)
}

// renderCalls is the conversation as the customer saw it.
func renderCalls(calls []surveystest.Call) string {
	var b strings.Builder
	for _, c := range calls {
		if c.Err != nil {
			fmt.Fprintf(&b, "--- %s %s failed: %v\n", c.Op, c.To, c.Err)
			continue
		}
		fmt.Fprintf(&b, "--- %s %s %s\n%s\n", c.Op, c.To, c.Ref, renderPrompt(c.Prompt))
	}
	return b.String()
}

// convLocaleScript is each locale's typed answers: NPS typed in the
// locale's own digits where it has them, a comment in the language.
var convLocaleScript = map[string]struct{ nps, comment string }{
	"en": {"9", "Fast delivery, friendly courier"},
	"he": {"9", "משלוח מהיר, שליח אדיב"},
	"fa": {"۹", "ارسال سریع بود، ممنون"},
	"ar": {"٩", "التوصيل كان سريعًا"},
	"ru": {"9", "Быстрая доставка"},
}

// TestConversationGolden runs the whole conversation in every locale:
// NPS typed with a comment, CSAT pressed and skipped, a low CES with no
// follow-up, then the commands; the rendered exchange is the golden file.
func TestConversationGolden(t *testing.T) {
	t.Parallel()
	for _, locale := range surveys.Locales {
		t.Run(locale, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				f := newConvFixture(t, db)
				chat := tgChat(5001)
				script := convLocaleScript[locale]

				nps := f.invite("cus_1", chat, locale, "order_delivered")
				f.say(chat, "eleven")
				f.say(chat, "11")
				f.say(chat, script.nps)
				f.say(chat, script.comment)
				f.say(chat, "10")

				csat := f.invite("cus_1", chat, locale, "ticket_closed")
				f.press(chat, surveys.Ref{InvitationID: csat.ID, Question: surveys.QuestionScore}.String(), "2")
				f.press(chat, surveys.Ref{InvitationID: csat.ID, Question: surveys.QuestionWhy}.String(), "skip")

				ces := f.invite("cus_1", chat, locale, "issue_resolved")
				f.press(chat, surveys.Ref{InvitationID: ces.ID, Question: surveys.QuestionScore}.String(), "3")

				for _, cmd := range []string{"/help", "/language xx", "/stop", "/resume", "/delete_my_data"} {
					f.say(chat, cmd)
				}
				f.press(chat, "delete", "no")
				f.press(chat, "delete", "yes")
				f.say(chat, "hello?")

				r, ok := f.response(nps.ID)
				if !ok || r.Score != 9 || r.CommentState != surveys.CommentErased || r.Comment != "" {
					t.Errorf("NPS response after erasure = %+v, want score 9, comment erased", r)
				}
				if got := f.alerts(); got != 2 {
					t.Errorf("%d alert jobs, want 2 (CSAT 2 and CES 3)", got)
				}
				golden(t, "conversation."+locale+".golden", renderCalls(f.sender.Calls()))
			})
		})
	}
}

func TestConversationRecordsComment(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(7001)
		inv := f.invite("cus_7", chat, "fa", "order_delivered")
		f.say(chat, "۳")
		comment := "  پیک دیر رسید، شماره\u200cام ۰۹۱۲۱۲۳۴۵۶۷ است  "
		f.say(chat, comment)
		r, ok := f.response(inv.ID)
		if !ok {
			t.Fatal("no response")
		}
		if r.Score != 3 || r.Metric != surveys.NPS || r.Locale != "fa" || r.Platform != surveys.Telegram ||
			r.TouchpointType != "order_delivered" || r.Attributes["agent"] != "yossi" {
			t.Errorf("response = %+v", r)
		}
		if r.Comment != comment || r.CommentState != surveys.CommentGiven || !r.CommentAt.Equal(convStart) {
			t.Errorf("comment %q (%s at %s), want it stored as written", r.Comment, r.CommentState, r.CommentAt)
		}
		if f.alerts() != 1 {
			t.Errorf("%d alerts, want 1 for a detractor", f.alerts())
		}
		var lang string
		var confidence float64
		if err := db.SQL().QueryRow(`SELECT comment_lang, comment_lang_confidence FROM responses`).Scan(&lang, &confidence); err != nil || lang != "fa" || confidence <= 0.5 {
			t.Errorf("comment language %q (%.2f), %v; want fa", lang, confidence, err)
		}
		f.wantLast(chat, surveys.MsgThanks, "fa", nil)
		// The answer was shown in place of the buttons.
		var edits int
		for _, c := range f.sender.Calls() {
			if c.Op == surveystest.OpEdit && c.Err == nil && c.Ref == surveys.MessageRef(inv.MessageRef) && len(c.Prompt.Choices) == 0 {
				edits++
			}
		}
		if edits != 1 {
			t.Errorf("%d edits of the prompt, want 1", edits)
		}
	})
}

func TestConversationTypedDigits(t *testing.T) {
	t.Parallel()
	for _, typed := range []string{"۹", "٩", " 9 ", "\u20669\u2069", "۹!"} {
		t.Run(typed, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				f := newConvFixture(t, db)
				chat := tgChat(1)
				inv := f.invite("cus_1", chat, "ar", "issue_resolved")
				f.say(chat, "۸") // CES is 1–7: out of range, re-prompted
				f.wantLast(chat, surveys.MsgInvalidAnswer, "ar", map[string]any{"Min": 1, "Max": 7})
				if f.responses() != 0 {
					t.Fatal("out-of-range answer recorded")
				}
				inv2 := f.invite("cus_1", chat, "ar", "order_delivered")
				f.say(chat, typed)
				if r, ok := f.response(inv2.ID); !ok || r.Score != 9 {
					t.Errorf("typed %q: response %+v, want 9 to the newest invitation", typed, r)
				}
				if _, ok := f.response(inv.ID); ok {
					t.Error("the typed answer landed on the older invitation")
				}
			})
		})
	}
}

func TestConversationDoubleTap(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(2)
		inv := f.invite("cus_2", chat, "he", "order_delivered")
		ref := surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String()
		f.press(chat, ref, "8")
		f.press(chat, ref, "8")
		f.wantLast(chat, surveys.MsgAlreadyAnswer, "he", map[string]any{"Score": 8})
		f.press(chat, ref, "2")
		f.wantLast(chat, surveys.MsgAlreadyAnswer, "he", map[string]any{"Score": 8})
		if r, _ := f.response(inv.ID); r.Score != 8 || f.responses() != 1 {
			t.Errorf("response %+v, %d responses; want the first tap's 8 only", r, f.responses())
		}
		if f.alerts() != 0 {
			t.Error("a passive raised an alert")
		}
	})
}

// TestConversationConcurrentTaps: two devices tap different buttons of one
// prompt at the same time; exactly one answer is recorded.
func TestConversationConcurrentTaps(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(3)
		inv := f.invite("cus_3", chat, "ru", "order_delivered")
		ref := surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String()
		const taps = 8
		var wg sync.WaitGroup
		errs := make(chan error, taps)
		for i := range taps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- f.engine.Handle(context.Background(), surveys.Incoming{ID: fmt.Sprintf("tg:tap%d", i), From: chat, Ref: ref, Value: strconv.Itoa(i)})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n := f.responses(); n != 1 {
			t.Fatalf("%d responses, want 1", n)
		}
		var followUps, already int
		for _, p := range f.sender.Sent(chat) {
			switch {
			case p.Ref == surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionWhy}.String():
				followUps++
			case p.Text == f.settings.Text("ru", surveys.MsgAlreadyAnswer, nil):
				already++
			}
		}
		if followUps != 1 || already != taps-1 {
			t.Errorf("%d follow-ups and %d already-answered replies, want 1 and %d", followUps, already, taps-1)
		}
	})
}

// TestConversationSlack: a Slack identity names the user; answers come
// from the DM channel, and the replies go there.
func TestConversationSlack(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		user := surveys.Address{Platform: surveys.Slack, UserID: "U0123"}
		dm := surveys.Address{Platform: surveys.Slack, ChatID: "D0456", UserID: "U0123"}
		inv := f.invite("cus_s", user, "en", "ticket_closed")
		f.handle(surveys.Incoming{ID: "slack:action:1", From: dm, Ref: surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), Value: "1"})
		f.handle(surveys.Incoming{ID: "slack:Ev1", From: dm, Text: "The agent never called back"})
		r, ok := f.response(inv.ID)
		if !ok || r.Score != 1 || r.Comment != "The agent never called back" || r.Platform != surveys.Slack {
			t.Errorf("response %+v", r)
		}
		f.wantLast(dm, surveys.MsgThanks, "en", nil)
		someoneElse := surveys.Address{Platform: surveys.Slack, ChatID: "D0999", UserID: "U0999"}
		f.handle(surveys.Incoming{ID: "slack:Ev2", From: someoneElse, Text: "hi"})
		f.wantLast(someoneElse, surveys.MsgHello, "en", nil)
	})
}

// TestConversationConcurrentTyped: the same customer types answers on two
// devices at once; one is recorded, the other told it was answered.
func TestConversationConcurrentTyped(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(11)
		f.invite("cus_11", chat, "en", "issue_resolved")
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- f.engine.Handle(context.Background(), surveys.Incoming{ID: fmt.Sprintf("tg:typed%d", i), From: chat, Text: strconv.Itoa(i + 1)})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if n := f.responses(); n != 1 {
			t.Errorf("%d responses, want 1", n)
		}
	})
}

// TestConversationTapBeforeSentRecorded: the customer taps faster than the
// delivery worker records the send; the button proves the prompt arrived.
func TestConversationTapBeforeSentRecorded(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(12)
		inv := f.invite("cus_12", chat, "en", "order_delivered")
		f.exec(`UPDATE invitations SET status = 'sending', message_ref = '' WHERE id = $1`, inv.ID)
		// The press carries the message its button is on, as every platform's does.
		f.handle(surveys.Incoming{ID: f.nextID(), From: chat, Ref: surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(),
			Value: "10", Message: surveys.MessageRef(inv.MessageRef)})
		if r, ok := f.response(inv.ID); !ok || r.Score != 10 {
			t.Errorf("response %+v, want the tap recorded", r)
		}
		var edited []surveystest.Call
		for _, c := range f.sender.Calls() {
			if c.Op == surveystest.OpEdit {
				edited = append(edited, c)
			}
		}
		if len(edited) != 1 || edited[0].Ref != surveys.MessageRef(inv.MessageRef) || edited[0].Err != nil || len(edited[0].Prompt.Choices) != 0 {
			t.Fatalf("edits %+v, want the prompt %q edited without its buttons", edited, inv.MessageRef)
		}
	})
}

// TestConversationCleansChatText: NUL and invalid UTF-8, which no chat
// client sends but a forged or broken one might, are cleaned before
// anything is stored, on both engines, never a storage error.
func TestConversationCleansChatText(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(13)
		inv := f.invite("cus_13", chat, "en", "order_delivered")
		f.handle(surveys.Incoming{ID: "tg:nul\x00id\xff", From: chat, Text: "9\x00"})
		r, ok := f.response(inv.ID)
		if !ok || r.Score != 9 {
			t.Fatalf("response %+v, want 9 recorded", r)
		}
		f.handle(surveys.Incoming{ID: f.nextID(), From: chat, Text: "slow\x00 courier \xff\xfe", Locale: "en\x00"})
		r, _ = f.response(inv.ID)
		if r.Comment != "slow courier \uFFFD" || r.CommentState != surveys.CommentGiven {
			t.Errorf("comment %q (%s), want it cleaned and kept", r.Comment, r.CommentState)
		}
	})
}

func TestConversationRedeliveryIgnored(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(4)
		inv := f.invite("cus_4", chat, "en", "order_delivered")
		in := surveys.Incoming{ID: "tg:777", From: chat, Ref: surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), Value: "10"}
		f.handle(in)
		before := len(f.sender.Calls())
		f.handle(in)
		f.handle(surveys.Incoming{ID: "tg:777", From: chat, Text: "a comment that is a redelivery"})
		if after := len(f.sender.Calls()); after != before {
			t.Errorf("a redelivered update sent %d more messages", after-before)
		}
		if r, _ := f.response(inv.ID); r.Score != 10 || r.CommentState != surveys.CommentAwaiting || f.responses() != 1 {
			t.Errorf("response %+v after redelivery", r)
		}
	})
}

func TestConversationLateAndClosed(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(5)
		inv := f.invite("cus_5", chat, "he", "order_delivered")
		f.clock.Advance(72 * time.Hour)
		f.press(chat, surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), "9")
		f.wantLast(chat, surveys.MsgSurveyClosed, "he", nil)
		f.say(chat, "9")
		f.wantLast(chat, surveys.MsgSurveyClosed, "he", nil)
		if f.responses() != 0 {
			t.Error("a late answer was recorded")
		}
		// The follow-up window: a message a day after the score is not a comment.
		inv2 := f.invite("cus_5", chat, "he", "order_delivered")
		f.say(chat, "10")
		f.clock.Advance(surveys.CommentWindow + time.Minute)
		f.say(chat, "hello")
		if r, _ := f.response(inv2.ID); r.CommentState != surveys.CommentSkipped || r.Comment != "" {
			t.Errorf("response %+v: the window passed, want skipped", r)
		}
		f.wantLast(chat, surveys.MsgHelp, "he", nil)
		// A button of someone else's invitation is refused.
		other := tgChat(6)
		f.invite("cus_6", other, "en", "order_delivered")
		f.press(other, surveys.Ref{InvitationID: inv2.ID, Question: surveys.QuestionScore}.String(), "1")
		f.wantLast(other, surveys.MsgSurveyClosed, "en", nil)
	})
}

func TestConversationSkipTyped(t *testing.T) {
	t.Parallel()
	for _, skip := range []string{"skip", "/skip", "Skip!", "דלג"} {
		t.Run(skip, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				f := newConvFixture(t, db)
				chat := tgChat(8)
				inv := f.invite("cus_8", chat, "he", "ticket_closed")
				f.say(chat, "5")
				f.say(chat, skip)
				if r, _ := f.response(inv.ID); r.CommentState != surveys.CommentSkipped || r.Comment != "" {
					t.Errorf("response %+v after %q, want skipped", r, skip)
				}
				f.wantLast(chat, surveys.MsgThanks, "he", nil)
			})
		})
	}
}

func TestConversationOptOutDuringSurvey(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(9)
		later := f.invite("cus_9", chat, "ru", "ticket_closed")
		f.exec(`UPDATE invitations SET status = 'scheduled' WHERE id = $1`, later.ID)
		inv := f.invite("cus_9", chat, "ru", "order_delivered")
		f.say(chat, "/stop")
		var status, reason string
		if err := db.SQL().QueryRow(`SELECT status, skip_reason FROM invitations WHERE id = `+strconv.FormatInt(later.ID, 10)).Scan(&status, &reason); err != nil ||
			status != "skipped" || reason != "opted_out" {
			t.Errorf("scheduled invitation after /stop: %s %s %v; want skipped, opted_out", status, reason, err)
		}
		if n := f.count(`SELECT count(*) FROM invitations WHERE status = 'sent' AND reminded_at IS NULL`); n != 0 {
			t.Errorf("%d surveys would still get a reminder after /stop", n)
		}
		f.wantLast(chat, surveys.MsgStopped, "ru", nil)
		f.press(chat, surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), "7")
		f.wantLast(chat, surveys.MsgSurveyClosed, "ru", nil)
		if f.responses() != 0 {
			t.Error("an answer after /stop was recorded")
		}
		// A later touchpoint is skipped as opted out.
		res, err := f.engine.Ingest(context.Background(), surveys.Ingestion{Touchpoint: surveys.Touchpoint{Source: "api", ExternalID: "late", Type: "order_delivered",
			Customer: surveys.Customer{ExternalID: "cus_9"}}, RequestHash: "h"})
		if err != nil || res.Invitation.SkipReason != surveys.SkipOptedOut {
			t.Errorf("touchpoint after /stop: %+v, %v", res.Invitation, err)
		}
		f.say(chat, "/resume")
		f.wantLast(chat, surveys.MsgResumed, "ru", nil)
		f.press(chat, surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), "7")
		if f.responses() != 1 {
			t.Error("after /resume the open survey takes answers again")
		}
	})
}

func TestConversationCommands(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		ctx := context.Background()
		stranger := surveys.Address{Platform: surveys.Telegram, ChatID: "42", UserID: "42"}
		f.handle(surveys.Incoming{ID: f.nextID(), From: stranger, Text: "/start", Locale: "fa-IR"})
		f.wantLast(stranger, surveys.MsgHello, "fa", nil)
		f.handle(surveys.Incoming{ID: f.nextID(), From: stranger, Text: "9"})
		f.wantLast(stranger, surveys.MsgHello, "en", nil)
		f.handle(surveys.Incoming{ID: f.nextID(), From: stranger, Text: "/start@AcmeBot bogus", Locale: "ru"})
		f.wantLast(stranger, surveys.MsgLinkInvalid, "ru", nil)

		token, _, err := f.store.CreateLinkToken(ctx, "cus_42", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		f.handle(surveys.Incoming{ID: f.nextID(), From: stranger, Text: "/start@AcmeBot " + token, Locale: "he"})
		f.wantLast(stranger, surveys.MsgLinked, "he", nil)
		f.say(stranger, "/language")
		f.wantLast(stranger, surveys.MsgLanguageList, "en", nil)
		f.say(stranger, "/language fa")
		f.wantLast(stranger, surveys.MsgLanguageSet, "fa", nil)
		f.say(stranger, "/HELP")
		f.wantLast(stranger, surveys.MsgHelp, "fa", nil)
		f.say(stranger, "/nonsense")
		f.wantLast(stranger, surveys.MsgHelp, "fa", nil)
		// The stored language outranks the platform's.
		f.handle(surveys.Incoming{ID: f.nextID(), From: stranger, Text: "/stop", Locale: "en"})
		f.wantLast(stranger, surveys.MsgStopped, "fa", nil)
		f.say(stranger, "/resume")
		f.wantLast(stranger, surveys.MsgResumed, "fa", nil)
		inv := f.invite("cus_42", stranger, "", "order_delivered")
		if inv.Locale != "fa" {
			t.Errorf("invitation after /language fa has locale %q", inv.Locale)
		}
	})
}

// TestConversationDeleteMyData erases a customer who answered with a
// comment and checks every column of every table for what could name them.
func TestConversationDeleteMyData(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		ctx := context.Background()
		chat := tgChat(987654)
		inv := f.invite("cus_secret", chat, "he", "order_delivered")
		f.say(chat, "4")
		f.say(chat, "דנה מרמת גן, הטלפון שלי 0521234567")
		if _, _, err := f.store.CreateLinkToken(ctx, "cus_secret", time.Hour); err != nil {
			t.Fatal(err)
		}
		f.invite("cus_secret", chat, "he", "ticket_closed") // open, then erased
		f.exec(`UPDATE invitations SET status = 'scheduled' WHERE id = $1`, inv.ID+1)
		f.say(chat, "/delete_my_data")
		confirm := f.sender.Sent(chat)
		if p := confirm[len(confirm)-1]; len(p.Choices) != 2 || p.Ref != "delete" {
			t.Fatalf("confirmation %+v, want yes/no buttons", p)
		}
		f.press(chat, "delete", "yes")
		f.wantLast(chat, surveys.MsgDeleted, "he", nil)

		r, ok := f.response(inv.ID)
		if !ok || r.Score != 4 || r.Comment != "" || r.CommentState != surveys.CommentErased || len(r.Attributes) != 0 {
			t.Errorf("response after erasure: %+v", r)
		}
		var forgotten int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM customers WHERE forgotten_at IS NOT NULL`).Scan(&forgotten); err != nil || forgotten != 1 {
			t.Errorf("forgotten customers: %d, %v", forgotten, err)
		}
		if n := f.count(`SELECT count(*) FROM responses WHERE comment_lang <> '' OR comment_lang_confidence <> 0`); n != 0 {
			t.Errorf("%d responses keep their comment's language", n)
		}
		if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'forget' AND actor = 'customer'`); n != 1 {
			t.Errorf("%d audited erasures by the customer, want 1", n)
		}
		// No trace of the chat id, the name, the customer id, the comment,
		// the attribute or the time zone anywhere.
		secrets := []string{"987654", "Dana", "cus_secret", "0521234567", "yossi", "Asia/Jerusalem", "hash-"}
		for _, table := range []string{"customers", "identities", "touchpoints", "idempotency_keys", "invitations", "link_tokens", "responses", "rate_buckets", "inbound_updates", "audit_log"} {
			rows := f.query("SELECT * FROM " + table)
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]sql.NullString, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					for _, s := range secrets {
						if strings.Contains(v.String, s) {
							t.Errorf("%s.%s still holds %q: %q", table, cols[i], s, v.String)
						}
					}
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		if n := f.count(`SELECT count(*) FROM link_tokens`); n != 0 {
			t.Errorf("%d link tokens left", n)
		}
		// The chat is no longer linked: what it says now gets the greeting.
		f.say(chat, "/stop")
		f.wantLast(chat, surveys.MsgHello, "en", nil)
	})
}

// FuzzConversationTyped sends arbitrary text as typed answers and
// commands: Handle never fails, always answers, and a recorded score is on
// the survey's scale.
func FuzzConversationTyped(f *testing.F) {
	for _, s := range []string{"9", "۱۰", "٩", "-1", "11", "/start x", "/language he", "/stop", "/delete_my_data", "skip", "", "\u2067٩\u2069", "9.5", "/", "/@",
		"bad \xff utf-8", "nul \x00 byte", "/language \x00"} {
		f.Add(s)
	}
	// The last engine: PostgreSQL when configured, which is pickier about text.
	engines := storagetest.Engines()
	db := storagetest.Open(f, engines[len(engines)-1])
	fx := newConvFixture(f, db)
	chat := tgChat(31337)
	fx.invite("cus_fuzz", chat, "fa", "order_delivered")
	f.Fuzz(func(t *testing.T, text string) {
		fx.t = t
		if strings.HasPrefix(strings.TrimSpace(text), "/delete") || strings.Contains(text, "/stop") {
			return // would end the conversation the next inputs need
		}
		before := len(fx.sender.Calls())
		if err := fx.engine.Handle(context.Background(), surveys.Incoming{ID: fx.nextID(), From: chat, Text: text}); err != nil {
			t.Fatalf("Handle(%q): %v", text, err)
		}
		if len(fx.sender.Calls()) == before {
			t.Fatalf("Handle(%q) said nothing", text)
		}
		if n := fx.count(`SELECT count(*) FROM responses WHERE score < 0 OR score > 10`); n != 0 {
			t.Fatalf("Handle(%q) recorded a score off the scale", text)
		}
		if fx.count(`SELECT count(*) FROM invitations i WHERE status = 'sent' AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = i.id)`) == 0 {
			fx.invite("cus_fuzz", chat, "fa", "order_delivered")
		}
	})
}

// A deep link's /start in a Telegram group links nothing (a group is no
// survey recipient) and leaves the token for the customer's private chat.
func TestConversationStartInGroupLinksNothing(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		token, _, err := f.store.CreateLinkToken(context.Background(), "cus_group", surveys.DefaultLinkTTL)
		if err != nil {
			t.Fatal(err)
		}
		group := surveys.Address{Platform: surveys.Telegram, ChatID: "-1001234567890", UserID: "77"}
		f.say(group, "/start "+token)
		f.wantLast(group, surveys.MsgLinkInvalid, "en", nil)
		if n := f.count(`SELECT count(*) FROM identities`); n != 0 {
			t.Fatalf("%d identities linked from a group", n)
		}
		private := tgChat(77)
		f.say(private, "/start "+token)
		f.wantLast(private, surveys.MsgLinked, "en", nil)
		if n := f.count(`SELECT count(*) FROM identities`); n != 1 {
			t.Errorf("%d identities after the private /start, want 1", n)
		}
	})
}

// An update delivered several times at once (a platform retrying while
// the first delivery is still being recorded) is recorded once and
// answered once: a detractor's press, then the comment typed after it.
func TestConversationConcurrentRedeliveries(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newConvFixture(t, db)
		chat := tgChat(5)
		inv := f.invite("cus_5", chat, "en", "order_delivered")
		at := func(in surveys.Incoming) {
			t.Helper()
			const copies = 4
			errs := make(chan error, copies)
			for range copies {
				go func() { errs <- f.engine.Handle(context.Background(), in) }()
			}
			for range copies {
				if err := <-errs; err != nil {
					t.Errorf("Handle(%s): %v", in.ID, err)
				}
			}
		}
		before := len(f.sender.Calls())
		at(surveys.Incoming{ID: "tg:901", From: chat, Ref: surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String(), Value: "2"})
		pressed := len(f.sender.Calls()) - before
		if r, _ := f.response(inv.ID); r.Score != 2 || f.responses() != 1 || f.alerts() != 1 {
			t.Errorf("after the press: response %+v, %d responses, %d alert jobs; want score 2, 1 and 1", r, f.responses(), f.alerts())
		}
		at(surveys.Incoming{ID: "tg:902", From: chat, Text: "late and cold"})
		if r, _ := f.response(inv.ID); r.Comment != "late and cold" || r.CommentState != surveys.CommentGiven {
			t.Errorf("after the comment: response %+v", r)
		}
		// The press: the prompt edited and the follow-up asked, once; the
		// comment: thanks, once.
		if pressed != 2 || len(f.sender.Calls())-before != 3 {
			t.Errorf("%d messages for the press and %d in all, want 2 and 3:\n%s", pressed, len(f.sender.Calls())-before, renderCalls(f.sender.Calls()[before:]))
		}
	})
}
