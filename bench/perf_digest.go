package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// digestGoal: the digest may take at most 1.2 times the bare GROUP BY over
// the same rows, and at most a second.
const (
	digestMaxRatio = 1.2
	digestMaxTime  = time.Second
	digestRuns     = 3 // each side is timed this many times; the median counts
)

// seedCustomers is how many customers the seeded responses are spread over.
const seedCustomers = 1000

// writeDB opens the run's database for writing (the harness's Open is
// read-only on SQLite), with vocbot's pragmas on SQLite.
func writeDB(d *harness.Database) (*sql.DB, error) {
	if d.Engine == harness.Postgres {
		return sql.Open("pgx", d.URL)
	}
	path := strings.TrimPrefix(d.URL, "sqlite://")
	return sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+vocbotSQLitePragmas)
}

// digestWindow is the 28 days before today's UTC midnight: the headline
// window of a digest previewed today in UTC.
func digestWindow(now time.Time) (start, end time.Time) {
	end = now.UTC().Truncate(24 * time.Hour)
	return end.AddDate(0, 0, -28), end
}

// seedResponses writes n answered NPS surveys (touchpoint, invitation sent a
// minute before, response) spread evenly over [start, end), one in ten with
// a comment, in a few set-based statements: the shape the digest reads,
// without going through vocbot.
func seedResponses(ctx context.Context, d *harness.Database, n int, start, end time.Time) error {
	db, err := writeDB(d)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // one session: the settings below hold for every statement
	if err != nil {
		return err
	}
	defer conn.Close()
	step := end.Sub(start).Seconds() / float64(n)
	var stmts []string
	var args [][]any
	if d.Engine == harness.Postgres {
		stmts = []string{
			// Foreign keys are right by construction; skipping their
			// triggers halves the seeding time.
			`SET session_replication_role = replica`,
			`INSERT INTO customers (external_id) SELECT 'seed-' || g FROM generate_series(0, $1 - 1) g`,
			`CREATE TEMP TABLE seed_customers AS SELECT substr(external_id, 6)::int AS k, id FROM customers WHERE external_id LIKE 'seed-%'`,
			`INSERT INTO touchpoints (source, external_id, type, occurred_at, customer_id, request_hash)
			 SELECT 'seed', g::text, 'tp' || (g % 8), $1::timestamptz + (g * $2 - 120) * interval '1 second', c.id, 'seed'
			 FROM generate_series(0, $3 - 1) g JOIN seed_customers c ON c.k = g % $4`,
			`INSERT INTO invitations (touchpoint_id, customer_id, survey_id, status, platform, chat_id, user_id, locale, sent_at)
			 SELECT t.id, t.customer_id, 'nps', 'sent', 'telegram', t.external_id, t.external_id, 'en', t.occurred_at + interval '1 minute'
			 FROM touchpoints t WHERE t.source = 'seed'`,
			// Back to the ordinary role before the responses: in replica mode
			// no trigger runs, and response_counts' triggers fill the counts
			// the digest reads.
			`SET session_replication_role = DEFAULT`,
			`INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, comment, comment_state, locale, platform, touchpoint_type, update_id, answered_at)
			 SELECT i.id, i.customer_id, 'nps', 'nps', i.id % 11,
			        CASE WHEN i.id % 10 = 0 THEN 'Comment ' || i.id || ' about the delivery and the courier' END,
			        CASE WHEN i.id % 10 = 0 THEN 'given' ELSE 'none' END, 'en', 'telegram', 'tp' || (i.id % 8), 'seed-' || i.id,
			        i.sent_at + interval '1 minute'
			 FROM invitations i JOIN touchpoints t ON t.id = i.touchpoint_id AND t.source = 'seed'`,
			// What autovacuum does on its own a little later.
			`VACUUM ANALYZE customers, touchpoints, invitations, responses, response_counts`,
		}
		args = [][]any{nil, {seedCustomers}, nil, {start.UTC(), step, n, seedCustomers}, nil, nil, nil, nil}
	} else {
		gen := `WITH RECURSIVE g(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM g WHERE x < ? - 1) `
		// vocbot's SQLite driver writes times as "2006-01-02 15:04:05.999999999-07:00".
		at := func(sec string) string {
			return `strftime('%Y-%m-%d %H:%M:%S', ` + sec + `, 'unixepoch') || '+00:00'`
		}
		stmts = []string{
			gen + `INSERT INTO customers (external_id) SELECT 'seed-' || x FROM g`,
			gen + `INSERT INTO touchpoints (source, external_id, type, occurred_at, customer_id, request_hash)
			 SELECT 'seed', CAST(x AS TEXT), 'tp' || (x % 8), ` + at(`? + CAST(x * ? AS INTEGER) - 120`) + `,
			        (SELECT id FROM customers WHERE external_id = 'seed-' || (x % ?)), 'seed' FROM g`,
			`INSERT INTO invitations (touchpoint_id, customer_id, survey_id, status, platform, chat_id, user_id, locale, sent_at)
			 SELECT t.id, t.customer_id, 'nps', 'sent', 'telegram', t.external_id, t.external_id, 'en',
			        ` + at(`? + CAST(CAST(t.external_id AS INTEGER) * ? AS INTEGER) - 60`) + `
			 FROM touchpoints t WHERE t.source = 'seed'`,
			`INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, comment, comment_state, locale, platform, touchpoint_type, update_id, answered_at)
			 SELECT i.id, i.customer_id, 'nps', 'nps', i.id % 11,
			        CASE WHEN i.id % 10 = 0 THEN 'Comment ' || i.id || ' about the delivery and the courier' END,
			        CASE WHEN i.id % 10 = 0 THEN 'given' ELSE 'none' END, 'en', 'telegram', 'tp' || (i.id % 8), 'seed-' || i.id,
			        ` + at(`? + CAST(CAST(i.chat_id AS INTEGER) * ? AS INTEGER)`) + `
			 FROM invitations i JOIN touchpoints t ON t.id = i.touchpoint_id AND t.source = 'seed'`,
			`ANALYZE`,
		}
		unix := start.Unix()
		args = [][]any{{seedCustomers}, {n, unix, step, seedCustomers}, {unix, step}, {unix, step}, nil}
	}
	for i, q := range stmts {
		_, err := conn.ExecContext(ctx, q, args[i]...)
		if err != nil && strings.Contains(q, "session_replication_role") {
			continue // not a superuser: the triggers run, seeding is slower
		}
		if err != nil {
			return fmt.Errorf("seed step %d: %w", i+1, err)
		}
	}
	return nil
}

