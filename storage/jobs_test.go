package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

type noteArgs struct{ Note string }

func (noteArgs) Kind() string { return "test_note" }

// noteWorker records every job it works.
type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	mu   sync.Mutex
	seen []string
	ran  chan string
}

func (w *noteWorker) Work(_ context.Context, j *river.Job[noteArgs]) error {
	w.mu.Lock()
	w.seen = append(w.seen, j.Args.Note)
	w.mu.Unlock()
	w.ran <- j.Args.Note
	return nil
}

func startJobs(t *testing.T, db *storage.DB, w river.Worker[noteArgs], timeout time.Duration) *storage.Jobs {
	t.Helper()
	ws := river.NewWorkers()
	river.AddWorker(ws, w)
	jobs, err := storage.NewJobs(db, storage.JobsConfig{Workers: ws, PollInterval: 100 * time.Millisecond, ShutdownTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jobs.Stop(context.Background()) })
	return jobs
}

func countJobs(t *testing.T, db *storage.DB, note string) int {
	t.Helper()
	var n int
	err := db.SQL().QueryRowContext(context.Background(),
		`SELECT count(*) FROM river_job WHERE kind = 'test_note' AND CAST(args AS TEXT) LIKE '%' || `+placeholder(db)+` || '%'`, note).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func placeholder(db *storage.DB) string {
	if db.Engine() == storage.Postgres {
		return "$1"
	}
	return "?"
}

// The property everything else stands on: a job inserted inside a gorm
// transaction runs after commit and never when the transaction rolls back.
func TestJobInsertedInTransactionRunsOnlyAfterCommit(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w := &noteWorker{ran: make(chan string, 4)}
		jobs := startJobs(t, db, w, 5*time.Second)

		errRollback := errors.New("business rule failed")
		err := jobs.InsertInTx(ctx, db, noteArgs{Note: "rolled-back"}, func(tx *gorm.DB) error {
			if err := insertBucket(tx, db, "row-of-rolled-back-tx").Error; err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("InsertInTx = %v; want the rollback error", err)
		}
		if n := countJobs(t, db, "rolled-back"); n != 0 {
			t.Fatalf("%d rolled-back jobs in river_job; want 0, so it can never run", n)
		}

		err = jobs.InsertInTx(ctx, db, noteArgs{Note: "committed"}, func(tx *gorm.DB) error {
			if db.Engine() == storage.Postgres {
				// From outside the transaction the job does not exist yet. (SQLite
				// has one connection: nothing else can even look until commit.)
				var n int
				if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'test_note'`).Scan(&n); err != nil {
					return err
				}
				if n != 0 {
					t.Errorf("job visible to other connections before commit: %d rows", n)
				}
			}
			return insertBucket(tx, db, "row-of-committed-tx").Error
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case note := <-w.ran:
			if note != "committed" {
				t.Fatalf("worker ran %q; want only the committed job", note)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("committed job did not run within 30 s")
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if len(w.seen) != 1 {
			t.Fatalf("worker saw %v; want exactly [committed]", w.seen)
		}
	})
}

func TestDuplicateRowBecomesErrDuplicate(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := &noteWorker{ran: make(chan string, 1)}
		jobs, err := storage.NewJobs(db, storage.JobsConfig{Workers: func() *river.Workers {
			ws := river.NewWorkers()
			river.AddWorker(ws, w)
			return ws
		}()})
		if err != nil {
			t.Fatal(err)
		}
		err = jobs.InsertInTx(context.Background(), db, noteArgs{Note: "dup"}, func(tx *gorm.DB) error {
			if err := insertBucket(tx, db, "k").Error; err != nil {
				return err
			}
			return insertBucket(tx, db, "k").Error
		})
		if !errors.Is(err, surveys.ErrDuplicate) {
			t.Fatalf("second insert of a key = %v; want surveys.ErrDuplicate", err)
		}
	})
}

type slowArgs struct{}

func (slowArgs) Kind() string { return "test_slow" }

type slowWorker struct {
	river.WorkerDefaults[slowArgs]
	started  chan struct{}
	release  chan struct{}
	finished chan error
}

func (w *slowWorker) Work(ctx context.Context, _ *river.Job[slowArgs]) error {
	w.started <- struct{}{}
	select {
	case <-w.release:
		w.finished <- nil
		return nil
	case <-ctx.Done():
		w.finished <- ctx.Err()
		return ctx.Err()
	}
}

func TestStopLetsRunningJobsFinishThenCancels(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		release bool
		want    error
	}{
		{"finishes within the timeout", 30 * time.Second, true, nil},
		{"cancelled after the timeout", 300 * time.Millisecond, false, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t, storage.SQLite)
			w := &slowWorker{started: make(chan struct{}, 1), release: make(chan struct{}), finished: make(chan error, 1)}
			ws := river.NewWorkers()
			river.AddWorker(ws, w)
			jobs, err := storage.NewJobs(db, storage.JobsConfig{Workers: ws, PollInterval: 100 * time.Millisecond, ShutdownTimeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			// The start context is cancelled at once, like a signal context on
			// SIGTERM: running jobs must still get their grace period.
			startCtx, cancel := context.WithCancel(context.Background())
			if err := jobs.Start(startCtx); err != nil {
				t.Fatal(err)
			}
			if err := insertSlow(jobs, db); err != nil {
				t.Fatal(err)
			}
			select {
			case <-w.started:
			case <-time.After(30 * time.Second):
				t.Fatal("job did not start")
			}
			cancel()
			stopped := make(chan error, 1)
			go func() { stopped <- jobs.Stop(context.Background()) }()
			if tt.release {
				close(w.release)
			}
			if err := <-stopped; err != nil {
				t.Fatalf("Stop = %v", err)
			}
			if got := <-w.finished; !errors.Is(got, tt.want) {
				t.Fatalf("job ended with %v; want %v", got, tt.want)
			}
			if jobs.Running() {
				t.Fatal("Running() after Stop")
			}
		})
	}
}

func insertSlow(jobs *storage.Jobs, db *storage.DB) error {
	return jobs.InsertInTx(context.Background(), db, slowArgs{}, func(*gorm.DB) error { return nil })
}

// insertBucket writes a business row in tx, in each engine's time type.
func insertBucket(tx *gorm.DB, db *storage.DB, key string) *gorm.DB {
	var tat any = time.Now()
	if db.Engine() == storage.SQLite {
		tat = time.Now().UnixMicro()
	}
	return tx.Exec(`INSERT INTO rate_buckets (key, tat) VALUES (?, ?)`, key, tat)
}
