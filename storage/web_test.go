package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// fixedLinks makes web links without a key: the signing lives in web/.
type fixedLinks struct{}

func (fixedLinks) WebURL(inv surveys.Invitation) string {
	return "https://vocbot.example.com/a/" + surveys.Ref{InvitationID: inv.ID, Question: surveys.QuestionScore}.String()
}

type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

func webFixture(t *testing.T, db *storage.DB, clock surveys.Clock) fixture {
	t.Helper()
	f := newFixture(t, db)
	s := testSettings()
	s.Surveys = append(s.Surveys, surveys.Survey{ID: "csat-web", Metric: surveys.CSAT, FollowUp: true, ExpiresAfter: 72 * time.Hour, WebLink: true})
	f.engine = surveys.NewEngine(s, f.store, clock)
	f.engine.SetWebLinks(fixedLinks{})
	return f
}

func webTouchpoint(id, customer, locale string) surveys.Ingestion {
	return surveys.Ingestion{
		Touchpoint: surveys.Touchpoint{Source: "api", ExternalID: id, Type: "ticket_closed", SurveyID: "csat-web",
			Customer: surveys.Customer{ExternalID: customer, Locale: locale}},
		RequestHash: "hash-" + id,
	}
}

func TestWebInvitationAnsweredOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := &stepClock{t: time.Now().UTC()}
		f := webFixture(t, db, clock)

		res, err := f.engine.Ingest(ctx, webTouchpoint("t1", "cus_web", "he"))
		if err != nil {
			t.Fatal(err)
		}
		inv := res.Invitation
		if inv.Status != surveys.Sent || inv.To.Platform != surveys.Web || inv.WebURL == "" {
			t.Fatalf("got invitation %+v, want a sent web invitation with a link", inv)
		}
		if !strings.HasPrefix(inv.Detail, "a web link") {
			t.Errorf("got detail %q, want it to say a web link was made", inv.Detail)
		}
		// The same survey for a reachable customer stays a chat invitation.
		chat := webTouchpoint("t2", "cus_chat", "en")
		chat.Touchpoint.Customer.Identities = []surveys.Address{{Platform: surveys.Telegram, ChatID: "42", UserID: "42"}}
		if res, err := f.engine.Ingest(ctx, chat); err != nil || res.Invitation.To.Platform != surveys.Telegram || res.Invitation.WebURL != "" {
			t.Fatalf("reachable customer: got %+v, %v; want a Telegram invitation without a web link", res.Invitation, err)
		}
		// A chat invitation's id is no web invitation.
		if _, err := f.engine.WebSurvey(ctx, inv.ID+1); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("WebSurvey of a chat invitation: got %v, want ErrNotFound", err)
		}

		page, err := f.engine.WebSurvey(ctx, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if page.State != surveys.WebAsk || page.Locale != "he" || page.Dir != surveys.RTL || len(page.Score.Choices) != 5 {
			t.Fatalf("got page state %v locale %q dir %v with %d choices, want an open Hebrew RTL question with 5 choices",
				page.State, page.Locale, page.Dir, len(page.Score.Choices))
		}

		bad, err := f.engine.AnswerWeb(ctx, surveys.WebAnswer{InvitationID: inv.ID, Question: surveys.QuestionScore, Value: "9"})
		if err != nil {
			t.Fatal(err)
		}
		if bad.State != surveys.WebAsk || len(bad.Notes) != 1 {
			t.Fatalf("out-of-range score: got state %v notes %q, want the question again with one note", bad.State, bad.Notes)
		}

		got, err := f.engine.AnswerWeb(ctx, surveys.WebAnswer{InvitationID: inv.ID, Question: surveys.QuestionScore, Value: "2"})
		if err != nil {
			t.Fatal(err)
		}
		if got.State != surveys.WebFollowUp || got.Repeated || got.FollowUp.Text == "" {
			t.Fatalf("score: got state %v repeated %v, want the follow-up", got.State, got.Repeated)
		}
		again, err := f.engine.AnswerWeb(ctx, surveys.WebAnswer{InvitationID: inv.ID, Question: surveys.QuestionScore, Value: "5"})
		if err != nil {
			t.Fatal(err)
		}
		if !again.Repeated || len(again.Notes) != 1 {
			t.Errorf("second score: got repeated %v notes %q, want refused with one note", again.Repeated, again.Notes)
		}
		done, err := f.engine.AnswerWeb(ctx, surveys.WebAnswer{InvitationID: inv.ID, Question: surveys.QuestionWhy, Comment: "השליח איחר"})
		if err != nil {
			t.Fatal(err)
		}
		if done.State != surveys.WebDone || len(done.Notes) != 1 {
			t.Fatalf("comment: got state %v notes %q, want done with the thanks", done.State, done.Notes)
		}

		rs, _, err := f.store.Responses(ctx, storage.ResponseFilter{SurveyID: "csat-web"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("got %d responses, want 1", len(rs))
		}
		r := rs[0]
		want := []any{2, "השליח איחר", surveys.Web, "cus_web"}
		if diff := cmp.Diff(want, []any{r.Score, r.Comment, r.Platform, r.CustomerID}); diff != "" {
			t.Errorf("stored response (-want +got):\n%s", diff)
		}

		// Past its expiry a web invitation is closed.
		late, err := f.engine.Ingest(ctx, webTouchpoint("t3", "cus_late", "en"))
		if err != nil {
			t.Fatal(err)
		}
		if late.Invitation.Status != surveys.Sent {
			t.Fatalf("second customer: got %+v, want a web invitation", late.Invitation)
		}
		clock.t = clock.t.Add(73 * time.Hour)
		closed, err := f.engine.AnswerWeb(ctx, surveys.WebAnswer{InvitationID: late.Invitation.ID, Question: surveys.QuestionScore, Value: "4"})
		if err != nil {
			t.Fatal(err)
		}
		if closed.State != surveys.WebClosed {
			t.Errorf("expired: got state %v, want closed", closed.State)
		}
	})
}

