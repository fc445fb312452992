package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

func TestAPIDeleteCustomerAndAudit(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		now := time.Now().UTC().Truncate(time.Second)
		seedAnswers(t, f, []seededAnswer{
			{customer: "cus_del", survey: "nps", metric: "nps", score: 9, comment: "Dana was great", attrs: `{"agent":"dana"}`, at: now.Add(-time.Hour)},
			{customer: "cus_keep", survey: "nps", metric: "nps", score: 6, comment: "slow", attrs: `{"agent":"dana"}`, at: now.Add(-2 * time.Hour)},
		})

		r := f.do(t, "DELETE", "/v1/customers/cus_del", "", nil)
		pseudonym, _ := r.body["customer_id"].(string)
		if r.status != http.StatusOK || !strings.HasPrefix(pseudonym, "forgotten:") || r.body["comments_erased"] != float64(1) ||
			r.body["responses"] != float64(1) || r.body["identities_deleted"] != float64(1) {
			t.Fatalf("delete: got %d %v", r.status, r.body)
		}
		list := f.do(t, "GET", "/v1/responses", "", nil).body["responses"].([]any)
		forgotten, kept := list[0].(map[string]any), list[1].(map[string]any)
		if forgotten["customer_id"] != pseudonym || forgotten["comment"] != nil || forgotten["comment_state"] != "erased" ||
			forgotten["score"] != float64(9) || len(forgotten["attributes"].(map[string]any)) != 0 {
			t.Errorf("forgotten response: got %v", forgotten)
		}
		if kept["customer_id"] != "cus_keep" || kept["comment"] != "slow" {
			t.Errorf("another customer's response: got %v", kept)
		}

		var events int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM touchpoints WHERE external_id LIKE '%cus_del%'`).Scan(&events); err != nil || events != 0 {
			t.Errorf("event ids naming the customer: got %d %v, want 0", events, err)
		}
		again := f.do(t, "DELETE", "/v1/customers/cus_del", "", nil)
		if code, field := errorCode(again); again.status != http.StatusNotFound || code != "customer_not_found" || field != "id" {
			t.Errorf("delete again: got %d %v, want 404 customer_not_found", again.status, again.body)
		}

		audit := f.do(t, "GET", "/v1/audit?since=1h&actor=api", "", nil)
		entries, _ := audit.body["entries"].([]any)
		if audit.status != http.StatusOK || len(entries) != 1 || audit.body["next_cursor"] != nil {
			t.Fatalf("audit: got %d %v", audit.status, audit.body)
		}
		e := entries[0].(map[string]any)
		if e["actor"] != "api" || e["action"] != "forget" || e["target"] != pseudonym || e["result"] != "ok" ||
			strings.Contains(e["detail"].(string), "cus_del") || e["at"] == nil {
			t.Errorf("audit entry: got %v", e)
		}
		for _, c := range []struct{ query, field string }{{"since=soon", "since"}, {"limit=5000", "limit"}, {"cursor=x", "cursor"}, {"who=me", "who"}} {
			r := f.do(t, "GET", "/v1/audit?"+c.query, "", nil)
			if _, field := errorCode(r); r.status/100 != 4 || field != c.field {
				t.Errorf("audit?%s: got %d %v, want 4xx naming %s", c.query, r.status, r.body, c.field)
			}
		}
		if r := f.do(t, "GET", "/v1/audit?actor="+url.QueryEscape("slack:U1"), "", nil); len(r.body["entries"].([]any)) != 0 {
			t.Errorf("audit of another actor: got %v", r.body)
		}
	})
}
