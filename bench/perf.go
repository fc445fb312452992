package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// perfSizes are the perf scenario's knobs.
type perfSizes struct {
	Single     int // single events posted to /v1/touchpoints
	Batches    int // batches of batchSize posted to /v1/touchpoints/batch
	Recipients int // Telegram recipients of the delivery measure
	Responses  int // responses seeded for the digest and export measures
	Import     int // touchpoints in the import measure's file

	Only map[string]bool // the perfMeasures to run; nil: all
}

// perfMeasures name the measures for -only.
var perfMeasures = []string{"single", "batch", "delivery", "answers", "digest", "export", "import"}

// runs says whether measure m is to run.
func (sz perfSizes) runs(m string) bool { return sz.Only == nil || sz.Only[m] }

const (
	perfClients   = 16   // concurrent callers of the single-event measure, on both sides
	batchSize     = 1000 // touchpoints per batch request and per multi-row INSERT
	perfRounds    = 5    // turns vocbot and the reference take at single-event ingest
	telegramLimit = 30.0 // messages a second Telegram allows one bot
)

var (
	// The full form imports 250,000 touchpoints, not a million: at the
	// 2,500 rows/s the import reaches on the shared 2-core machine a million
	// takes about seven minutes per engine, past the run's 15-minute budget
	// (-import 1000000 runs it; memory does not depend on the count).
	perfFull  = perfSizes{Single: 5000, Batches: 20, Recipients: 3000, Responses: 1_000_000, Import: 250_000}
	perfShort = perfSizes{Single: 500, Batches: 3, Recipients: 300, Responses: 100_000, Import: 100_000}
)

// goal is one perf claim: vocbot's rate is at least Min times the reference's.
type goal struct {
	Measure string
	Min     float64
}

// perfResult is a measured pair, vocbot against its physical reference.
type perfResult struct {
	Reference     float64 // per second
	ReferenceUnit string  // e.g. "rows/s (INSERT+COMMIT, 16 goroutines)"
	Vocbot        float64 // per second
	VocbotUnit    string
	Extra         string // anything else worth a look (5xx, failures)
}

// ratio is vocbot ÷ reference; 0 when the reference measured nothing.
func (r perfResult) ratio() float64 {
	if r.Reference <= 0 {
		return 0
	}
	return r.Vocbot / r.Reference
}

// perfRow turns a measured pair of rates into a table row; Pass says
// whether the goal was met (the perf command reports it, it does not fail
// on it).
func perfRow(g goal, engine string, r perfResult, extraOK bool) harness.Measure {
	ratio := r.ratio()
	voc := rate(r.Vocbot) + " " + r.VocbotUnit
	if r.Extra != "" {
		voc += "; " + r.Extra
	}
	return harness.Measure{
		Measure:   g.Measure,
		Engine:    engine,
		Reference: rate(r.Reference) + " " + r.ReferenceUnit,
		Vocbot:    voc,
		Ratio:     fmt.Sprintf("%.2f", ratio),
		Goal:      fmt.Sprintf("≥ %.2f", g.Min),
		Pass:      ratio >= g.Min && extraOK,
	}
}

