package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// pgRestart restarts the PostgreSQL server while touchpoints pour in and
// surveys go out. Expected: vocbot keeps running and recovers by itself,
// /readyz says 503 during the outage and 200 after, every touchpoint that
// was acknowledged with a 2xx is stored, and surveys keep going out, none
// doubled. It restarts the shared server: only the full run does it.
func pgRestart(ctx context.Context, s *suite) {
	if err := pgRestartOn(ctx, s); err != nil {
		s.table.Fail("pg-restart", "postgres", err)
	}
}

// restartPostgres restarts the local cluster (Debian's pg_ctlcluster).
func restartPostgres(ctx context.Context) (time.Duration, error) {
	if cmd := os.Getenv("BENCH_PG_RESTART"); cmd != "" {
		t := time.Now()
		out, err := exec.CommandContext(ctx, "bash", "-c", cmd).CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%s: %w: %s", cmd, err, out)
		}
		return time.Since(t), nil
	}
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		return 0, fmt.Errorf("no /etc/postgresql/<version>: set BENCH_PG_RESTART to the command that restarts your server")
	}
	t := time.Now()
	out, err := exec.CommandContext(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", "restart").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pg_ctlcluster restart: %w: %s", err, out)
	}
	return time.Since(t), nil
}

func pgRestartOn(ctx context.Context, s *suite) error {
	const engine = "postgres"
	name := "pg-restart"
	var c cleanup
	defer c.run()
	db, err := s.database(ctx, harness.Postgres, name)
	if err != nil {
		return err
	}
	c.add(func() { _ = db.Drop(context.Background()) })
	f, err := s.fakes(ctx, name)
	if err != nil {
		return err
	}
	c.add(f.Kill)
	n := s.sizes.Load
	base := int64(5_000_000)
	chat := func(i int) int64 { return base + int64(i) }
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = chat(i)
	}
	if err := f.AddTelegramUsers(ctx, ids, "en", false); err != nil {
		return err
	}
	v, err := s.vocbot(ctx, name+"/vocbot", s.vocbotEnv(db, f, platforms{}))
	if err != nil {
		return err
	}
	c.add(func() { _ = v.Stop(15 * time.Second) })
	if err := v.WaitReady(ctx, 90*time.Second); err != nil {
		return err
	}
	pid := v.Pid()

	// Watch /readyz through the whole scenario.
	type sample struct {
		at   time.Time
		code int
		body string
	}
	var mu sync.Mutex
	var samples []sample
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		client := harness.NewClient(v.URL, "")
		client.HTTP.Timeout = 2 * time.Second
		for wctx.Err() == nil {
			code, body, _ := client.Get(wctx, "/readyz")
			mu.Lock()
			samples = append(samples, sample{time.Now(), code, string(body)})
			mu.Unlock()
			time.Sleep(100 * time.Millisecond)
		}
	}()

	loader := &harness.Loader{Targets: []*harness.Client{v.API}, Batch: 1, Workers: 4, Retry: 250 * time.Millisecond}
	loaded := make(chan error, 1)
	go func() { loaded <- loader.Run(ctx, 0, n, harness.TelegramTouchpoint("pgr", chat)) }()
	_ = harness.Eventually(ctx, 5*time.Minute, 10*time.Millisecond, "a quarter acknowledged", func() bool { return loader.Acked() >= n/4 })
	ackedBefore := loader.Acked()
	restartAt := time.Now()
	took, rerr := restartPostgres(ctx)
	s.logf("%s: PostgreSQL restarted in %s with %d/%d touchpoints acknowledged (%v)", name, took.Round(10*time.Millisecond), ackedBefore, n, rerr)
	if rerr != nil {
		stopWatch()
		<-watched
		return rerr
	}
	if err := <-loaded; err != nil {
		stopWatch()
		<-watched
		return fmt.Errorf("load: %w", err)
	}
	readyErr := v.WaitReady(ctx, 60*time.Second)
	time.Sleep(time.Second)
	stopWatch()
	<-watched

	// The outage as /readyz told it.
	var down, up time.Time
	reason := ""
	flips, prev := 0, http.StatusOK
	for _, smp := range samples {
		if smp.at.Before(restartAt) {
			continue
		}
		if (smp.code == http.StatusOK) != (prev == http.StatusOK) {
			flips++
		}
		prev = smp.code
		if smp.code != http.StatusOK && down.IsZero() {
			down, reason = smp.at, clip(smp.body, 90)
		}
		if smp.code == http.StatusOK && !down.IsZero() && up.IsZero() {
			up = smp.at
		}
	}
	last := samples[len(samples)-1]
	s.table.Check("pg-restart: vocbot recovers without a restart", engine, "same process, still running",
		!v.Exited() && v.Pid() == pid, "pid %d → %d, exited: %v", pid, v.Pid(), v.Exited())
	s.table.Check("pg-restart: /readyz reflects outage and recovery", engine, "503 during the outage, then 200",
		!down.IsZero() && !up.IsZero() && readyErr == nil,
		"not ready %s after the restart began (%s), ready again after %s, %d changes; at the end %d %s %v; PostgreSQL restart took %s",
		sub(down, restartAt), reason, sub(up, down), flips, last.code, clip(last.body, 120), readyErr, took.Round(10*time.Millisecond))

	stored, err := db.Count(ctx, `SELECT count(*) FROM touchpoints WHERE external_id LIKE 'pgr\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	s.table.Check("pg-restart: no acknowledged touchpoint lost", engine, fmt.Sprintf("%d acknowledged, %d stored", n, n),
		loader.Acked() == n && stored == n, "%d acknowledged, %d stored; %d requests answered 5xx during the outage and were retried",
		loader.Acked(), stored, loader.Status5xx.Load())

	var inv map[string]int
	_ = harness.Eventually(ctx, 5*time.Minute, 2*time.Second, "deliveries settled", func() bool {
		got, err := v.API.Invitations(ctx)
		if err != nil {
			return false
		}
		inv = got
		return got["scheduled"]+got["sending"] == 0
	})
	chats, err := f.TelegramChats(ctx)
	if err != nil {
		return err
	}
	one, missing, doubled := 0, 0, 0
	for _, id := range ids {
		switch c := chats[id].Surveys; {
		case c == 1:
			one++
		case c == 0:
			missing++
		default:
			doubled++
		}
	}
	read, sentNotOne, missingNotAmbiguous, err := perChat(ctx, db, ids, chats)
	if err != nil {
		return err
	}
	s.table.Check("pg-restart: surveys after the outage", engine, "all settled, none doubled; sent → 1 survey; missing only when unknown",
		doubled == 0 && inv["scheduled"]+inv["sending"] == 0 && read == n && len(sentNotOne) == 0 && len(missingNotAmbiguous) == 0,
		"invitations %s; chats %d one, %d none, %d doubled; sent without one survey %v, missing while not ambiguous %v",
		compact(inv), one, missing, doubled, first(sentNotOne, 5), first(missingNotAmbiguous, 5))
	if err := v.Stop(15 * time.Second); err != nil {
		s.logf("%s: stop: %v", name, err)
	}
	s.scanDatabase(ctx, "pg-restart", db)
	return nil
}

func sub(a, b time.Time) string {
	if a.IsZero() || b.IsZero() {
		return "never"
	}
	return strings.TrimSpace(a.Sub(b).Round(100 * time.Millisecond).String())
}