func TestSignInTokens(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		token, expires, err := f.store.CreateSignInToken(ctx, "slack:U0123", 15*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(expires); d < 14*time.Minute || d > 16*time.Minute {
			t.Errorf("got expiry in %s, want about 15 minutes", d)
		}
		if ok, err := f.store.SignInTokenValid(ctx, token); err != nil || !ok {
			t.Fatalf("fresh token valid: got %v, %v; want true", ok, err)
		}
		session, who, _, err := f.store.RedeemSignInToken(ctx, token, 12*time.Hour)
		if err != nil || who != "slack:U0123" || session == "" || session == token {
			t.Fatalf("redeem: got %q, %q, %v; want a new session for slack:U0123", session, who, err)
		}
		if _, _, _, err := f.store.RedeemSignInToken(ctx, token, 12*time.Hour); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("second redeem: got %v, want ErrNotFound", err)
		}
		if ok, _ := f.store.SignInTokenValid(ctx, token); ok {
			t.Errorf("used token: got valid, want not")
		}
		if got, err := f.store.SessionWho(ctx, session); err != nil || got != "slack:U0123" {
			t.Errorf("session: got %q, %v; want slack:U0123", got, err)
		}
		if _, err := f.store.SessionWho(ctx, token); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("the token as a session: got %v, want ErrNotFound", err)
		}
		if err := f.store.EndSession(ctx, session); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.SessionWho(ctx, session); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("ended session: got %v, want ErrNotFound", err)
		}

		expired, _, err := f.store.CreateSignInToken(ctx, "cli", -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := f.store.RedeemSignInToken(ctx, expired, time.Hour); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("expired token: got %v, want ErrNotFound", err)
		}
		short, _, err := f.store.CreateSignInToken(ctx, "cli", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		s2, _, _, err := f.store.RedeemSignInToken(ctx, short, -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.SessionWho(ctx, s2); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("expired session: got %v, want ErrNotFound", err)
		}

		entries, _, err := f.store.Audit(ctx, storage.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Actor+" "+e.Action)
			if strings.Contains(e.Detail, token) || strings.Contains(e.Detail, session) {
				t.Errorf("audit entry %q holds a credential", e.Detail)
			}
		}
		for _, want := range []string{"slack:U0123 dashboard.link", "slack:U0123 dashboard.signin", "slack:U0123 dashboard.signout"} {
			if !strings.Contains(strings.Join(actions, "\n"), want) {
				t.Errorf("audit log %q lacks %q", actions, want)
			}
		}
	})
}

func TestServerSecretShared(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		a := newFixture(t, db).store
		b := newFixture(t, db).store // another replica on the same database
		ka, err := a.ServerSecret(ctx, "web-answer")
		if err != nil {
			t.Fatal(err)
		}
		kb, err := b.ServerSecret(ctx, "web-answer")
		if err != nil {
			t.Fatal(err)
		}
		if len(ka) != 32 || string(ka) != string(kb) {
			t.Errorf("got keys of %d and %d bytes, equal %v; want one 32-byte key", len(ka), len(kb), string(ka) == string(kb))
		}
		other, err := a.ServerSecret(ctx, "other")
		if err != nil || string(other) == string(ka) {
			t.Errorf("another name: got the same key or %v; want a different key", err)
		}
	})
}

func TestPruneSignIns(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		token, _, err := f.store.CreateSignInToken(ctx, "cli", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		session, _, _, err := f.store.RedeemSignInToken(ctx, token, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.store.CreateSignInToken(ctx, "cli", time.Minute); err != nil {
			t.Fatal(err)
		}
		if n, err := db.PruneRecords(ctx, time.Now().UTC().Add(2*time.Hour)); err != nil || n != 0 {
			t.Fatalf("prune within a day of expiry: got %d, %v; want nothing", n, err)
		}
		if n, err := db.PruneRecords(ctx, time.Now().UTC().Add(26*time.Hour)); err != nil || n != 3 {
			t.Fatalf("prune a day after: got %d, %v; want 2 tokens and 1 session", n, err)
		}
		if _, err := f.store.SessionWho(ctx, session); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("pruned session: got %v, want ErrNotFound", err)
		}
	})
}
