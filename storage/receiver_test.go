package storage_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// Two replicas run the same exclusive receiver: one receives, the other
// stands by and takes over when the first stops. (On SQLite the lock file
// already makes the process the only one.)
func TestExclusiveReceiverRunsOnOneReplica(t *testing.T) {
	t.Parallel()
	if !slices.Contains(storagetest.Engines(), storage.Postgres) {
		t.Skip("set VOCBOT_TEST_POSTGRES_URL: the lock is PostgreSQL's")
	}
	db := storagetest.Open(t, storage.Postgres)
	var (
		mu            sync.Mutex
		running, most int
		started       = make(chan string, 4)
		log           = slog.New(slog.DiscardHandler)
		stopped       sync.WaitGroup
		ctxA, cancelA = context.WithCancel(context.Background())
		ctxB, cancelB = context.WithCancel(context.Background())
	)
	defer cancelB()
	receiver := func(replica string) surveys.Receiver {
		return surveys.Receiver{Name: "gateway", Exclusive: true, Run: func(ctx context.Context, _ surveys.Inbox) error {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			started <- replica
			<-ctx.Done()
			mu.Lock()
			running--
			mu.Unlock()
			return nil
		}}
	}
	stopped.Go(func() { db.RunReceiver(ctxA, receiver("a"), nil, log) })
	if got := <-started; got != "a" {
		t.Fatalf("first receiver: %s", got)
	}
	stopped.Go(func() { db.RunReceiver(ctxB, receiver("b"), nil, log) })
	select {
	case got := <-started:
		t.Fatalf("replica %s received while a held the lock", got)
	case <-time.After(time.Second):
	}
	cancelA()
	select {
	case got := <-started:
		if got != "b" {
			t.Errorf("took over: %s, want b", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the standing-by replica did not take over")
	}
	cancelB()
	stopped.Wait()
	if most != 1 {
		t.Errorf("%d receivers at once, want 1", most)
	}
}
