package storage_test

import (
	"context"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// Two replicas on one PostgreSQL: only one may poll Telegram at a time, and
// the other takes over once the first lets go. On SQLite the lock file
// already guarantees one process, so the lock is always granted.
func TestTryExclusive(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := storagetest.URL(t, e)
			db, err := storage.Open(ctx, url, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			release, ok, err := db.TryExclusive(ctx, "telegram-polling")
			if err != nil || !ok {
				t.Fatalf("first: ok=%v err=%v, want the lock", ok, err)
			}
			if e != storage.Postgres {
				release()
				return
			}
			other, err := storage.Open(ctx, url, storage.Options{}) // a second replica
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, ok, err := other.TryExclusive(ctx, "telegram-polling"); err != nil || ok {
				t.Fatalf("second while held: ok=%v err=%v, want refused", ok, err)
			}
			r, ok, err := other.TryExclusive(ctx, "discord-gateway")
			if err != nil || !ok {
				t.Fatalf("another name: ok=%v err=%v, want the lock", ok, err)
			}
			r()
			release()
			r2, ok, err := other.TryExclusive(ctx, "telegram-polling")
			if err != nil || !ok {
				t.Fatalf("after release: ok=%v err=%v, want the lock", ok, err)
			}
			r2()
		})
	}
}
