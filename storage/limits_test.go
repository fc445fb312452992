package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// The delivery workers take tokens at the rates the adapter declared: a
// send spends the chat's token for an hour when its limit says so; without
// declared limits nothing is metered.
func TestDeliveryTakesTheDeclaredLimits(t *testing.T) {
	t.Parallel()
	hourly := surveys.Rate{Interval: time.Hour, Burst: 1}
	for _, tt := range []struct {
		name    string
		rates   map[surveys.Platform]surveys.SendLimits
		buckets int
	}{
		{"declared", map[surveys.Platform]surveys.SendLimits{surveys.Telegram: {Global: surveys.Rate{Interval: time.Millisecond, Burst: 10}, PerChat: hourly}}, 2},
		{"none", nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				f := startDelivery(t, db, &surveystest.Sender{}, func(d *storage.Delivery) { d.Rates = tt.rates })
				inv := ingestOne(t, f, 501)
				waitStatus(t, f, inv.ID, surveys.Sent)
				var n int
				if err := db.SQL().QueryRow(`SELECT count(*) FROM rate_buckets WHERE key LIKE 'telegram:%'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != tt.buckets {
					t.Errorf("%d telegram buckets, want %d", n, tt.buckets)
				}
				if tt.buckets == 0 {
					return
				}
				wait, err := db.TakeToken(context.Background(), "telegram:chat:501", hourly)
				if err != nil {
					t.Fatal(err)
				}
				if wait < 50*time.Minute {
					t.Errorf("the chat's next token in %s, want about an hour (the declared per-chat rate)", wait)
				}
			})
		})
	}
}
