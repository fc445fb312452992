package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// seededAnswer is a response written under a touchpoint sent through the API.
type seededAnswer struct {
	customer, survey, metric string
	score                    int
	comment                  string // "" = none
	attrs                    string // JSON object
	at                       time.Time
}

// seedAnswers posts one touchpoint per answer (each for its own customer)
// and writes the answer to its invitation straight into responses, as the
// Engine would. Literal SQL keeps it the same on both engines.
func seedAnswers(t *testing.T, f apiFixture, answers []seededAnswer) []int64 {
	t.Helper()
	ids := make([]int64, len(answers))
	for i, a := range answers {
		body := fmt.Sprintf(`{"id":"seed_%s","type":"order_delivered","survey":%q,"customer":{"id":%q,"name":"Dana %s","telegram_chat_id":%d},"attributes":%s}`,
			a.customer, a.survey, a.customer, a.customer, 900000+i, a.attrs)
		r := f.do(t, "POST", "/v1/touchpoints", body, nil)
		if r.status != http.StatusAccepted {
			t.Fatalf("seed %d: got %d %v", i, r.status, r.body)
		}
		inv := int64(r.body["invitation"].(map[string]any)["id"].(float64))
		comment, state := "NULL", "'none'"
		if a.comment != "" {
			comment, state = "'"+strings.ReplaceAll(a.comment, "'", "''")+"'", "'given'"
		}
		q := fmt.Sprintf(`INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, comment, comment_state,
 locale, platform, touchpoint_type, attributes, update_id, answered_at)
SELECT id, customer_id, survey_id, '%s', %d, %s, %s, 'he', 'telegram', 'order_delivered', '%s', 'seed:%d', '%s'
FROM invitations WHERE id = %d`, a.metric, a.score, comment, state, a.attrs, inv, a.at.UTC().Format("2006-01-02 15:04:05-07:00"), inv)
		if _, err := f.db.SQL().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		ids[i] = inv
	}
	return ids
}

func TestAPIResponses(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		now := time.Now().UTC().Truncate(time.Second)
		var answers []seededAnswer
		for i := range 7 {
			survey, metric := "nps", "nps"
			if i == 3 {
				survey, metric = "csat", "csat"
			}
			a := seededAnswer{customer: fmt.Sprintf("cus_r%d", i), survey: survey, metric: metric, score: 3 + i, attrs: `{"agent":"yossi"}`,
				at: now.Add(-time.Duration(7-i) * 24 * time.Hour)}
			if i == 6 {
				a.comment = "שליח מעולה, it's fine"
			}
			answers = append(answers, a)
		}
		seedAnswers(t, f, answers)

		first := f.do(t, "GET", "/v1/responses?limit=4", "", nil)
		list, _ := first.body["responses"].([]any)
		next, _ := first.body["next_cursor"].(string)
		if first.status != http.StatusOK || len(list) != 4 || next == "" {
			t.Fatalf("first page: got %d %v", first.status, first.body)
		}
		newest := list[0].(map[string]any)
		if newest["customer_id"] != "cus_r6" || newest["comment"] != "שליח מעולה, it's fine" || newest["score"] != float64(9) ||
			newest["survey"] != "nps" || newest["metric"] != "nps" || newest["touchpoint_type"] != "order_delivered" ||
			newest["locale"] != "he" || newest["platform"] != "telegram" || newest["attributes"].(map[string]any)["agent"] != "yossi" ||
			newest["answered_at"] != answers[6].at.Format(time.RFC3339) || newest["id"] == nil || newest["invitation_id"] == nil {
			t.Errorf("newest response: got %v", newest)
		}
		if list[1].(map[string]any)["comment"] != nil {
			t.Errorf("a response without comment: got comment %v, want null", list[1].(map[string]any)["comment"])
		}
		second := f.do(t, "GET", "/v1/responses?limit=4&cursor="+url.QueryEscape(next), "", nil)
		list2, _ := second.body["responses"].([]any)
		if second.status != http.StatusOK || len(list2) != 3 || second.body["next_cursor"] != nil {
			t.Fatalf("second page: got %d %v", second.status, second.body)
		}
		if got := list2[2].(map[string]any)["customer_id"]; got != "cus_r0" {
			t.Errorf("oldest: got %v, want cus_r0", got)
		}

		filtered := f.do(t, "GET", "/v1/responses?survey=nps&since=4d", "", nil)
		if list, _ := filtered.body["responses"].([]any); filtered.status != http.StatusOK || len(list) != 3 {
			t.Errorf("survey=nps since=4d: got %d %v, want 3 responses", filtered.status, filtered.body)
		}
		until := url.QueryEscape(answers[2].at.Format(time.RFC3339))
		older := f.do(t, "GET", "/v1/responses?until="+until, "", nil)
		if list, _ := older.body["responses"].([]any); len(list) != 2 {
			t.Errorf("until the third answer: got %v, want 2 responses", older.body)
		}

		for _, c := range []struct {
			query, field string
			status       int
		}{
			{"limit=0", "limit", 422},
			{"limit=1001", "limit", 422},
			{"limit=ten", "limit", 400},
			{"since=yesterday", "since", 400},
			{"until=2026-13-01", "until", 400},
			{"since=1d&until=3d", "until", 422},
			{"cursor=garbage", "cursor", 400},
			{"survey_id=nps", "survey_id", 400},
		} {
			r := f.do(t, "GET", "/v1/responses?"+c.query, "", nil)
			if code, field := errorCode(r); r.status != c.status || code != "invalid_parameter" || field != c.field {
				t.Errorf("%s: got %d %v, want %d naming %s", c.query, r.status, r.body, c.status, c.field)
			}
		}
	})
}

func TestParseInstant(t *testing.T) {
	t.Parallel()
	il, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err) // time/tzdata is linked in (config), so every zone loads
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"28d", now.Add(-28 * 24 * time.Hour)},
		{"12h", now.Add(-12 * time.Hour)},
		{"2026-11-01T10:00:00+02:00", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
		{"2026-11-01", time.Date(2026, 10, 31, 22, 0, 0, 0, time.UTC)}, // midnight in Jerusalem
	} {
		got, err := ParseInstant("since", c.in, now, il)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseInstant(%q): got %v %v, want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"0d", "-1d", "1.5d", "d", "-2h", "yesterday", "2026-02-30"} {
		if _, err := ParseInstant("since", in, now, il); err == nil {
			t.Errorf("ParseInstant(%q): no error", in)
		}
	}
}
