package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startServe runs 'vocbot serve' in-process on a free port and returns its base URL.
func startServe(t *testing.T, vars map[string]string, args ...string) (base string, stop func() error, logs *syncBuffer) {
	t.Helper()
	return serveWith(t, vars, nil, nil, args)
}

// startServeWith is startServe with extra platforms in the list.
func startServeWith(t *testing.T, vars map[string]string, platforms ...platformEntry) (base string, stop func() error, logs *syncBuffer) {
	t.Helper()
	return serveWith(t, vars, platforms, nil, nil)
}

// startServeClock is startServe on a clock the test moves.
func startServeClock(t *testing.T, vars map[string]string, clock surveys.Clock) (base string, stop func() error, logs *syncBuffer) {
	t.Helper()
	return serveWith(t, vars, nil, clock, nil)
}

func serveWith(t *testing.T, vars map[string]string, platforms []platformEntry, clock surveys.Clock, args []string) (base string, stop func() error, logs *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	addr := make(chan string, 1)
	if vars["VOCBOT_HTTP_ADDR"] == "" {
		vars["VOCBOT_HTTP_ADDR"] = "127.0.0.1:0"
	}
	env := &environment{getenv: mapEnv(vars), stdout: io.Discard, stderr: logs, onListen: func(a string) { addr <- a }, platforms: platforms, clock: clock}
	done := make(chan error, 1)
	go func() { done <- runEnv(ctx, append([]string{"serve"}, args...), env) }()
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		cancel()
		t.Fatalf("serve ended before listening: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("serve did not listen within 60 s\n%s", logs)
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(20 * time.Second):
				stopErr = errors.New("serve did not stop within 20 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop, logs
}

func getStatus(t *testing.T, url string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// waitReady polls /readyz: River's first leader election and start are async.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := getStatus(t, base+"/readyz")
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %v after 30 s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeIsReadyOnEachEngine(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			base, stop, logs := startServe(t, map[string]string{"VOCBOT_DATABASE_URL": storagetest.URL(t, e)})
			waitReady(t, base)
			if code, _ := getStatus(t, base+"/livez"); code != http.StatusOK {
				t.Fatalf("/livez = %d", code)
			}
			resp, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range []string{"vocbot_build_info", "go_goroutines", "process_cpu_seconds_total", `go_sql_open_connections{db_name="vocbot"}`} {
				if !bytes.Contains(metrics, []byte(want)) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			if e == storage.Postgres && !bytes.Contains(metrics, []byte("vocbot_db_pool_max_connections")) {
				t.Error("/metrics lacks the pgx pool gauges on Postgres")
			}
			for _, want := range []string{"feature", "telegram", "VOCBOT_TELEGRAM_TOKEN not set", "listening"} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("serve logs lack %q:\n%s", want, logs)
				}
			}
			if err := stop(); err != nil {
				t.Fatalf("serve returned %v on shutdown", err)
			}
		})
	}
}

func TestReadyzIs503UntilMigrated(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			url := storagetest.URL(t, e)
			base, _, _ := startServe(t, map[string]string{"VOCBOT_DATABASE_URL": url}, "--no-migrate")
			code, body := getStatus(t, base+"/readyz")
			if code != http.StatusServiceUnavailable || !strings.Contains(body["reason"], "vocbot migrate") {
				t.Fatalf("/readyz before migrating = %d %v; want 503 telling to run vocbot migrate", code, body)
			}
			env := &environment{getenv: mapEnv(map[string]string{"VOCBOT_DATABASE_URL": url}), stdout: io.Discard, stderr: io.Discard}
			err := runEnv(context.Background(), []string{"migrate"}, env)
			if e == storage.SQLite {
				// SQLite is single-process: the running serve holds the file.
				if err == nil || !strings.Contains(err.Error(), "in use") {
					t.Fatalf("migrate beside a running serve = %v; want the in-use refusal", err)
				}
				return
			}
			// On Postgres another process migrates (a deploy job); serve notices,
			// starts its workers and becomes ready.
			if err != nil {
				t.Fatal(err)
			}
			waitReady(t, base)
		})
	}
}