// rate prints a per-second figure: whole numbers with thousands separators
// from 100 up, one decimal below.
func rate(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func singleGoal(e harness.Engine) goal {
	if e == harness.SQLite {
		return goal{Measure: "single-event ingest", Min: 0.25}
	}
	return goal{Measure: "single-event ingest", Min: 0.5}
}

var (
	batchGoal    = goal{Measure: "batch ingest", Min: 0.25}
	deliveryGoal = goal{Measure: "Telegram delivery", Min: 0.95}
)

// perfCommand measures vocbot against the physical limits around it and
// prints one table. Goals missed are reported, not fatal: the machines it
// runs on are shared and noisy. It exits 1 only if a measure could not run.
func perfCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("perf", flag.ContinueOnError)
	fs.SetOutput(stderr)
	short := fs.Bool("short", os.Getenv("BENCH_SHORT") != "", "short sizes (also BENCH_SHORT=1): 500 single events, 3 batches, 300 recipients, 100,000 responses and touchpoints")
	engines := fs.String("engines", "postgres,sqlite", "engines to measure on")
	pg := fs.String("postgres", envOr("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL server URL used to create a fresh database per engine run (BENCH_POSTGRES_URL)")
	keep := fs.Bool("keep", false, "keep the work directory (logs, SQLite files)")
	markdown := fs.String("markdown", "", "also write the table as Markdown to this file")
	responses := fs.Int("responses", 0, "responses to seed for the digest and export measures (default 1,000,000; -short 100,000)")
	imports := fs.Int("import", 0, "touchpoints in the import measure's file (default 250,000; -short 100,000)")
	only := fs.String("only", "", "measure only these, comma-separated: "+strings.Join(perfMeasures, ", ")+" (default all)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	s := &suite{root: root, pgAdmin: *pg, short: *short, table: &harness.Table{}, perf: &harness.PerfTable{}, out: stdout}
	sz := perfFull
	if *short {
		sz = perfShort
	}
	if *responses > 0 {
		sz.Responses = *responses
	}
	if *imports > 0 {
		sz.Import = *imports
	}
	if *only != "" {
		sz.Only = map[string]bool{}
		for _, m := range strings.Split(*only, ",") {
			m = strings.TrimSpace(m)
			if !slices.Contains(perfMeasures, m) {
				fmt.Fprintf(stderr, "-only: unknown measure %q (%s)\n", m, strings.Join(perfMeasures, ", "))
				return 2
			}
			sz.Only[m] = true
		}
	}
	for _, e := range strings.Split(*engines, ",") {
		switch harness.Engine(strings.TrimSpace(e)) {
		case harness.Postgres, harness.SQLite:
			s.engines = append(s.engines, harness.Engine(strings.TrimSpace(e)))
		default:
			fmt.Fprintf(stderr, "-engines: unknown engine %q (postgres, sqlite)\n", e)
			return 2
		}
	}
	start := time.Now()
	if err := s.prepare(ctx, "vocbot-perf-", "vocbot perf"); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	errs := 0
	// One engine at a time: the measures compete for the same two cores.
	for _, e := range s.engines {
		t := time.Now()
		s.logf("perf %s: start", e)
		failed, err := perfOn(ctx, s, e, sz)
		if err != nil {
			s.perf.Fail("perf", string(e), err)
			failed++
		}
		errs += failed
		s.logf("perf %s: done in %s", e, time.Since(t).Round(time.Second))
	}
	fmt.Fprintf(stdout, "\nvocbot perf, %s form, %s, %d CPUs, took %s\n\n", form(*short), time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), time.Since(start).Round(time.Second))
	s.perf.Print(stdout)
	if *markdown != "" {
		if f, err := os.Create(*markdown); err == nil {
			s.perf.Markdown(f)
			f.Close()
		} else {
			fmt.Fprintln(stderr, err)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "interrupted")
		errs++
	}
	if errs > 0 || *keep {
		fmt.Fprintf(stdout, "\nlogs and databases kept in %s\n", s.dir)
	} else {
		os.RemoveAll(s.dir)
	}
	if errs > 0 {
		fmt.Fprintf(stdout, "%d measure runs could not complete\n", errs)
		return 1
	}
	fmt.Fprintf(stdout, "%d of %d goals met (goals are reported, not enforced: exit 0)\n", len(s.perf.Rows())-s.perf.Failed(), len(s.perf.Rows()))
	return 0
}

// perfConfig delays the ingest measures' invitations by a day, so the ingest
// runs write everything an event writes but send nothing while measured.
const perfConfig = `product: Bench
touchpoints:
  - {type: perf_ingest, survey: nps, delay: 24h}
`

// perfOn runs every measure on one engine. A measure that cannot run adds a
// failed row and counts in failed; err is a setup that failed (no measure
// could run).
func perfOn(ctx context.Context, s *suite, e harness.Engine, sz perfSizes) (failed int, err error) {
	engine := string(e)
	name := "perf-" + engine
	var c cleanup
	defer c.run()
	db, err := s.database(ctx, e, name)
	if err != nil {
		return 0, err
	}
	if e == harness.Postgres {
		c.add(func() { _ = db.Drop(context.Background()) })
	}
	f, err := s.fakes(ctx, name)
	if err != nil {
		return 0, err
	}
	c.add(f.Kill)
	cfg, err := s.writeConfig(name, perfConfig)
	if err != nil {
		return 0, err
	}
	v, err := s.vocbot(ctx, name+"/vocbot", s.vocbotEnv(db, f, platforms{config: cfg}))
	if err != nil {
		return 0, err
	}
	c.add(func() { _ = v.Stop(15 * time.Second) })
	if err := v.WaitReady(ctx, 90*time.Second); err != nil {
		return 0, err
	}
	ref, err := openReference(ctx, db, s.dir, name)
	if err != nil {
		return 0, err
	}
	defer ref.Close()

	// 1–2. Single events, then batches.
	if sz.runs("single") {
		if err := perfSingle(ctx, s, e, v, ref, sz); err != nil {
			return 0, err
		}
	}
	if sz.runs("batch") {
		if err := perfBatch(ctx, s, e, v, ref, sz); err != nil {
			return 0, err
		}
	}
	measure := func(name string, err error) bool {
		if err != nil {
			s.perf.Fail(name, engine, err)
			failed++
		}
		return err == nil
	}
	// 3. Delivery to M recipients against Telegram's 30 msg/s, then the
	// same recipients answer at 200 a second (answers need the delivery).
	if sz.runs("delivery") || sz.runs("answers") {
		chats, err := perfDelivery(ctx, s, e, v, f, sz.Recipients)
		if measure("Telegram delivery", err) && sz.runs("answers") {
			measure("answers at 200/s", perfAnswers(ctx, s, e, db, f, ref, chats))
		}
	}
	// 4–6. The digest over seeded responses, exporting them, importing
	// touchpoints: commands run beside the serve, as an operator would.
	// The export exports the digest's responses.
	env := s.vocbotEnv(db, f, platforms{config: cfg})
	if sz.runs("digest") || sz.runs("export") {
		if measure("digest", perfDigest(ctx, s, db, env, sz.Responses)) && sz.runs("export") {
			measure("export responses", perfExport(ctx, s, db, env))
		}
	}
	if sz.runs("import") {
		if e == harness.SQLite {
			// One process writes a SQLite file: the import runs with the
			// serve stopped, as the import's documentation asks.
			_ = v.Stop(15 * time.Second)
		}
		measure("import touchpoints", perfImport(ctx, s, e, env, sz.Import))
	}
	return failed, nil
}

// perfSingle measures single events, 16 callers each side. The two sides
// take turns in perfRounds rounds, so a change in the shared machine's load
// falls on both rather than on whichever ran second.
func perfSingle(ctx context.Context, s *suite, e harness.Engine, v *harness.Vocbot, ref *reference, sz perfSizes) error {
	engine := string(e)
	tp := ingestTouchpoint("ps")
	loader := &harness.Loader{Targets: []*harness.Client{v.API}, Workers: perfClients, Retry: 50 * time.Millisecond}
	var vocbotTime, refTime time.Duration
	for r := range perfRounds {
		from, to := r*sz.Single/perfRounds, (r+1)*sz.Single/perfRounds
		t := time.Now()
		if err := loader.Run(ctx, from, to, tp); err != nil {
			return fmt.Errorf("single events: %w", err)
		}
		vocbotTime += time.Since(t)
		t = time.Now()
		if _, err := ref.singleRows(ctx, fmt.Sprint("rs", r), to-from); err != nil {
			return fmt.Errorf("reference INSERT+COMMIT: %w", err)
		}
		refTime += time.Since(t)
	}
	s.perf.Add(perfRow(singleGoal(e), engine, perfResult{
		Reference: float64(sz.Single) / refTime.Seconds(), ReferenceUnit: fmt.Sprintf("rows/s (INSERT+COMMIT, %d goroutines)", perfClients),
		Vocbot: float64(loader.Acked()) / vocbotTime.Seconds(), VocbotUnit: fmt.Sprintf("events/s (%d × POST /v1/touchpoints, %d clients)", sz.Single, perfClients),
		Extra: fmt.Sprintf("%d retried (%d 5xx)", loader.Failures.Load(), loader.Status5xx.Load()),
	}, loader.Acked() == sz.Single))

	return nil
}

// perfBatch measures batches of 1,000, one request (one statement) at a
// time, each followed by one reference batch.
func perfBatch(ctx context.Context, s *suite, e harness.Engine, v *harness.Vocbot, ref *reference, sz perfSizes) error {
	engine := string(e)
	n := sz.Batches * batchSize
	bl := &harness.Loader{Targets: []*harness.Client{v.API}, Batch: batchSize, Workers: 1, Retry: 50 * time.Millisecond}
	var vocbotTime, refTime time.Duration
	for b := range sz.Batches {
		t := time.Now()
		if err := bl.Run(ctx, b*batchSize, (b+1)*batchSize, ingestTouchpoint("pb")); err != nil {
			return fmt.Errorf("batches: %w", err)
		}
		vocbotTime += time.Since(t)
		t = time.Now()
		if _, err := ref.batchRows(ctx, fmt.Sprint("rb", b), 1); err != nil {
			return fmt.Errorf("reference multi-row INSERT: %w", err)
		}
		refTime += time.Since(t)
	}
	s.perf.Add(perfRow(batchGoal, engine, perfResult{
		Reference: float64(n) / refTime.Seconds(), ReferenceUnit: fmt.Sprintf("rows/s (%d-row INSERT, %d statements)", batchSize, sz.Batches),
		Vocbot: float64(bl.Acked()) / vocbotTime.Seconds(), VocbotUnit: fmt.Sprintf("events/s (%d × POST /v1/touchpoints/batch of %d)", sz.Batches, batchSize),
		Extra: fmt.Sprintf("%d retried (%d 5xx)", bl.Failures.Load(), bl.Status5xx.Load()),
	}, bl.Acked() == n))

	return nil
}

// ingestTouchpoint is an event of the delayed type, with a Telegram chat so
// each becomes a scheduled invitation (and its job).
func ingestTouchpoint(prefix string) harness.Touchpoint {
	return func(i int) map[string]any {
		return map[string]any{
			"id":       fmt.Sprintf("%s_%d", prefix, i),
			"type":     "perf_ingest",
			"customer": map[string]any{"id": fmt.Sprintf("cus_%s_%d", prefix, i), "locale": "en", "telegram_chat_id": 7_000_000 + i},
		}
	}
}

// perfDelivery sends a survey to m Telegram recipients and returns their chats.
func perfDelivery(ctx context.Context, s *suite, e harness.Engine, v *harness.Vocbot, f *harness.Fakes, m int) ([]int64, error) {
	base := int64(8_000_000)
	chat := func(i int) int64 { return base + int64(i) }
	ids := make([]int64, m)
	for i := range ids {
		ids[i] = chat(i)
	}
	if err := f.AddTelegramUsers(ctx, ids, "en", false); err != nil {
		return nil, err
	}
	before, err := f.Stats(ctx)
	if err != nil {
		return nil, err
	}
	// Applied sends: calls at the fake's front less the 429s it answered.
	applied := func(st harness.Stats) int {
		return st.Calls["telegram.sendMessage"] - st.Limited["telegram.sendMessage"]
	}
	sentBefore, limitedBefore := applied(before), before.Limited["telegram.sendMessage"]
	limited := 0
	loader := &harness.Loader{Targets: []*harness.Client{v.API}, Batch: batchSize, Workers: 1}
	if err := loader.Run(ctx, 0, m, harness.TelegramTouchpoint("pd", chat)); err != nil {
		return nil, fmt.Errorf("delivery touchpoints: %w", err)
	}
	// The rate is taken from the first send seen to the last, polled every
	// 100 ms: the steady pace, not the worker's first fetch.
	var first, last time.Time
	var atFirst, sent int
	limit := time.Duration(float64(m)/telegramLimit*3)*time.Second + time.Minute
	err = harness.Eventually(ctx, limit, 100*time.Millisecond, "every survey sent", func() bool {
		st, err := f.Stats(ctx)
		if err != nil {
			return false
		}
		sent = applied(st) - sentBefore
		limited = st.Limited["telegram.sendMessage"] - limitedBefore
		now := time.Now()
		if sent > 0 && first.IsZero() {
			first, atFirst = now, sent
		}
		if sent >= m {
			last = now
			return true
		}
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("%w (%d of %d sent)", err, sent, m)
	}
	var inv map[string]int
	_ = harness.Eventually(ctx, time.Minute, 200*time.Millisecond, "invitations final", func() bool {
		got, err := v.API.Invitations(ctx)
		inv = got
		return err == nil && got["sent"]+got["unknown"]+got["undeliverable"] >= m
	})
	chats, err := f.TelegramChats(ctx)
	if err != nil {
		return nil, err
	}
	dup, missing := 0, 0
	for _, id := range ids {
		switch n := chats[id].Surveys; {
		case n == 0:
			missing++
		case n > 1:
			dup += n - 1
		}
	}
	failed := inv["unknown"] + inv["undeliverable"]
	var pace float64
	if d := last.Sub(first).Seconds(); d > 0 {
		pace = float64(m-atFirst) / d
	}
	s.perf.Add(perfRow(deliveryGoal, string(e), perfResult{
		Reference: telegramLimit, ReferenceUnit: "msg/s (Telegram's limit per bot)",
		Vocbot: pace, VocbotUnit: fmt.Sprintf("msg/s (%d recipients)", m),
		Extra: fmt.Sprintf("%d failed, %d duplicate, %d missing; %d × 429 from the fake's limits", failed, dup, missing, limited),
	}, failed == 0 && dup == 0 && missing == 0))
	return ids, nil
}

// reference is the plain-SQL side of the ingest measures: a table with the
// touchpoint row's columns and unique key, written with nothing else.
type reference struct {
	db     *sql.DB
	engine harness.Engine
}

// openReference opens the reference table: on PostgreSQL in vocbot's own
// database, on SQLite in a separate file beside vocbot's, with vocbot's
// pragmas (it would otherwise take vocbot's lock).
func openReference(ctx context.Context, d *harness.Database, dir, name string) (*reference, error) {
	r := &reference{engine: d.Engine}
	var err error
	ddl := `CREATE TABLE plain_touchpoints (
    id           bigserial PRIMARY KEY,
    source       text NOT NULL,
    external_id  text,
    type         text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    survey_id    text NOT NULL DEFAULT '',
    customer_id  bigint NOT NULL,
    attributes   jsonb NOT NULL DEFAULT '{}',
    request_hash text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id))`
	if d.Engine == harness.Postgres {
		r.db, err = sql.Open("pgx", d.URL)
	} else {
		path := filepath.Join(dir, name+"-plain.db")
		r.db, err = sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+vocbotSQLitePragmas)
		ddl = strings.NewReplacer("bigserial PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT",
			"timestamptz", "DATETIME", "bigint", "INTEGER", "jsonb", "TEXT", "text", "TEXT", "now()", "CURRENT_TIMESTAMP").Replace(ddl)
	}
	if err != nil {
		return nil, err
	}
	r.db.SetMaxOpenConns(perfClients)
	r.db.SetMaxIdleConns(perfClients)
	if _, err := r.db.ExecContext(ctx, ddl); err != nil {
		r.db.Close()
		return nil, fmt.Errorf("create the reference table: %w", err)
	}
	if _, err := r.db.ExecContext(ctx, "CREATE INDEX plain_touchpoints_customer ON plain_touchpoints (customer_id)"); err != nil {
		r.db.Close()
		return nil, fmt.Errorf("create the reference index: %w", err)
	}
	return r, nil
}

// vocbotSQLitePragmas are the write pragmas vocbot opens its SQLite file
// with (storage's sqlitePragmas); keep them equal so the reference pays the
// same fsyncs and locks.
const vocbotSQLitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"

func (r *reference) Close() error { return r.db.Close() }

// args are the column values of reference row i.
func refArgs(prefix string, i int, now time.Time) []any {
	id := fmt.Sprintf("%s_%d", prefix, i)
	h := sha256.Sum256([]byte(id))
	return []any{"api", id, "perf_ingest", now, int64(i + 1), "{}", hex.EncodeToString(h[:]), now}
}

const refColumns = "INSERT INTO plain_touchpoints (source, external_id, type, occurred_at, customer_id, attributes, request_hash, received_at) VALUES "

// placeholders is the VALUES list of rows rows of 8 columns.
func (r *reference) placeholders(rows int) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range 8 {
			if j > 0 {
				b.WriteByte(',')
			}
			if r.engine == harness.Postgres {
				fmt.Fprintf(&b, "$%d", i*8+j+1)
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// singleRows inserts n rows from perfClients goroutines, each row in its own
// transaction (BEGIN, INSERT, COMMIT), and returns rows/s.
func (r *reference) singleRows(ctx context.Context, prefix string, n int) (float64, error) {
	q := refColumns + r.placeholders(1)
	var next atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, perfClients)
	t := time.Now()
	for range perfClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				tx, err := r.db.BeginTx(ctx, nil)
				if err == nil {
					_, err = tx.ExecContext(ctx, q, refArgs(prefix, i, time.Now().UTC())...)
					if err == nil {
						err = tx.Commit()
					} else {
						_ = tx.Rollback()
					}
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(t)
	close(errc)
	if err := errors.Join(collect(errc)...); err != nil {
		return 0, err
	}
	return float64(n) / el.Seconds(), ctx.Err()
}

// batchRows inserts batches of batchSize rows, one multi-row INSERT in one
// transaction each, one after another, and returns rows/s.
func (r *reference) batchRows(ctx context.Context, prefix string, batches int) (float64, error) {
	q := refColumns + r.placeholders(batchSize)
	t := time.Now()
	for b := range batches {
		now := time.Now().UTC()
		args := make([]any, 0, batchSize*8)
		for i := b * batchSize; i < (b+1)*batchSize; i++ {
			args = append(args, refArgs(prefix, i, now)...)
		}
		tx, err := r.db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			_ = tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(batches*batchSize) / time.Since(t).Seconds(), nil
}

func collect(c chan error) []error {
	var out []error
	for err := range c {
		out = append(out, err)
	}
	return out
}
