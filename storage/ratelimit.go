package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/vocbot/vocbot/surveys"
)

// Rate is a token bucket: one token every Interval, up to Burst at once.
// Adapters declare theirs (surveys.SendLimits).
type Rate = surveys.Rate

// tolerance is GCRA's burst tolerance τ = (Burst − 1)·Interval.
func tolerance(r Rate) time.Duration {
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
	_, wait, err := db.take(ctx, key, r, tolerance(r))
	return wait, err
}

// Booking is a time reserved on a paced bucket's schedule (Rate.Late).
type Booking struct {
	At time.Time     // the booked time, on the database's clock
	In time.Duration // how long after the booking was made At comes (0: at once)
}

// bookAhead is how far ahead a paced bucket's schedule may be booked.
const bookAhead = time.Second

// BookToken books the next free time on the schedule of the bucket key,
// shared by every replica on the same database: times come Interval apart
// and a booking never moves the schedule back. The caller sends at At
// (after In), and not at all if it cannot by At + Late (a late send could
// land next to its successors in the platform's window); it then books
// again. When the schedule is booked more than ahead from now, nothing is
// booked and wait says when to ask again. A blocked bucket (BlockBucket)
// books nothing until the block ends. Its own short transaction, like
// TakeToken.
func (db *DB) BookToken(ctx context.Context, key string, r Rate, ahead time.Duration) (Booking, time.Duration, error) {
	if r.Interval <= 0 {
		return Booking{}, 0, fmt.Errorf("rate for %s: interval must be positive", key)
	}
	return db.take(ctx, key, r, ahead)
}

// take is GCRA with tolerance tol: a token is taken when the bucket's
// theoretical arrival time is at most tol ahead of now, and the time it
// stands for (the TAT before this take, or now) is returned as the booking.
// A bucket pruned between the insert and the update reads as missing; the
// second round re-creates it.
func (db *DB) take(ctx context.Context, key string, r Rate, tol time.Duration) (Booking, time.Duration, error) {
	for range 2 {
		b, wait, err := db.takeOnce(ctx, key, r, tol)
		if !errors.Is(err, sql.ErrNoRows) {
			return b, wait, err
		}
	}
	return Booking{}, 0, fmt.Errorf("rate bucket %s vanished twice while taking a token", key)
}

func (db *DB) takeOnce(ctx context.Context, key string, r Rate, tol time.Duration) (Booking, time.Duration, error) {
	var tatMicros, blockedMicros, tookMicros sql.NullInt64
	var nowMicros int64
	interval, tolMicros := r.Interval.Microseconds(), tol.Microseconds()
	switch db.engine {
	case Postgres:
		// Times come from the database clock so replicas with skewed clocks agree.
		if _, err := db.sql.ExecContext(ctx,
			`INSERT INTO rate_buckets (key, tat) VALUES ($1, now()) ON CONFLICT (key) DO NOTHING`, key); err != nil {
			return Booking{}, 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
		// took's tat is the row as updated (after any wait on its lock);
		// b.tat is the statement's snapshot, read only when nothing was taken.
		err := db.sql.QueryRowContext(ctx, `
WITH took AS (
  UPDATE rate_buckets SET tat = GREATEST(tat, now()) + make_interval(secs => $2::float8 / 1e6)
   WHERE key = $1 AND GREATEST(tat, now()) <= now() + make_interval(secs => $3::float8 / 1e6)
     AND coalesce(blocked_until, '-infinity') <= now()
  RETURNING tat)
SELECT (SELECT (extract(epoch FROM took.tat) * 1e6)::bigint FROM took),
       (extract(epoch FROM b.tat) * 1e6)::bigint,
       (extract(epoch FROM b.blocked_until) * 1e6)::bigint,
       (extract(epoch FROM now()) * 1e6)::bigint
  FROM rate_buckets b WHERE b.key = $1`, key, interval, tolMicros).Scan(&tookMicros, &tatMicros, &blockedMicros, &nowMicros)
		if err != nil {
			return Booking{}, 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
	case SQLite:
		nowMicros = time.Now().UnixMicro()
		if _, err := db.sql.ExecContext(ctx,
			`INSERT INTO rate_buckets (key, tat) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, nowMicros); err != nil {
			return Booking{}, 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
		err := db.sql.QueryRowContext(ctx, `
UPDATE rate_buckets SET tat = max(tat, ?1) + ?2
 WHERE key = ?3 AND max(tat, ?1) <= ?1 + ?4 AND coalesce(blocked_until, 0) <= ?1
RETURNING tat`, nowMicros, interval, key, tolMicros).Scan(&tookMicros)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Booking{}, 0, fmt.Errorf("rate bucket %s: %w", key, err)
		}
		if !tookMicros.Valid {
			if err := db.sql.QueryRowContext(ctx, `SELECT tat, blocked_until FROM rate_buckets WHERE key = ?`, key).
				Scan(&tatMicros, &blockedMicros); err != nil {
				return Booking{}, 0, err // sql.ErrNoRows: pruned meanwhile, the caller retries
			}
		}
	}
	if tookMicros.Valid {
		at := tookMicros.Int64 - interval
		return Booking{At: time.UnixMicro(at), In: time.Duration(max(0, at-nowMicros)) * time.Microsecond}, 0, nil
	}
	// Not taken: wait until the bucket has room and any block has passed.
	wait := tatMicros.Int64 - tolMicros - nowMicros
	if blockedMicros.Valid && blockedMicros.Int64-nowMicros > wait {
		wait = blockedMicros.Int64 - nowMicros
	}
	if wait < 1 {
		wait = 1 // lost a race with another taker; try again at once
	}
	return Booking{}, time.Duration(wait) * time.Microsecond, nil
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
