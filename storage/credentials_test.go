package storage_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// counter reads one labelled counter from collectors; 0 when absent.
func counter(t *testing.T, cs []prometheus.Collector, name string, labels map[string]string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(cs...)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// A digest whose platform has no adapter in this process fails at once,
// logged once and counted, instead of being postponed every minute.
func TestDigestWithoutCredentialsFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := storagetest.Open(t, storage.SQLite)
	seedMonths(t, db, time.UTC, now)
	var logs syncLog
	jobs, err := storage.NewJobs(db, storage.JobsConfig{PollInterval: 100 * time.Millisecond, Digests: storage.Digests{
		Specs: []surveys.DigestSpec{digestSpec(time.UTC)}, Settings: digestSettings(time.UTC),
		Now:    func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
	st := storage.NewStore(db, nil)
	var runs []storage.DigestRun
	for range 300 {
		if runs, err = st.DigestRuns(ctx, "daily"); err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Status != "pending" && runs[0].Status != "sending" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(runs) != 1 || runs[0].Status != "failed" {
		t.Fatalf("runs %+v, want one failed", runs)
	}
	labels := map[string]string{"platform": "slack", "reason": "no_credentials"}
	if got := counter(t, jobs.Collectors(), "vocbot_digest_failures_total", labels); got != 1 {
		t.Errorf("vocbot_digest_failures_total%v = %v, want 1", labels, got)
	}
	if n := strings.Count(logs.String(), "digest not posted: no credentials"); n != 1 {
		t.Errorf("%d error lines, want 1:\n%s", n, logs.String())
	}
}

// An alert to a platform without an adapter is marked failed for that
// target; a rerun of the job neither posts nor waits.
func TestAlertWithoutCredentialsFails(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		_, a, p, id := alertFixture(t, db, alertNow.Add(-time.Minute), surveys.CommentGiven)
		a.Posters = nil
		for attempt := range 2 {
			if err := storage.AlertWork(t.Context(), db, a, id, attempt+1); err != nil {
				t.Fatalf("attempt %d: %v, want the job done (no snooze)", attempt+1, err)
			}
		}
		status, err := storage.AlertStatus(t.Context(), db, id)
		if err != nil || status != "failed" || len(p.posts) != 0 {
			t.Errorf("alert status %q (%v), %d posts; want failed and none", status, err, len(p.posts))
		}
	})
}

// syncLog is a log sink for a worker's goroutines.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
