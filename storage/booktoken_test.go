package storage_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// A paced bucket hands out times Interval apart, across concurrent
// bookers, up to ahead; it never restarts the schedule from a booking made
// after the previous time (a late taker), and a block stops booking. An
// interval of a minute makes the test independent of how fast it runs.
func TestBookTokenKeepsTheSchedule(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		r := storage.Rate{Interval: time.Minute, Burst: 1, Late: time.Millisecond}

		// 8 bookers, 5 times each, booking up to an hour ahead.
		var (
			mu  sync.Mutex
			ats []time.Time
			wg  sync.WaitGroup
		)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					b, wait, err := db.BookToken(ctx, "telegram:global", r, time.Hour)
					if err != nil || wait != 0 {
						t.Errorf("book = %v, %v; want a time", wait, err)
						return
					}
					if b.In > 40*time.Minute+time.Second {
						t.Errorf("booked %s ahead; the 40 bookings span 39 minutes", b.In)
					}
					mu.Lock()
					ats = append(ats, b.At)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(ats) != 40 {
			t.Fatalf("%d bookings, want 40", len(ats))
		}
		slices.SortFunc(ats, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(ats); i++ {
			if gap := ats[i].Sub(ats[i-1]); gap < time.Minute-2*time.Microsecond || gap > time.Minute+2*time.Microsecond {
				t.Fatalf("bookings %d and %d are %s apart, want exactly the interval (one schedule, no restart)", i-1, i, gap)
			}
		}
		if first := time.Since(ats[0]); first < 0 || first > time.Minute {
			t.Errorf("first booking %s ago, want it at the first booking's now", first)
		}

		// Booked up to ahead and no further: the next time is 40 minutes
		// out, so with 10 minutes ahead nothing is booked for about 30.
		_, wait, err := db.BookToken(ctx, "telegram:global", r, 10*time.Minute)
		if err != nil || wait < 29*time.Minute || wait > 30*time.Minute+time.Second {
			t.Fatalf("booking beyond ahead = %v, %v; want to wait about 30 minutes", wait, err)
		}
		b, wait, err := db.BookToken(ctx, "telegram:global", r, time.Hour)
		if err != nil || wait != 0 || !b.At.Equal(ats[39].Add(time.Minute)) && b.At.Sub(ats[39].Add(time.Minute)).Abs() > 2*time.Microsecond {
			t.Fatalf("next booking = %v (%v, %v); want %v", b.At, wait, err, ats[39].Add(time.Minute))
		}

		// A 429's block stops booking until it ends.
		if err := db.BlockBucket(ctx, "telegram:other", time.Now().Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, wait, err := db.BookToken(ctx, "telegram:other", r, time.Hour); err != nil || wait < 119*time.Minute {
			t.Fatalf("blocked booking = %v, %v; want to wait about two hours", wait, err)
		}
		if _, _, err := db.BookToken(ctx, "x", storage.Rate{}, time.Second); err == nil {
			t.Fatal("a zero rate must be an error")
		}
	})
}
