package storage_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// countKey is one row of response_counts.
type countKey struct {
	SurveyID       string
	Hour           int64
	TouchpointType string
	Score          int
}

type countVal struct{ Responses, Comments int64 }

// checkResponseCounts compares response_counts with the responses counted
// in Go, hour by hour.
func checkResponseCounts(t *testing.T, db *storage.DB, step string) {
	t.Helper()
	var rs []struct {
		SurveyID       string
		AnsweredAt     time.Time
		TouchpointType string
		Score          int
		CommentState   string
	}
	if err := db.Gorm().Raw(`SELECT survey_id, answered_at, touchpoint_type, score, comment_state FROM responses`).Scan(&rs).Error; err != nil {
		t.Fatal(err)
	}
	want := map[countKey]countVal{}
	for _, r := range rs {
		k := countKey{r.SurveyID, r.AnsweredAt.Unix() / 3600, r.TouchpointType, r.Score}
		v := want[k]
		v.Responses++
		if r.CommentState == "given" {
			v.Comments++
		}
		want[k] = v
	}
	var cs []struct {
		SurveyID            string
		Hour                int64
		TouchpointType      string
		Score               int
		Responses, Comments int64
	}
	if err := db.Gorm().Raw(`SELECT survey_id, hour, touchpoint_type, score, responses, comments FROM response_counts`).Scan(&cs).Error; err != nil {
		t.Fatal(err)
	}
	got := map[countKey]countVal{}
	for _, c := range cs {
		if c.Responses == 0 && c.Comments == 0 {
			continue // an hour emptied by a delete or a move
		}
		got[countKey{c.SurveyID, c.Hour, c.TouchpointType, c.Score}] = countVal{c.Responses, c.Comments}
	}
	if len(want) == 0 {
		t.Fatalf("%s: no responses to count", step)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Fatalf("%s: response_counts (-from responses +table):\n%s", step, diff)
	}
}

func sortCounts(cs []surveys.DigestCount) {
	slices.SortFunc(cs, func(a, b surveys.DigestCount) int {
		return cmp.Or(cmp.Compare(a.SurveyID, b.SurveyID), cmp.Compare(a.Day, b.Day),
			cmp.Compare(a.TouchpointType, b.TouchpointType), cmp.Compare(a.Score, b.Score))
	})
}

