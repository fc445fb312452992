// Command bench is vocbot's reliability harness: it builds vocbot once, runs
// real `vocbot serve` processes against the platform fakes (a separate
// process, cmd/vocbot-fakes) on PostgreSQL and SQLite, breaks things on
// purpose, and prints one table of what was expected and what happened.
//
//	go run ./bench faults [-short] [-only kill9,replicas,...] [-skip ...]
//	go run ./bench fuzz [-fuzztime 10s]
//	go run ./bench perf [-short] [-engines postgres,sqlite]
//
// See docs/reliability.md for the scenarios and the last full run, and
// docs/benchmarks.md for perf.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: go run ./bench faults [flags]   fault-and-hostility suite
       go run ./bench fuzz [flags]     every Fuzz* target for a fixed time
       go run ./bench perf [flags]     ingest, delivery, answers, digest, export and import against their references
run with -h after the subcommand for its flags`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	switch args[0] {
	case "faults":
		return faultsCommand(ctx, args[1:], stdout, stderr)
	case "fuzz":
		return fuzzCommand(ctx, args[1:], stdout, stderr)
	case "perf":
		return perfCommand(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "unknown subcommand %q\n%s\n", args[0], usage)
		return 2
	}
}

// scenario is one entry of the suite; engines it runs on are its own business.
type scenario struct {
	name string
	// full marks scenarios that only the full run does (they disturb the
	// shared PostgreSQL server or take long).
	full bool
	// alone runs it after the others, by itself.
	alone bool
	run   func(ctx context.Context, s *suite)
}

var scenarios = []scenario{
	{name: "kill9", run: kill9},
	{name: "replicas", run: replicas},
	{name: "platform-faults", run: platformFaults},
	{name: "hostile", run: hostile},
	{name: "fuzz", full: true, run: fuzzScenario},
	{name: "pg-restart", full: true, alone: true, run: pgRestart},
}

// suite is what every scenario shares.
type suite struct {
	root    string // module root
	dir     string // this run's work directory (logs, SQLite files)
	bin     harness.Binaries
	pgAdmin string
	short   bool
	sizes   sizes
	table   *harness.Table
	perf    *harness.PerfTable // bench perf's rows
	out     io.Writer
	outMu   sync.Mutex
	engines []harness.Engine

	logsMu sync.Mutex
	logs   []string // every vocbot log file, for the secret scan
}

// sizes are the knobs the short form turns down.
type sizes struct {
	Campaign  int // kill9: customers
	Replicas  int // replicas: customers
	Faults    int // platform-faults: Telegram customers
	Load      int // pg-restart: touchpoints posted
	FuzzTime  time.Duration
	Settle    time.Duration // kill9: how long to wait for in-doubt sends to resolve
	AnswerOne int           // answer every n-th delivered survey
}

var (
	fullSizes  = sizes{Campaign: 10000, Replicas: 1000, Faults: 60, Load: 3000, FuzzTime: 8 * time.Second, Settle: 8 * time.Minute, AnswerOne: 10}
	shortSizes = sizes{Campaign: 1000, Replicas: 150, Faults: 30, Load: 500, FuzzTime: 2 * time.Second, Settle: 0, AnswerOne: 5}
)

func (s *suite) logf(format string, args ...any) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	fmt.Fprintf(s.out, "%s  "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
}

func (s *suite) addLog(path string) {
	s.logsMu.Lock()
	defer s.logsMu.Unlock()
	if !slices.Contains(s.logs, path) {
		s.logs = append(s.logs, path)
	}
}

func faultsCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("faults", flag.ContinueOnError)
	fs.SetOutput(stderr)
	short := fs.Bool("short", os.Getenv("BENCH_SHORT") != "", "CI sizes (also BENCH_SHORT=1): ~1,000 customers, no PostgreSQL restart, no fuzzing")
	only := fs.String("only", "", "comma-separated scenarios to run (default all): "+names())
	skip := fs.String("skip", "", "comma-separated scenarios to leave out")
	engines := fs.String("engines", "postgres,sqlite", "engines for the scenarios that run on both")
	pg := fs.String("postgres", envOr("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"), "PostgreSQL server URL used to create a fresh database per scenario (BENCH_POSTGRES_URL)")
	campaign := fs.Int("campaign", 0, "kill9: customers in the campaign (default 10,000; 1,000 with -short)")
	keep := fs.Bool("keep", false, "keep the work directory (logs, SQLite files) even when everything passes")
	markdown := fs.String("markdown", "", "also write the table as Markdown to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	s := &suite{root: root, pgAdmin: *pg, short: *short, table: &harness.Table{}, out: stdout}
	s.sizes = fullSizes
	if *short {
		s.sizes = shortSizes
	}
	if *campaign > 0 {
		s.sizes.Campaign = *campaign
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
	var picked, alone []scenario
	for _, sc := range scenarios {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), sc.name) {
			continue
		}
		if slices.Contains(strings.Split(*skip, ","), sc.name) {
			continue
		}
		if sc.full && *short {
			continue
		}
		if sc.alone {
			alone = append(alone, sc)
		} else {
			picked = append(picked, sc)
		}
	}
	if len(picked)+len(alone) == 0 {
		fmt.Fprintf(stderr, "no scenario selected; names: %s\n", names())
		return 2
	}
	start := time.Now()
	if err := s.prepare(ctx, "vocbot-bench-", "vocbot fault suite"); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	s.logf("built %s and %s in %s", filepath.Base(s.bin.Vocbot), filepath.Base(s.bin.Fakes), time.Since(start).Round(time.Second))

	var wg sync.WaitGroup
	for _, sc := range picked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.runScenario(ctx, sc)
		}()
	}
	wg.Wait()
	for _, sc := range alone {
		s.runScenario(ctx, sc)
	}
	if ctx.Err() == nil {
		secretScan(ctx, s)
	}

	fmt.Fprintf(stdout, "\nvocbot fault suite, %s form, %s, %d CPUs, took %s\n\n", form(*short), time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), time.Since(start).Round(time.Second))
	s.table.Print(stdout)
	if *markdown != "" {
		if f, err := os.Create(*markdown); err == nil {
			s.table.Markdown(f)
			f.Close()
		} else {
			fmt.Fprintln(stderr, err)
		}
	}
	failed := s.table.Failed()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "interrupted")
		failed++
	}
	if failed > 0 || *keep {
		fmt.Fprintf(stdout, "\nlogs and databases kept in %s\n", s.dir)
	} else {
		os.RemoveAll(s.dir)
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "%d of %d checks FAILED\n", failed, len(s.table.Rows()))
		return 1
	}
	fmt.Fprintf(stdout, "all %d checks passed\n", len(s.table.Rows()))
	return 0
}

func (s *suite) runScenario(ctx context.Context, sc scenario) {
	t := time.Now()
	s.logf("%s: start", sc.name)
	defer func() {
		if r := recover(); r != nil {
			s.table.Fail(sc.name, "-", fmt.Errorf("panic: %v", r))
		}
		s.logf("%s: done in %s", sc.name, time.Since(t).Round(time.Second))
	}()
	sc.run(ctx, s)
}

func form(short bool) string {
	if short {
		return "short"
	}
	return "full"
}

func names() string {
	var n []string
	for _, sc := range scenarios {
		n = append(n, sc.name)
	}
	return strings.Join(n, ",")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// moduleRoot finds the directory holding vocbot's go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/vocbot/vocbot\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the vocbot repository (no go.mod of github.com/vocbot/vocbot above the current directory)")
		}
		dir = parent
	}
}

// prepare makes the suite's work directory (named prefix…), says on which
// machine title runs, and builds the vocbot binary into the directory.
func (s *suite) prepare(ctx context.Context, prefix, title string) error {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return err
	}
	s.dir = dir
	host, _ := os.Hostname()
	s.logf("%s (%s form) on %s: %d CPUs, %s/%s; work dir %s", title, form(s.short), host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, s.dir)
	s.bin, err = harness.Build(ctx, s.root, s.dir)
	return err
}
