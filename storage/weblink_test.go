package storage_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// fakeHook records the handoffs it is given and answers with the scripted
// errors first (nil: taken).
type fakeHook struct {
	mu   sync.Mutex
	errs []error
	got  []surveys.WebLinkHandoff
}

func (h *fakeHook) HandOff(_ context.Context, l surveys.WebLinkHandoff) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, l)
	if len(h.errs) > 0 {
		err := h.errs[0]
		h.errs = h.errs[1:]
		return err
	}
	return nil
}

func (h *fakeHook) calls() []surveys.WebLinkHandoff {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]surveys.WebLinkHandoff(nil), h.got...)
}

// blocked is a sender whose every send is refused as Telegram refuses a
// customer who blocked the bot.
func blocked() *surveystest.Sender {
	s := &surveystest.Sender{}
	s.Fail(&surveys.SendError{Kind: surveys.Unreachable, Err: errors.New("Forbidden: bot was blocked by the user")})
	return s
}

func withWebLink(hook surveys.WebLinkHook, eligible bool) func(*storage.Delivery) {
	return func(d *storage.Delivery) {
		d.WebLink = &storage.WebLinkFallback{
			Eligible: func(string) bool { return eligible },
			Link: func(inv surveys.Invitation) string {
				return "https://vocbot.example.com/answer/" + strconv.FormatInt(inv.ID, 10) + ".sig"
			},
			Hook: hook,
		}
	}
}

func (f fixture) jobStates(t *testing.T, kind string) []string {
	t.Helper()
	var states []string
	if err := f.db.Gorm().Raw("SELECT state FROM river_job WHERE kind = ?", kind).Scan(&states).Error; err != nil {
		t.Fatal(err)
	}
	return states
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A refused send of a survey with web links becomes a web invitation, and
// its link reaches the hook once it takes it: the retry after a failure
// hands on the same link under the same id, the chat is not tried again,
// and the customer can answer on the web.
func TestWebLinkFallback(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		hook := &fakeHook{errs: []error{&surveys.SendError{Kind: surveys.Failed, Err: errors.New("web_link_fallback answered HTTP 503")}}}
		s := blocked()
		f := startDelivery(t, db, s, withWebLink(hook, true))
		inv := ingestOne(t, f, 900)
		got := waitStatus(t, f, inv.ID, surveys.Sent)
		if got.To.Platform != surveys.Web || got.To.UserID != "cus_900" || got.To.ChatID != "" || got.ExpiresAt.Sub(inv.ExpiresAt).Abs() > time.Microsecond ||
			got.MessageRef != "" || !strings.Contains(got.Detail, "web_link_fallback") || !strings.Contains(got.Detail, "blocked by the user") {
			t.Errorf("after the refused send: got %+v, want a sent web invitation to cus_900 expiring at %s, saying why", got, inv.ExpiresAt)
		}
		waitFor(t, "the hook takes the link on the retry", func() bool { return len(hook.calls()) == 2 })
		calls := hook.calls()
		want := surveys.WebLinkHandoff{ID: storage.WebLinkID(inv.ID), InvitationID: inv.ID, CustomerID: "cus_900", SurveyID: "nps",
			WebURL: "https://vocbot.example.com/answer/" + strconv.FormatInt(inv.ID, 10) + ".sig", ExpiresAt: got.ExpiresAt.UTC().Truncate(time.Second),
			Reason: "undeliverable"}
		for i, c := range calls {
			if c != want {
				t.Errorf("handoff %d: got %+v, want %+v", i+1, c, want)
			}
		}
		waitFor(t, "the web link job completes", func() bool {
			st := f.jobStates(t, "web_link_fallback")
			return len(st) == 1 && st[0] == "completed"
		})
		if n := sendsTo(s, "900"); n != 1 {
			t.Errorf("sends to the chat: got %d, want the one refused", n)
		}
		if st := f.jobStates(t, "send_survey"); len(st) != 1 || st[0] != "cancelled" {
			t.Errorf("send_survey jobs: got %v, want one, cancelled", st)
		}
		// The link answers like any web invitation.
		page, err := f.engine.AnswerWeb(context.Background(), surveys.WebAnswer{InvitationID: inv.ID, Question: surveys.QuestionScore, Value: "9"})
		if err != nil {
			t.Fatal(err)
		}
		if page.State != surveys.WebFollowUp {
			t.Errorf("after the score: got state %v, want the follow-up", page.State)
		}
		rs, _, err := f.store.Responses(context.Background(), storage.ResponseFilter{})
		if err != nil || len(rs) != 1 || rs[0].Score != 9 || rs[0].Platform != surveys.Web || rs[0].InvitationID != inv.ID {
			t.Errorf("responses: got %+v, %v; want one 9 on the web", rs, err)
		}
		if n := len(hook.calls()); n != 2 {
			t.Errorf("handoffs: got %d, want 2 (the failure and the retry)", n)
		}
	})
}