// checkDigestCounts compares DigestCounts (from response_counts where the
// zone allows) with the GROUP BY over the responses, for digests in several
// zones on several dates around daylight-saving changes.
// All dates and three lengths of history when full, else the digest's
// history on the four dates around daylight-saving changes.
func checkDigestCounts(t *testing.T, st *storage.Store, step string, full bool) {
	t.Helper()
	ctx := context.Background()
	zones := []struct {
		name   string
		hourly bool
	}{{"UTC", true}, {"Asia/Jerusalem", true}, {"America/New_York", true}, {"Asia/Kolkata", false}, {"Asia/Kathmandu", false}}
	nows := []time.Time{
		time.Date(2026, 11, 3, 5, 0, 0, 0, time.UTC),      // after both autumn changes
		time.Date(2026, 3, 29, 21, 30, 0, 0, time.UTC),    // between New York's and Jerusalem's spring changes
		time.Date(2026, 10, 26, 0, 0, 0, 1, time.UTC),     // the night after Jerusalem's autumn change
		time.Date(2026, 7, 1, 23, 59, 59, 0, time.UTC),    // summer time everywhere
		time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC),    // past the last response: empty recent days
		time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC),     // before most responses
		time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),      // New York's autumn change this morning
		time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC),       // New York's spring change this morning
		time.Date(2026, 9, 14, 3, 45, 0, 0, time.UTC),     // a quarter past, in no zone's hour
		time.Date(2026, 5, 20, 18, 15, 30, 0, time.UTC),   // any time of day
		time.Date(2026, 10, 25, 21, 59, 0, 0, time.UTC),   // just before midnight in Jerusalem
		time.Date(2026, 10, 25, 22, 0, 30, 0, time.UTC),   // just after
		time.Date(2026, 10, 24, 23, 0, 0, 0, time.UTC),    // Jerusalem's change day starting
		time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),     // a UTC midnight
		time.Date(2026, 8, 31, 23, 59, 59, 999, time.UTC), // a nanosecond before one
	}
	lengths := []int{surveys.DigestHistoryDays, 1, 7}
	if !full {
		nows, lengths = nows[:4], lengths[:1]
	}
	cells := 0
	for _, z := range zones {
		loc, err := time.LoadLocation(z.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, now := range nows {
			for _, n := range lengths {
				days := scoring.TrailingDays(now, loc, n)
				if got := storage.Hourly(days); got != z.hourly {
					t.Fatalf("%s: days in %s read by hour: %v, want %v", step, z.name, got, z.hourly)
				}
				if !z.hourly && !full {
					continue // DigestCounts groups the responses: nothing to compare
				}
				q := surveys.DigestQuery{DigestID: "d", Surveys: []string{"nps", "csat", "ces"}, Days: days, Yesterday: days[len(days)-1]}
				want, err := st.DigestCountsFromResponses(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got, err := st.DigestCounts(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				sortCounts(want)
				sortCounts(got)
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Fatalf("%s: digest counts in %s on %s over %d days (-responses +response_counts):\n%s", step, z.name, now, n, diff)
				}
				cells += len(want)
			}
		}
	}
	if cells == 0 {
		t.Fatalf("%s: no digest counted anything", step)
	}
}

// randomAnswers makes n answers between from and to, a third of them on or
// a nanosecond either side of a whole hour.
func randomAnswers(r *rand.Rand, n int, customer string, from, to time.Time) []surveys.Response {
	tps := []string{"delivery", "pickup", ""}
	out := make([]surveys.Response, n)
	for i := range out {
		at := from.Add(time.Duration(r.Int64N(int64(to.Sub(from)))))
		if r.IntN(3) == 0 {
			at = at.Truncate(time.Hour).Add(time.Duration(r.IntN(3)-1) * time.Nanosecond)
		}
		at = at.Truncate(time.Microsecond) // what both engines keep
		sv, metric, score := "nps", surveys.NPS, r.IntN(11)
		if r.IntN(3) == 0 {
			sv, metric, score = "csat", surveys.CSAT, 1+r.IntN(5)
		}
		resp := surveys.Response{CustomerID: customer, SurveyID: sv, Metric: metric, Score: score, CommentState: surveys.CommentNone,
			Locale: "en", Platform: surveys.Telegram, TouchpointType: tps[r.IntN(len(tps))], AnsweredAt: at}
		if r.IntN(4) == 0 {
			resp.Comment, resp.CommentState, resp.CommentAt = "late again", surveys.CommentGiven, at.Add(time.Minute)
		}
		out[i] = resp
	}
	return out
}

func TestResponseCountsStayExact(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := storage.NewStore(db, nil)
		r := rand.New(rand.NewPCG(16, 18))
		from, to := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

		// Imported history, one customer at a time.
		for c := range 6 {
			if err := storage.InsertResponses(ctx, db, randomAnswers(r, 150, fmt.Sprintf("cust-%d", c), from, to)); err != nil {
				t.Fatal(err)
			}
		}
		// Rows written one by one, as the digest tests seed them.
		var seeds []storage.SeedResponse
		for _, a := range randomAnswers(r, 200, "", from, to) {
			seeds = append(seeds, storage.SeedResponse{SurveyID: a.SurveyID, Metric: string(a.Metric), TouchpointType: a.TouchpointType,
				Score: a.Score, Comment: a.Comment, Locale: "en", AnsweredAt: a.AnsweredAt})
		}
		if err := storage.SeedResponses(ctx, db, seeds); err != nil {
			t.Fatal(err)
		}
		checkResponseCounts(t, db, "inserted")
		checkDigestCounts(t, st, "inserted", true)

		steps := []struct {
			name string
			do   func() error
		}{
			{"forget a customer (comments erased)", func() error { _, err := st.Forget(ctx, "cust-1"); return err }},
			{"scores changed", func() error {
				return db.Gorm().Exec(`UPDATE responses SET score = CASE WHEN metric = 'nps' THEN (score + 3) % 11 ELSE 1 + score % 5 END WHERE id % 7 = 0`).Error
			}},
			{"moved to another survey and touchpoint type", func() error {
				return db.Gorm().Exec(`UPDATE responses SET survey_id = 'ces', touchpoint_type = 'refund' WHERE id % 11 = 0`).Error
			}},
			{"comments given and skipped", func() error {
				if err := db.Gorm().Exec(`UPDATE responses SET comment_state = 'given', comment = 'ok' WHERE comment_state = 'none' AND id % 3 = 0`).Error; err != nil {
					return err
				}
				return db.Gorm().Exec(`UPDATE responses SET comment_state = 'skipped' WHERE comment_state = 'given' AND id % 4 = 0`).Error
			}},
			{"uncounted columns changed", func() error {
				return db.Gorm().Exec(`UPDATE responses SET locale = 'he', attributes = '{}' WHERE id % 2 = 0`).Error
			}},
			{"answers deleted", func() error { return db.Gorm().Exec(`DELETE FROM responses WHERE id % 5 = 0`).Error }},
			{"invitations deleted (cascading)", func() error {
				return db.Gorm().Exec(`DELETE FROM invitations WHERE id IN (SELECT invitation_id FROM responses WHERE id % 13 = 1)`).Error
			}},
			{"customer deleted (cascading)", func() error {
				return db.Gorm().Exec(`DELETE FROM customers WHERE external_id = 'cust-4'`).Error
			}},
			{"backdated by a day and a half hour", func() error { return st.Backdate(ctx, 24*time.Hour+30*time.Minute) }},
			{"answered times moved by minutes", func() error {
				var ids []int64
				if err := db.Gorm().Raw(`SELECT id FROM responses WHERE id % 3 = 2`).Scan(&ids).Error; err != nil {
					return err
				}
				for _, id := range ids {
					var at time.Time
					if err := db.Gorm().Raw(`SELECT answered_at FROM responses WHERE id = ?`, id).Scan(&at).Error; err != nil {
						return err
					}
					if err := db.Gorm().Exec(`UPDATE responses SET answered_at = ? WHERE id = ?`,
						at.Add(time.Duration(r.IntN(180)-90)*time.Minute).UTC(), id).Error; err != nil {
						return err
					}
				}
				return nil
			}},
			{"more imported", func() error {
				return storage.InsertResponses(ctx, db, randomAnswers(r, 100, "cust-9", from, to))
			}},
		}
		for i, s := range steps {
			if err := s.do(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			checkResponseCounts(t, db, s.name)
			checkDigestCounts(t, st, s.name, i == len(steps)-1)
		}
	})
}

// The migration counts the responses already there.
func TestResponseCountsBackfilled(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storagetest.OpenUnmigrated(t, e)
			if err := storage.MigrateUpTo(ctx, db, 17); err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(3, 4))
			for c := range 3 {
				if err := storage.InsertResponses(ctx, db, randomAnswers(r, 200, fmt.Sprintf("cust-%d", c), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkResponseCounts(t, db, "backfilled")
			checkDigestCounts(t, storage.NewStore(db, nil), "backfilled", false)
		})
	}
}
