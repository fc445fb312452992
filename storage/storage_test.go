package storage_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storagetest.OpenUnmigrated(t, e)
			if cur, err := db.SchemaCurrent(ctx); err != nil || cur {
				t.Fatalf("SchemaCurrent before migrating = %v, %v; want false, nil", cur, err)
			}
			first, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range first {
				names = append(names, r.Name)
			}
			if len(first) < 2 || first[0].Version != 1 || first[1].Name != "river schema v6" {
				t.Fatalf("first migrate applied %v; want 00001 then river schema v6", names)
			}
			again, err := db.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Fatalf("second migrate = %v, %v; want nothing applied", again, err)
			}
			st, err := db.Migrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range st {
				if !m.Applied || m.AppliedAt.IsZero() {
					t.Errorf("migration %d %s not applied after Migrate", m.Version, m.Name)
				}
			}
			if cur, err := db.SchemaCurrent(ctx); err != nil || !cur {
				t.Fatalf("SchemaCurrent after migrating = %v, %v; want true, nil", cur, err)
			}
			// River's own tables are part of the same step.
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n); err != nil {
				t.Fatalf("river_job after migrate: %v", err)
			}
		})
	}
}

// A database migrated by the release on River v0.34 (River schema v6, our
// goose versions up to 8) moves to River's current schema with its queued
// jobs intact, and they are worked afterwards.
func TestMigrateUpgradesRiverSchemaOfOlderRelease(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storagetest.OpenUnmigrated(t, e)
			if err := storage.MigrateUpTo(ctx, db, 8); err != nil {
				t.Fatalf("migrate like the older release: %v", err)
			}
			if v := riverVersion(t, db); v != 6 {
				t.Fatalf("River schema after the older release's migrations = %d; want 6", v)
			}
			if cur, err := db.SchemaCurrent(ctx); err != nil || cur {
				t.Fatalf("SchemaCurrent on the older schema = %v, %v; want false, nil", cur, err)
			}
			// A job queued by the older release, in its format (JSON text
			// on SQLite, before River's JSONB conversion).
			insert := `INSERT INTO river_job (args, kind, max_attempts, queue, state, scheduled_at, created_at)
VALUES ($1, 'test_note', 25, 'default', 'available', $2, $2)`
			if e == storage.SQLite {
				insert = `INSERT INTO river_job (args, kind, max_attempts, queue, state, scheduled_at, created_at)
VALUES (json(?1), 'test_note', 25, 'default', 'available', ?2, ?2)`
			}
			if _, err := db.SQL().ExecContext(ctx, insert, `{"Note":"queued-by-older-release"}`, time.Now().UTC().Add(-time.Minute)); err != nil {
				t.Fatalf("queue a job in the older schema: %v", err)
			}

			res, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("migrate the older schema: %v", err)
			}
			var names []string
			for _, r := range res {
				names = append(names, r.Name)
			}
			if len(names) == 0 || names[0] != "river schema v8" || strings.Contains(strings.Join(names, ","), "v6") {
				t.Fatalf("upgrade applied %v; want river schema v8 first and v6 not again", names)
			}
			if v := riverVersion(t, db); v != 8 {
				t.Fatalf("River schema after upgrade = %d; want 8", v)
			}
			if cur, err := db.SchemaCurrent(ctx); err != nil || !cur {
				t.Fatalf("SchemaCurrent after upgrade = %v, %v; want true, nil", cur, err)
			}
			w := &noteWorker{ran: make(chan string, 1)}
			startJobs(t, db, w, 5*time.Second)
			select {
			case note := <-w.ran:
				if note != "queued-by-older-release" {
					t.Fatalf("worker ran %q; want the job queued before the upgrade", note)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the job queued before the upgrade did not run within 30 s")
			}
		})
	}
}

func riverVersion(t *testing.T, db *storage.DB) int {
	t.Helper()
	var v int
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT max(version) FROM river_migration`).Scan(&v); err != nil {
		t.Fatalf("read River schema version: %v", err)
	}
	return v
}

func TestSecondProcessOnSameSQLiteFileIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "vocbot.db")
	first, err := storage.Open(ctx, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = storage.Open(ctx, url, storage.Options{})
	if err == nil || !strings.Contains(err.Error(), "in use by another vocbot process") {
		t.Fatalf("second Open = %v; want an 'in use by another vocbot process' error", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// Released on Close: the next process gets in.
	again, err := storage.Open(ctx, url, storage.Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	_ = again.Close()
}

func TestOpenErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	missingDir := filepath.Join(t.TempDir(), "no", "such", "dir", "vocbot.db")
	tests := []struct {
		url, want string
	}{
		{"mysql://localhost/db", "use sqlite://PATH or postgres://"},
		{"", "use sqlite://PATH or postgres://"},
		{"sqlite://", "needs a file path"},
		{"sqlite://:memory:", "give a file path"},
		{"sqlite://" + missingDir, "does not exist"},
		{"postgres://vocbot:s3cret@127.0.0.1:1/db?connect_timeout=2", "is PostgreSQL running"},
	}
	for _, tt := range tests {
		_, err := storage.Open(context.Background(), tt.url, storage.Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) = %v; want error containing %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q) error leaks the password: %v", tt.url, err)
		}
	}
}

func TestTakeTokenSharesOneBudget(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		// An hour per token makes the test independent of how fast it runs.
		r := storage.Rate{Interval: time.Hour, Burst: 3}
		for i := range 3 {
			wait, err := db.TakeToken(ctx, "telegram:global", r)
			if err != nil || wait != 0 {
				t.Fatalf("take %d = %v, %v; want the burst of 3 to pass", i+1, wait, err)
			}
		}
		wait, err := db.TakeToken(ctx, "telegram:global", r)
		if err != nil || wait < 59*time.Minute || wait > time.Hour {
			t.Fatalf("4th take = %v, %v; want to wait about an hour", wait, err)
		}
		// Another key has its own budget.
		if wait, err := db.TakeToken(ctx, "telegram:chat:42", r); err != nil || wait != 0 {
			t.Fatalf("other key = %v, %v; want a token", wait, err)
		}
		// A 429 blocks everyone until retry-after, even with tokens left.
		if err := db.BlockBucket(ctx, "telegram:chat:42", time.Now().Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		wait, err = db.TakeToken(ctx, "telegram:chat:42", r)
		if err != nil || wait < 119*time.Minute {
			t.Fatalf("blocked take = %v, %v; want to wait about two hours", wait, err)
		}
		// Blocking a bucket never seen creates it.
		if err := db.BlockBucket(ctx, "slack:T1:C1", time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if wait, err := db.TakeToken(ctx, "slack:T1:C1", r); err != nil || wait == 0 {
			t.Fatalf("take on new blocked bucket = %v, %v; want a wait", wait, err)
		}
		if _, err := db.TakeToken(ctx, "x", storage.Rate{}); err == nil {
			t.Fatal("a zero rate must be an error")
		}
	})
}

func TestPingAndClose(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Ping(ctx); err == nil {
			t.Fatal("Ping after Close succeeded")
		}
	})
}

func TestMaskURL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"postgres://u:pw@h:5432/db?sslmode=disable": "postgres://u:%2A%2A%2A%2A@h:5432/db?sslmode=disable",
		"postgres://u@h/db":                         "postgres://u@h/db",
		"sqlite://./vocbot.db":                      "sqlite://./vocbot.db",
	}
	for in, want := range tests {
		if got := storage.MaskURL(in); got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", in, got, want)
		}
	}
}
