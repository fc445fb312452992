package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// TestForgetLeavesNothingPersonal fills every table a customer touches,
// forgets them, and then reads every column of every table as text: none
// may still hold anything that identifies them. Another customer's data
// must stay whole, and the scores must still count.
func TestForgetLeavesNothingPersonal(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		const id = "cus_secret_7"
		var firstResponse int64
		secrets := []string{id, "Yael Secretname", "Yael", "Secretname", "Asia/Tehran", "555000111", "USECRET9", "agentsecret", "+972501234567", "my secret comment"}

		for i, c := range []struct{ customer, name, tz, chat, slack, agent string }{
			{id, "Yael Secretname", "Asia/Tehran", "555000111", "USECRET9", "agentsecret"},
			{"cus_other", "Other Person", "Europe/Moscow", "444000222", "UOTHER1", "agentother"},
		} {
			in := surveys.Ingestion{Touchpoint: surveys.Touchpoint{
				Source: "api", ExternalID: fmt.Sprintf("delivered-%s-%d", c.customer, i), Type: "order_delivered",
				Customer: surveys.Customer{ExternalID: c.customer, Name: c.name, Locale: "fa", TimeZone: c.tz, Identities: []surveys.Address{
					{Platform: surveys.Telegram, ChatID: c.chat, UserID: c.chat}, {Platform: surveys.Slack, UserID: c.slack}}},
				Attributes: map[string]string{"agent": c.agent, "phone": "+97250123456" + fmt.Sprint(7+i)},
			}, RequestHash: fmt.Sprint("hash-of-body-", i), IdempotencyKey: fmt.Sprintf("key:%s", c.customer)}
			res, err := f.engine.Ingest(ctx, in)
			if err != nil || res.Invitation.Status != surveys.Scheduled {
				t.Fatalf("ingest %s: %v %+v", c.customer, err, res)
			}
			if _, _, err := f.store.CreateLinkToken(ctx, c.customer, time.Hour); err != nil {
				t.Fatal(err)
			}
			if _, err := db.TakeToken(ctx, "telegram:chat:"+c.chat, storage.Rate{Interval: time.Second, Burst: 1}); err != nil {
				t.Fatal(err)
			}
			var rs []surveys.Response
			for k := range 3 {
				rs = append(rs, surveys.Response{CustomerID: c.customer, SurveyID: "nps", Metric: surveys.NPS, Score: 8 + k,
					Comment:      fmt.Sprintf("%s %d of %s", map[bool]string{true: "my secret comment", false: "kept comment"}[i == 0], k, c.agent),
					CommentState: surveys.CommentGiven, Locale: "fa", Platform: surveys.Telegram, TouchpointType: "order_delivered",
					Attributes: map[string]string{"agent": c.agent}, AnsweredAt: time.Now().Add(-time.Duration(k) * time.Hour)})
			}
			rs[2].Comment, rs[2].CommentState = "", surveys.CommentAwaiting
			if err := storage.InsertResponses(ctx, db, rs); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				firstResponse = rs[0].ID
			}
			for _, e := range []surveys.AuditEntry{
				{Actor: "slack:UAMB1", Platform: surveys.Slack, Action: "send nps " + c.customer, Target: c.customer, Result: "ok", Detail: "invited " + c.customer},
				{Actor: "slack:UAMB1", Platform: surveys.Slack, Action: "link " + c.customer + "x", Target: c.customer + "x", Result: "not_found"},
			} {
				if err := f.store.RecordAudit(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
		}

		// Staff answered her alert and wrote her name in the note and the reply.
		if err := db.Gorm().Exec(`INSERT INTO alerts (response_id, target, state, resolution, created_at) VALUES (?, 'slack:C1', 'resolved', ?, ?)`,
			firstResponse, "called Yael back", time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		if err := f.store.RecordAudit(ctx, surveys.AuditEntry{Actor: "slack:UAMB1", Action: "survey.reply", Target: "a1",
			Detail: "Hi Yael Secretname, we are sorry", Result: "ok"}); err != nil {
			t.Fatal(err)
		}

		// A digest showed quotes of both: redacted, cut excerpts.
		if err := db.Gorm().Exec(`INSERT INTO digest_runs (digest_id, local_date, status, due_at, quotes) VALUES (?, ?, 'sent', ?, ?)`,
			"daily", "2026-11-20", time.Now().UTC(), `["… secret comment 0 of [phone] …","kept comment 0 of agentother","my secret comment 1 of agentsecret"]`).Error; err != nil {
			t.Fatal(err)
		}

		rep, err := f.store.ForgetBy(ctx, id, surveys.AuditEntry{Actor: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(rep.Pseudonym, "forgotten:") || len(rep.Pseudonym) != len("forgotten:")+16 ||
			rep.Responses != 3 || rep.CommentsErased != 3 || rep.IdentitiesDeleted != 2 || rep.LinkTokensDeleted != 1 ||
			rep.TouchpointsCleared != 4 || rep.InvitationsCancelled != 1 {
			t.Errorf("report: got %+v", rep)
		}

		var quotes string
		if err := db.Gorm().Raw("SELECT quotes FROM digest_runs").Scan(&quotes).Error; err != nil || quotes != `["kept comment 0 of agentother"]` {
			t.Errorf("digest quotes: got %s %v, want only the other customer's", quotes, err)
		}

		// The customer's longer-named neighbour in the audit log keeps its id.
		dump := dumpAll(t, db)
		for _, s := range secrets {
			for _, hit := range dump {
				if strings.Contains(hit, s) && !strings.Contains(hit, id+"x") {
					t.Errorf("%q survives: %s", s, hit)
				}
			}
		}
		for _, s := range []string{"cus_other", "Other Person", "Europe/Moscow", "444000222", "UOTHER1", "agentother", "kept comment 0", "cus_secret_7x"} {
			found := false
			for _, hit := range dump {
				found = found || strings.Contains(hit, s)
			}
			if !found {
				t.Errorf("%q of another customer was erased too", s)
			}
		}

		// Scores are kept, under the pseudonym, and the erasure is audited
		// under it too.
		var kept []surveys.Response
		if err := f.store.EachResponse(ctx, storage.ResponseFilter{}, func(r surveys.Response) error {
			if r.CustomerID == rep.Pseudonym {
				kept = append(kept, r)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(kept) != 3 {
			t.Fatalf("got %d responses under the pseudonym, want 3", len(kept))
		}
		for _, r := range kept {
			if r.Comment != "" || r.CommentState != surveys.CommentErased || len(r.Attributes) != 0 || r.Score < 8 {
				t.Errorf("kept response: got %+v", r)
			}
		}
		log, _, err := f.store.Audit(ctx, storage.AuditFilter{Actor: "cli"})
		if err != nil || len(log) != 1 || log[0].Action != "forget" || log[0].Target != rep.Pseudonym || log[0].Result != "ok" {
			t.Fatalf("audit: got %+v %v", log, err)
		}

		if _, err := f.store.Forget(ctx, id); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("forget again: got %v, want ErrNotFound", err)
		}
		if _, err := f.store.Forget(ctx, rep.Pseudonym); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("forget the pseudonym: got %v, want ErrNotFound", err)
		}
		if _, err := f.store.Forget(ctx, "cus_nobody"); !errors.Is(err, surveys.ErrNotFound) {
			t.Errorf("forget a stranger: got %v, want ErrNotFound", err)
		}
		// The customer may come back: a new touchpoint starts from nothing.
		res, err := f.engine.Ingest(ctx, surveys.Ingestion{Touchpoint: surveys.Touchpoint{Source: "api", ExternalID: "evt_back", Type: "order_delivered",
			Customer: surveys.Customer{ExternalID: id, Identities: []surveys.Address{{Platform: surveys.Telegram, ChatID: "555000111", UserID: "555000111"}}}},
			RequestHash: "back"})
		if err != nil || res.Invitation.Status != surveys.Scheduled {
			t.Fatalf("a forgotten customer comes back: got %+v %v, want a fresh invitation", res, err)
		}
	})
}

// dumpAll reads every row of every table of the database as
// "table.column=value" strings.
func dumpAll(t *testing.T, db *storage.DB) []string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Engine() == storage.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.SQL().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 8 {
		t.Fatalf("found only tables %v", tables)
	}
	var out []string
	for _, table := range tables {
		rows, err := db.SQL().QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				out = append(out, table+"."+cols[i]+"="+s)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}
