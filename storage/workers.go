package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"gorm.io/gorm"
)

// defaultLease is how long a worker that stopped refreshing its row is
// still presumed alive (PostgreSQL; on SQLite a row of another process is
// dead at once). Heartbeats come three times per lease.
const defaultLease = 15 * time.Second

// errLeaseLapsed refuses a new send attempt to a worker whose heartbeat has
// lapsed: the others may be taking its jobs over.
var errLeaseLapsed = errors.New("this job worker's heartbeat has lapsed (database slow or unreachable?); the job is retried once it is back")

// liveWorkers are the job workers of this process. On SQLite only one
// process opens the file, so every other row in job_workers is a dead one.
type liveWorkers struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (l *liveWorkers) set(id string, alive bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids == nil {
		l.ids = map[string]bool{}
	}
	if alive {
		l.ids[id] = true
	} else {
		delete(l.ids, id)
	}
}

func (l *liveWorkers) has(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids[id]
}

func (l *liveWorkers) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.ids))
	for id := range l.ids {
		out = append(out, id)
	}
	return out
}

// newWorkerID names one run of a job worker: also River's client id, so a
// job's attempted_by tells which run worked it. Host and pid are for
// people reading it; the random part makes it unique.
func newWorkerID() string {
	host, _ := os.Hostname()
	if len(host) > 60 {
		host = host[:60]
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// registerWorker adds (or renews) this worker's row.
func (db *DB) registerWorker(ctx context.Context, id string) error {
	var err error
	switch db.engine {
	case Postgres:
		_, err = db.sql.ExecContext(ctx, `INSERT INTO job_workers (id) VALUES ($1)
ON CONFLICT (id) DO UPDATE SET seen_at = now()`, id)
	case SQLite:
		now := time.Now().UnixMicro()
		_, err = db.sql.ExecContext(ctx, `INSERT INTO job_workers (id, started_at, seen_at) VALUES (?1, ?2, ?2)
ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, id, now)
	}
	if err != nil {
		return fmt.Errorf("register job worker: %w", err)
	}
	db.live.set(id, true)
	return nil
}

// heartbeat refreshes this worker's row. It reports false when the row was
// gone (the others presumed this worker dead, e.g. after a long database
// outage) and registers it again.
func (db *DB) heartbeat(ctx context.Context, id string) (bool, error) {
	res, err := db.sql.ExecContext(ctx, db.rebind(`UPDATE job_workers SET seen_at = `+db.nowSQL()+` WHERE id = ?`), db.nowArgs(id)...)
	if err != nil {
		return false, fmt.Errorf("job worker heartbeat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	return false, db.registerWorker(ctx, id)
}

// unregisterWorker removes the row of a worker that stopped cleanly.
func (db *DB) unregisterWorker(ctx context.Context, id string) error {
	db.live.set(id, false)
	if _, err := db.sql.ExecContext(ctx, db.rebind(`DELETE FROM job_workers WHERE id = ?`), id); err != nil {
		return fmt.Errorf("unregister job worker: %w", err)
	}
	return nil
}

// holdLease is called in the transaction that starts a send attempt: it
// refuses when this worker's row is gone or its heartbeat has lapsed, and
// on PostgreSQL it share-locks the row until commit, so no other worker
// can declare this one dead (and take its jobs) while the attempt is being
// recorded. A worker presumed dead thus never starts an attempt that the
// others believe nobody is making. A shared lock, because every claim of
// the process takes it and they must not queue behind each other.
func (db *DB) holdLease(ctx context.Context, tx *sql.Tx, id string, lease time.Duration) error {
	var err error
	var one int
	switch db.engine {
	case Postgres:
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM job_workers WHERE id = $1 AND seen_at >= now() - make_interval(secs => $2) FOR SHARE`,
			id, lease.Seconds()).Scan(&one)
	case SQLite:
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM job_workers WHERE id = ?`, id).Scan(&one)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errLeaseLapsed
	}
	if err != nil {
		return fmt.Errorf("job worker lease: %w", err)
	}
	return nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// workerAlive tells whether the worker that made an attempt still runs.
func (db *DB) workerAlive(ctx context.Context, q querier, id string, lease time.Duration) (bool, error) {
	if db.engine == SQLite {
		return db.live.has(id), nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM job_workers WHERE id = $1 AND seen_at >= now() - make_interval(secs => $2)`,
		id, lease.Seconds()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("job worker liveness: %w", err)
	}
	return n == 1, nil
}

// rescueDeadWorkers deletes the rows of dead workers and makes the jobs they
// were running available again, in one transaction, and returns the dead
// workers' ids. Dead: on PostgreSQL not refreshed for lease; on SQLite any
// worker not of this process (one process per file). Jobs of workers that
// never registered (older releases) are left to River's own rescuer.
func (db *DB) rescueDeadWorkers(ctx context.Context, lease time.Duration) (dead []string, jobs int64, err error) {
	err = db.gorm.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		tx, err := sqlTxOf(gtx)
		if err != nil {
			return err
		}
		var rows *sql.Rows
		switch db.engine {
		case Postgres:
			rows, err = tx.QueryContext(ctx, `DELETE FROM job_workers WHERE seen_at < now() - make_interval(secs => $1) RETURNING id`, lease.Seconds())
		case SQLite:
			// json_each binds this process's ids as one parameter.
			rows, err = tx.QueryContext(ctx, `DELETE FROM job_workers WHERE id NOT IN (SELECT value FROM json_each(?)) RETURNING id`, jsonArray(db.live.list()))
		}
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			dead = append(dead, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range dead {
			// The job's last attempt is the dead worker's. Its scheduled_at
			// is already past (it was running), so it is fetched at once.
			q := `UPDATE river_job SET state = 'available' WHERE state = 'running' AND attempted_by[array_upper(attempted_by, 1)] = $1`
			if db.engine == SQLite {
				q = `UPDATE river_job SET state = 'available' WHERE state = 'running' AND json_extract(attempted_by, '$[#-1]') = ?`
			}
			res, err := tx.ExecContext(ctx, q, id)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			jobs += n
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("hand over jobs of dead workers: %w", err)
	}
	return dead, jobs, nil
}

// nowSQL is the current time in each engine's representation of job_workers.
func (db *DB) nowSQL() string {
	if db.engine == Postgres {
		return "now()"
	}
	return "?"
}

// nowArgs prepends the current time for nowSQL's placeholder on SQLite.
func (db *DB) nowArgs(args ...any) []any {
	if db.engine == Postgres {
		return args
	}
	return append([]any{time.Now().UnixMicro()}, args...)
}

// rebind turns ? placeholders into PostgreSQL's $n.
func (db *DB) rebind(q string) string {
	if db.engine != Postgres {
		return q
	}
	out := make([]byte, 0, len(q)+8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = fmt.Appendf(out, "$%d", n)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

// keepAlive heartbeats and hands over the jobs of dead workers until ctx
// ends: every process does it, so the jobs of a dead leader move too.
func (db *DB) keepAlive(ctx context.Context, id string, lease time.Duration, log *slog.Logger) {
	every := lease / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		db.sweepDeadWorkers(ctx, lease, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ok, err := db.heartbeat(ctx, id); err != nil {
			if ctx.Err() == nil {
				log.Warn("job worker heartbeat failed", "err", err)
			}
		} else if !ok {
			log.Warn("job worker was presumed dead by the others (no heartbeat for a lease); registered again",
				"worker", id, "lease", lease.String())
		}
	}
}

func (db *DB) sweepDeadWorkers(ctx context.Context, lease time.Duration, log *slog.Logger) {
	dead, n, err := db.rescueDeadWorkers(ctx, lease)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Warn("could not check for dead job workers", "err", err)
	case len(dead) > 0:
		log.Info("job workers stopped without finishing; their running jobs resume here",
			"dead_workers", dead, "jobs", n)
	}
}
