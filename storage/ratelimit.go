package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Rate is a token bucket: one token every Interval, up to Burst at once.
type Rate struct {
	Interval time.Duration
	Burst    int
}

// tolerance is GCRA's burst tolerance τ = (Burst − 1)·Interval.
func (r Rate) tolerance() time.Duration {
	if r.Burst <= 1 {
		return 0
	}
	return time.Duration(r.Burst-1) * r.Interval
}

// TakeToken takes one token from the bucket key, shared by every replica on
// the same database (GCRA). It returns 0 when the token was
// taken, else how long to wait before trying again. It runs in its own short
// transaction: never call it inside a long one.
func (db *DB) TakeToken(ctx context.Context, key string, r Rate) (time.Duration, error) {
	if r.Interval <= 0 {
		return 0, fmt.Errorf("rate for %s: interval must be positive", key)
	}
	// A bucket pruned between our insert and update reads as missing; the
	// second round re-creates it.
	for range 2 {
		wait, err := db.takeToken(ctx, key, r)
		if !errors.Is(err, sql.ErrNoRows) {
			return wait, err
		}
	}
	return 0, fmt.Errorf("rate bucket %s vanished twice while taking a token", key)
}

func (db *DB) takeToken(ctx context.Context, key string, r Rate) (time.Duration, error) {
	var tatMicros, blockedMicros sql.NullInt64
	var nowMicros int64
	switch db.engine {
	case Postgres:
		// Times come from the database clock so replicas with skewed clocks agree.
		interval, tol := r.Interval.Microseconds(), r.tolerance().Microseconds()
		if _, err := db.sql.ExecContext(ctx,
			`INSERT INTO rate_buckets (key, tat) VALUES ($1, now()) ON CONFLICT (key) DO NOTHING`, key); err != nil {
			return 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
		var taken bool
		err := db.sql.QueryRowContext(ctx, `
WITH took AS (
  UPDATE rate_buckets SET tat = GREATEST(tat, now()) + make_interval(secs => $2::float8 / 1e6)
   WHERE key = $1 AND GREATEST(tat, now()) <= now() + make_interval(secs => $3::float8 / 1e6)
     AND coalesce(blocked_until, '-infinity') <= now()
  RETURNING 1)
SELECT EXISTS (SELECT 1 FROM took),
       (extract(epoch FROM b.tat) * 1e6)::bigint,
       (extract(epoch FROM b.blocked_until) * 1e6)::bigint,
       (extract(epoch FROM now()) * 1e6)::bigint
  FROM rate_buckets b WHERE b.key = $1`, key, interval, tol).Scan(&taken, &tatMicros, &blockedMicros, &nowMicros)
		if err != nil {
			return 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
		if taken {
			return 0, nil
		}
	case SQLite:
		now := time.Now().UnixMicro()
		interval, tol := r.Interval.Microseconds(), r.tolerance().Microseconds()
		if _, err := db.sql.ExecContext(ctx,
			`INSERT INTO rate_buckets (key, tat) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, now); err != nil {
			return 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
		res, err := db.sql.ExecContext(ctx, `
UPDATE rate_buckets SET tat = max(tat, ?1) + ?2
 WHERE key = ?3 AND max(tat, ?1) <= ?1 + ?4 AND coalesce(blocked_until, 0) <= ?1`, now, interval, key, tol)
		if err != nil {
			return 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return 0, nil
		}
		nowMicros = now
		if err := db.sql.QueryRowContext(ctx, `SELECT tat, blocked_until FROM rate_buckets WHERE key = ?`, key).
			Scan(&tatMicros, &blockedMicros); err != nil {
			return 0, err // sql.ErrNoRows: pruned meanwhile, the caller retries
		}
	}
	// Not taken: wait until the bucket has room and any block has passed.
	wait := tatMicros.Int64 - r.tolerance().Microseconds() - nowMicros
	if blockedMicros.Valid && blockedMicros.Int64-nowMicros > wait {
		wait = blockedMicros.Int64 - nowMicros
	}
	if wait < 1 {
		wait = 1 // lost a race with another taker; try again at once
	}
	return time.Duration(wait) * time.Microsecond, nil
}

// BlockBucket stops all takers of key until until: a platform answered 429
// with a retry-after, and every replica must respect it.
func (db *DB) BlockBucket(ctx context.Context, key string, until time.Time) error {
	var err error
	switch db.engine {
	case Postgres:
		_, err = db.sql.ExecContext(ctx, `
INSERT INTO rate_buckets (key, tat, blocked_until) VALUES ($1, now(), $2)
ON CONFLICT (key) DO UPDATE SET blocked_until = GREATEST(coalesce(rate_buckets.blocked_until, '-infinity'), EXCLUDED.blocked_until)`,
			key, until.UTC())
	case SQLite:
		_, err = db.sql.ExecContext(ctx, `
INSERT INTO rate_buckets (key, tat, blocked_until) VALUES (?1, ?2, ?3)
ON CONFLICT (key) DO UPDATE SET blocked_until = max(coalesce(blocked_until, 0), excluded.blocked_until)`,
			key, time.Now().UnixMicro(), until.UnixMicro())
	}
	if err != nil {
		return fmt.Errorf("block rate bucket %s: %w", key, err)
	}
	return nil
}

// pruneIdleBuckets deletes buckets that are full again and not blocked. A
// missing row means a full bucket, so this changes no decision; it only keeps
// one row per chat ever messaged from piling up.
func (db *DB) pruneIdleBuckets(ctx context.Context, idle time.Duration) (int64, error) {
	var res sql.Result
	var err error
	switch db.engine {
	case Postgres:
		res, err = db.sql.ExecContext(ctx, `
DELETE FROM rate_buckets WHERE tat < now() - make_interval(secs => $1)
   AND coalesce(blocked_until, '-infinity') < now()`, idle.Seconds())
	case SQLite:
		now := time.Now().UnixMicro()
		res, err = db.sql.ExecContext(ctx, `DELETE FROM rate_buckets WHERE tat < ?1 AND coalesce(blocked_until, 0) < ?2`,
			now-idle.Microseconds(), now)
	}
	if err != nil {
		return 0, fmt.Errorf("prune rate buckets: %w", err)
	}
	return res.RowsAffected()
}

type pruneBucketsArgs struct{}

func (pruneBucketsArgs) Kind() string { return "prune_rate_buckets" }

// InsertOpts keeps at most one prune per hour even across a leader handoff.
func (pruneBucketsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

type pruneBucketsWorker struct {
	river.WorkerDefaults[pruneBucketsArgs]
	db *DB
}

func (w *pruneBucketsWorker) Work(ctx context.Context, _ *river.Job[pruneBucketsArgs]) error {
	_, err := w.db.pruneIdleBuckets(ctx, time.Minute)
	return err
}