func TestMigrateCommandAndStatus(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"VOCBOT_DATABASE_URL": storagetest.URL(t, storage.SQLite)}
	var out bytes.Buffer
	env := &environment{getenv: mapEnv(vars), stdout: &out, stderr: io.Discard}
	if err := runEnv(context.Background(), []string{"migrate", "status"}, env); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pending") || strings.Contains(out.String(), "applied ") {
		t.Fatalf("status before migrating:\n%s", out.String())
	}
	out.Reset()
	if err := runEnv(context.Background(), []string{"migrate"}, env); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied 2 river schema v6") {
		t.Fatalf("migrate output:\n%s", out.String())
	}
	out.Reset()
	if err := runEnv(context.Background(), []string{"migrate"}, env); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "schema is up to date") {
		t.Fatalf("second migrate output:\n%s", out.String())
	}
	out.Reset()
	if err := runEnv(context.Background(), []string{"migrate", "status"}, env); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "pending") || !strings.Contains(out.String(), "00001_rate_buckets.sql") {
		t.Fatalf("status after migrating:\n%s", out.String())
	}
	err := runEnv(context.Background(), []string{"migrate", "sideways"}, env)
	var u *usageError
	if !errors.As(err, &u) {
		t.Fatalf("migrate sideways = %v; want a usage error", err)
	}
}

func TestSecondServeOnSameSQLiteFileRefuses(t *testing.T) {
	t.Parallel()
	url := storagetest.URL(t, storage.SQLite)
	base, _, _ := startServe(t, map[string]string{"VOCBOT_DATABASE_URL": url})
	waitReady(t, base)
	env := &environment{getenv: mapEnv(map[string]string{"VOCBOT_DATABASE_URL": url, "VOCBOT_HTTP_ADDR": "127.0.0.1:0"}), stdout: io.Discard, stderr: io.Discard}
	err := runEnv(context.Background(), []string{"serve"}, env)
	if err == nil || !strings.Contains(err.Error(), "in use by another vocbot process") {
		t.Fatalf("second serve = %v; want a clear refusal", err)
	}
}

func TestBrokenConfigFileIsOneLineNamingTheLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "vocbot.yaml")
	if err := os.WriteFile(path, []byte("product: Acme\nsurveys:\n  - id: nps\n   metric: nps\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := &environment{getenv: mapEnv(map[string]string{"VOCBOT_CONFIG": path}), stdout: io.Discard, stderr: io.Discard}
	err := runEnv(context.Background(), []string{"serve"}, env)
	if err == nil {
		t.Fatal("serve with a broken YAML file succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !regexp.MustCompile(`vocbot\.yaml:\d+: `).MatchString(msg) {
		t.Fatalf("error = %q; want one line naming the file and line", msg)
	}
}

// TestMain lets the test binary act as the vocbot binary for the signal test.
func TestMain(m *testing.M) {
	if os.Getenv("VOCBOT_TEST_BE_MAIN") == "1" {
		os.Args = append([]string{"vocbot"}, os.Args[1:]...)
		main()
		return
	}
	os.Exit(m.Run())
}

func TestSIGTERMExitsCleanlyWithin10s(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "VOCBOT_TEST_BE_MAIN=1",
		"VOCBOT_DATABASE_URL=sqlite://"+filepath.Join(dir, "vocbot.db"),
		"VOCBOT_HTTP_ADDR=127.0.0.1:0", "VOCBOT_LOG_FORMAT=json")
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var base string
	deadline := time.Now().Add(60 * time.Second)
	for base == "" {
		for _, line := range strings.Split(logs.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				base = "http://" + rec.Addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("process never listened:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitReady(t, base)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM\n%s", logs)
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", logs)
	}
}