// perfDigest seeds n responses into the digest's 28-day window and times
// `vocbot digest preview` (a process: start, configuration, connection,
// every digest query, rendering) against the bare per-score GROUP BY over
// the same rows through an open connection, the median of digestRuns each.
func perfDigest(ctx context.Context, s *suite, d *harness.Database, env map[string]string, n int) error {
	start, end := digestWindow(time.Now())
	t := time.Now()
	if err := seedResponses(ctx, d, n, start, end); err != nil {
		return err
	}
	s.logf("perf %s: seeded %d responses in %s", d.Engine, n, time.Since(t).Round(time.Second))
	db, err := d.Open()
	if err != nil {
		return err
	}
	defer db.Close()
	bare := `SELECT score, count(*) FROM responses WHERE survey_id = 'nps' AND answered_at >= $1 AND answered_at < $2 GROUP BY score`
	if d.Engine == harness.SQLite {
		bare = strings.NewReplacer("$1", "?", "$2", "?").Replace(bare)
	}
	var refTimes, vocTimes, fixedTimes []time.Duration
	var total int
	for range digestRuns {
		// The process's fixed cost: the same preview of a date whose
		// windows hold no response (start, configuration, connection,
		// schema check, every query finding nothing, rendering).
		r, err := harness.RunCommand(ctx, s.bin.Vocbot, []string{"digest", "preview", "--date", "2001-01-15"}, env, nil)
		if err != nil {
			return err
		}
		fixedTimes = append(fixedTimes, r.Elapsed)

		t := time.Now()
		rows, err := db.QueryContext(ctx, bare, start, end)
		if err != nil {
			return fmt.Errorf("bare GROUP BY: %w", err)
		}
		total = 0
		for rows.Next() {
			var score, c int
			if err := rows.Scan(&score, &c); err != nil {
				rows.Close()
				return err
			}
			total += c
		}
		rows.Close()
		refTimes = append(refTimes, time.Since(t))

		var out bytes.Buffer
		r, err = harness.RunCommand(ctx, s.bin.Vocbot, []string{"digest", "preview"}, env, &out)
		if err != nil {
			return err
		}
		vocTimes = append(vocTimes, r.Elapsed)
		if want := fmt.Sprintf("n = %s", rate(float64(n))); !strings.Contains(out.String(), want) {
			return fmt.Errorf("digest preview does not count the %d seeded responses (%q not in its text):\n%s", n, want, out.String())
		}
	}
	if total != n {
		return fmt.Errorf("the bare GROUP BY counted %d responses, %d were seeded", total, n)
	}
	ref, voc, fixed := median(refTimes), median(vocTimes), median(fixedTimes)
	net := max(voc-fixed, 0)
	ratio := net.Seconds() / ref.Seconds()
	s.perf.Add(harness.Measure{
		Measure:   "digest",
		Engine:    string(d.Engine),
		Reference: fmt.Sprintf("%s (SELECT score, count(*) … GROUP BY score over the %s responses of the window, open connection)", ms(ref), rate(float64(n))),
		Vocbot: fmt.Sprintf("%s net = %s for `vocbot digest preview` − %s for the same process previewing an empty date (medians of %d; whole process ÷ reference %.2f)",
			ms(net), ms(voc), ms(fixed), digestRuns, voc.Seconds()/ref.Seconds()),
		Ratio: fmt.Sprintf("%.2f (net ÷ reference)", ratio),
		Goal:  fmt.Sprintf("≤ %.1f, whole process ≤ %s", digestMaxRatio, digestMaxTime),
		Pass:  ratio <= digestMaxRatio && voc <= digestMaxTime,
	})
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// ms prints a duration in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%s ms", rate(float64(d.Microseconds())/1000))
}
