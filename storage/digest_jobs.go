package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// Digests schedules and posts the daily digests: a
// digest_tick periodic job every minute on the leader inserts one
// digest_runs row per digest and local date once it is due, and with it a
// send_digest job that computes and posts the digest. The primary key of
// digest_runs makes it one post per digest per local date, across restarts,
// replicas and leader handoffs.
type Digests struct {
	Specs      []surveys.DigestSpec
	Settings   *surveys.Settings
	Thresholds surveys.DigestThresholds
	// Posters post digests per platform. A digest whose platform has none
	// (its credentials are not set) fails: logged, counted in
	// vocbot_digest_failures_total{reason="no_credentials"}, not retried.
	Posters map[surveys.Platform]surveys.DigestPoster
	// Chart draws the trend chart attached to a digest; nil posts none.
	Chart func(surveys.Digest) ([]byte, error)
	// Now is the clock; nil is the system clock.
	Now func() time.Time
	// Logger receives digest logs; nil uses the database's.
	Logger *slog.Logger
}

// DigestTickArgs is the minute tick that starts due digests.
type DigestTickArgs struct{}

// Kind names the job in river_job.
func (DigestTickArgs) Kind() string { return "digest_tick" }

// SendDigestArgs posts one digest for one local date.
type SendDigestArgs struct {
	DigestID  string `json:"digest_id" river:"unique"`
	LocalDate string `json:"local_date" river:"unique"`
}

// Kind names the job in river_job.
func (SendDigestArgs) Kind() string { return "send_digest" }

// addDigestWorkers registers the digest workers and returns the periodic
// tick, or nothing when no digest is configured.
func addDigestWorkers(ws *river.Workers, db *DB, d Digests, m *deliveryMetrics) ([]*river.PeriodicJob, error) {
	if len(d.Specs) == 0 {
		return nil, nil
	}
	if d.Settings == nil {
		return nil, errors.New("job queue: digests need the survey settings")
	}
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	if d.Logger == nil {
		d.Logger = db.logger
	}
	st := &Store{db: db, now: d.Now}
	if err := river.AddWorkerSafely(ws, &digestTickWorker{store: st, d: d}); err != nil {
		return nil, fmt.Errorf("register digest tick: %w", err)
	}
	if err := river.AddWorkerSafely(ws, &sendDigestWorker{store: st, d: d, metrics: m}); err != nil {
		return nil, fmt.Errorf("register digest worker: %w", err)
	}
	return []*river.PeriodicJob{tick("digest_tick", time.Minute, DigestTickArgs{}, "")}, nil
}

type digestTickWorker struct {
	river.WorkerDefaults[DigestTickArgs]
	store *Store
	d     Digests
}

func (w *digestTickWorker) Work(ctx context.Context, _ *river.Job[DigestTickArgs]) error {
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return fmt.Errorf("digest tick: %w", err)
	}
	return w.store.TickDigests(ctx, w.d.Specs, w.d.Now(), func(ctx context.Context, tx *sql.Tx, args SendDigestArgs) error {
		_, err := client.InsertTx(ctx, tx, args, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
		return err
	})
}

// TickDigests records a run for every digest due at now that has none for
// its local date yet, and enqueues its post in the same transaction. It is
// idempotent: a second tick in the same minute, a tick on another replica
// or after a restart finds the row and does nothing. A process that was down
// at the digest's time posts it at its first tick later that local day.
func (s *Store) TickDigests(ctx context.Context, specs []surveys.DigestSpec, now time.Time,
	enqueue func(context.Context, *sql.Tx, SendDigestArgs) error) error {
	for _, spec := range specs {
		date, due := spec.Due(now)
		if !due {
			continue
		}
		err := s.db.inTx(ctx, func(tx *gorm.DB) error {
			res := tx.Exec(`INSERT INTO digest_runs (digest_id, local_date, status, due_at, created_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest_id, local_date) DO NOTHING`,
				spec.ID, date, runPending, now.UTC(), now.UTC())
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			sqlTx, err := sqlTxOf(tx)
			if err != nil {
				return err
			}
			return enqueue(ctx, sqlTx, SendDigestArgs{DigestID: spec.ID, LocalDate: date})
		})
		if err != nil {
			return fmt.Errorf("schedule digest %s for %s: %w", spec.ID, date, err)
		}
	}
	return nil
}

// staleDigest is how long a post may be in flight before a later attempt
// assumes its process died mid-post.
const staleDigest = 5 * time.Minute

// sendDigestWorker runs the §6 state machine on a digest_runs row: pending →
// sending (committed) → platform post → sent with the job's completion in
// one transaction. A run found "sending" and stale is recorded unknown and
// not reposted: a missing digest is better than a doubled one.
type sendDigestWorker struct {
	river.WorkerDefaults[SendDigestArgs]
	store   *Store
	d       Digests
	metrics *deliveryMetrics
}

func (w *sendDigestWorker) Timeout(*river.Job[SendDigestArgs]) time.Duration { return 3 * time.Minute }