// Without the fallback, or for a survey without web links, a refused send
// stays undeliverable and nothing is handed on.
func TestWebLinkFallbackOff(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		configure func(*storage.Delivery)
		hook      *fakeHook
	}{
		{"not configured", func(*storage.Delivery) {}, nil},
		{"survey without web_link", nil, &fakeHook{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				configure := c.configure
				if c.hook != nil {
					configure = withWebLink(c.hook, false)
				}
				f := startDelivery(t, db, blocked(), configure)
				inv := ingestOne(t, f, 901)
				got := waitStatus(t, f, inv.ID, surveys.Undeliverable)
				if got.To.Platform != surveys.Telegram {
					t.Errorf("got %+v, want it left on Telegram", got)
				}
				waitJob(t, f, "cancelled")
				if st := f.jobStates(t, "web_link_fallback"); len(st) != 0 {
					t.Errorf("web link jobs: got %v, want none", st)
				}
				if c.hook != nil && len(c.hook.calls()) != 0 {
					t.Errorf("handoffs: got %v, want none", c.hook.calls())
				}
			})
		})
	}
}

// A receiver that refuses the link (4xx) is not retried: the invitation is
// undeliverable again, saying so.
func TestWebLinkFallbackRefused(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		hook := &fakeHook{errs: []error{&surveys.SendError{Kind: surveys.Unreachable, Err: errors.New("web_link_fallback answered HTTP 400")}}}
		f := startDelivery(t, db, blocked(), withWebLink(hook, true))
		inv := ingestOne(t, f, 902)
		got := waitStatus(t, f, inv.ID, surveys.Undeliverable)
		if !strings.Contains(got.Detail, "web_link_fallback refused its web link") || !strings.Contains(got.Detail, "HTTP 400") {
			t.Errorf("detail: got %q, want it to say the receiver refused the link", got.Detail)
		}
		waitFor(t, "the web link job is cancelled", func() bool {
			st := f.jobStates(t, "web_link_fallback")
			return len(st) == 1 && st[0] == "cancelled"
		})
		if n := len(hook.calls()); n != 1 {
			t.Errorf("handoffs: got %d, want 1 (a 4xx is not retried)", n)
		}
		page, err := f.engine.WebSurvey(context.Background(), inv.ID)
		if err != nil || page.State != surveys.WebClosed {
			t.Errorf("the link after the refusal: got %v, %v; want closed", page.State, err)
		}
	})
}

// A customer who blocks the bot before their survey is sent (Telegram
// tells vocbot) gets the web link instead, without a send that fails.
func TestWebLinkFallbackBlockedBeforeSend(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		hook := &fakeHook{}
		s := &surveystest.Sender{}
		f := startDelivery(t, db, s, withWebLink(hook, true))
		f.engine = surveys.NewEngine(testSettings(), f.store, nil) // the rule's 2 h delay: still scheduled at the block
		res, err := f.engine.Ingest(context.Background(), touchpoint("evt_903", "cus_903", 903))
		if err != nil || res.Invitation.Status != surveys.Scheduled {
			t.Fatalf("ingest: %+v, %v; want scheduled", res.Invitation, err)
		}
		f.event(t, "tg:903", "903", surveys.EventBlocked)
		got := waitStatus(t, f, res.Invitation.ID, surveys.Sent)
		if got.To.Platform != surveys.Web || !strings.Contains(got.Detail, surveys.BlockedDetail) {
			t.Errorf("after the block: got %+v, want a web invitation saying the customer blocked the bot", got)
		}
		waitFor(t, "the hook gets the link", func() bool { return len(hook.calls()) == 1 })
		if c := hook.calls()[0]; c.InvitationID != res.Invitation.ID || c.CustomerID != "cus_903" || c.Reason != "undeliverable" {
			t.Errorf("handoff: got %+v", c)
		}
		// A redelivered block changes nothing: one link, one job.
		f.event(t, "tg:903b", "903", surveys.EventBlocked)
		if st := f.jobStates(t, "web_link_fallback"); len(st) != 1 {
			t.Errorf("web link jobs: got %v, want one", st)
		}
		if n := sendsTo(s, "903"); n != 0 {
			t.Errorf("sends to the blocked chat: got %d, want none", n)
		}
	})
}
