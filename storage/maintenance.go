package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Retention of records that only exist to recognize retries.
const (
	// idempotencyKeyRetention: clients may retry a request this long after
	// the first try and get the original answer (the draft asks ≥ 24 h).
	idempotencyKeyRetention = 48 * time.Hour
	// inboundUpdateRetention: platforms redeliver updates for at most a day
	// (Telegram keeps unconfirmed ones 24 h; Slack retries for minutes).
	inboundUpdateRetention = 7 * 24 * time.Hour
)

type pruneRecordsArgs struct{}

func (pruneRecordsArgs) Kind() string { return "prune_records" }

// InsertOpts keeps at most one prune per hour even across a leader handoff.
func (pruneRecordsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

// pruneRecordsWorker deletes idempotency keys and handled platform update
// ids past their retention; the touchpoints' natural keys stay forever.
type pruneRecordsWorker struct {
	river.WorkerDefaults[pruneRecordsArgs]
	db *DB
}

func (w *pruneRecordsWorker) Work(ctx context.Context, _ *river.Job[pruneRecordsArgs]) error {
	_, err := w.db.pruneRecords(ctx, time.Now().UTC())
	return err
}

// pruneRecords returns how many rows it deleted.
func (db *DB) pruneRecords(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		table  string
		column string
		before time.Time
	}{
		{"idempotency_keys", "created_at", now.Add(-idempotencyKeyRetention)},
		{"inbound_updates", "received_at", now.Add(-inboundUpdateRetention)},
		// Dashboard sign-in links and sessions are dead once expired; a day
		// more keeps "this link was used or has expired" for a late click
		// no different from a fresh one.
		{"signin_tokens", "expires_at", now.Add(-24 * time.Hour)},
		{"signin_sessions", "expires_at", now.Add(-24 * time.Hour)},
	} {
		res := db.gorm.WithContext(ctx).Exec("DELETE FROM "+q.table+" WHERE "+q.column+" < ?", q.before)
		if res.Error != nil {
			return total, fmt.Errorf("prune %s: %w", q.table, res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}