func (w *sendDigestWorker) Work(ctx context.Context, job *river.Job[SendDigestArgs]) error {
	a := job.Args
	log := w.d.Logger.With("digest_id", a.DigestID, "local_date", a.LocalDate, "job_id", job.ID)
	var spec surveys.DigestSpec
	found := false
	for _, s := range w.d.Specs {
		if s.ID == a.DigestID {
			spec, found = s, true
		}
	}
	if !found {
		return river.JobCancel(fmt.Errorf("digest %q is no longer configured", a.DigestID))
	}
	db := w.store.db
	var run digestRunRow
	if err := db.gorm.WithContext(ctx).Where("digest_id = ? AND local_date = ?", a.DigestID, a.LocalDate).Take(&run).Error; err != nil {
		return fmt.Errorf("read digest run: %w", translate(err))
	}
	switch run.Status {
	case runSent, runEmpty, runUnknown, runFailed:
		return nil
	case runSending:
		if run.AttemptStartedAt != nil && w.d.Now().Sub(*run.AttemptStartedAt) < staleDigest {
			return river.JobSnooze(staleDigest)
		}
		log.Warn("digest post was interrupted; not reposted to avoid a duplicate")
		return w.finish(ctx, job, runUnknown)
	}
	poster := w.d.Posters[spec.To.Platform]
	if poster == nil {
		// Waiting would only postpone it every minute until the day is
		// over: say so once, where operators look.
		err := fmt.Errorf("digest %s not posted: vocbot has no %s adapter running (its credentials are not set)", spec.ID, spec.To.Platform)
		log.Error("digest not posted: no credentials for its platform", "to", spec.To.Platform, "err", err)
		w.failed(spec, "no_credentials")
		if ferr := w.finish(ctx, job, runFailed); ferr != nil {
			return ferr
		}
		return river.JobCancel(err)
	}
	d, err := surveys.ComposeDigest(ctx, w.store, spec, w.d.Settings, w.d.Thresholds, run.DueAt)
	if err != nil {
		return err
	}
	if d.Quiet && !spec.PostWhenEmpty {
		log.Info("nothing new: digest not posted")
		return w.finish(ctx, job, runEmpty)
	}
	var chart []byte
	if w.d.Chart != nil {
		if chart, err = w.d.Chart(d); err != nil {
			log.Warn("digest posted without its chart", "err", err)
			chart = nil
		}
	}
	res := db.gorm.WithContext(ctx).Model(&digestRunRow{}).
		Where("digest_id = ? AND local_date = ? AND status = ?", a.DigestID, a.LocalDate, runPending).
		Updates(map[string]any{"status": runSending, "attempt_started_at": w.d.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("claim digest run: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil // another worker claimed it
	}
	ref, postErr := poster.PostDigest(ctx, spec.To, d, chart)
	if postErr == nil {
		quotes, _ := json.Marshal(d.QuoteTexts())
		err := db.inTx(ctx, func(tx *gorm.DB) error {
			if err := tx.Model(&digestRunRow{}).Where("digest_id = ? AND local_date = ?", a.DigestID, a.LocalDate).
				Updates(map[string]any{"status": runSent, "sent_at": w.d.Now().UTC(), "message_ref": string(ref), "quotes": string(quotes)}).Error; err != nil {
				return err
			}
			return completeTx(ctx, tx, job)
		})
		if err != nil {
			return fmt.Errorf("record posted digest: %w", err)
		}
		log.Info("digest posted", "message_ref", string(ref))
		return nil
	}
	kind, retryAfter := surveys.FailureOf(postErr)
	switch {
	case kind == surveys.Unreachable:
		log.Error("digest channel unreachable", "err", postErr)
		w.failed(spec, "unreachable")
		if err := w.finish(ctx, job, runFailed); err != nil {
			return err
		}
		return river.JobCancel(postErr)
	case kind == surveys.Ambiguous:
		log.Warn("digest post outcome unknown; not reposted", "err", postErr)
		return w.finish(ctx, job, runUnknown)
	case job.Attempt >= job.MaxAttempts:
		w.failed(spec, "failed")
		_ = w.finish(ctx, job, runFailed)
		return river.JobCancel(postErr)
	}
	if err := db.gorm.WithContext(ctx).Model(&digestRunRow{}).
		Where("digest_id = ? AND local_date = ? AND status = ?", a.DigestID, a.LocalDate, runSending).
		Update("status", runPending).Error; err != nil {
		return fmt.Errorf("release digest run: %w", err)
	}
	if kind == surveys.RateLimited {
		return river.JobSnooze(max(retryAfter, time.Second))
	}
	return fmt.Errorf("post digest: %w", postErr)
}

// failed counts a digest given up.
func (w *sendDigestWorker) failed(spec surveys.DigestSpec, reason string) {
	if w.metrics != nil {
		w.metrics.digestFailures.WithLabelValues(string(spec.To.Platform), reason).Inc()
	}
}

// finish records a final state and completes the job in one transaction.
func (w *sendDigestWorker) finish(ctx context.Context, job *river.Job[SendDigestArgs], status string) error {
	return w.store.db.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&digestRunRow{}).Where("digest_id = ? AND local_date = ?", job.Args.DigestID, job.Args.LocalDate).
			Update("status", status).Error; err != nil {
			return err
		}
		return completeTx(ctx, tx, job)
	})
}

func completeTx(ctx context.Context, tx *gorm.DB, job *river.Job[SendDigestArgs]) error {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return err
	}
	_, err = river.JobCompleteTx[*riverdatabasesql.Driver](ctx, sqlTx, job)
	return err
}
