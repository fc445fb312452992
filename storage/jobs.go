package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"gorm.io/gorm"
)

// JobsConfig sets up the job queue. Workers may be nil: storage adds its own
// maintenance workers either way.
type JobsConfig struct {
	Workers      *river.Workers
	Queues       map[string]river.QueueConfig // default: the default queue with 10 workers
	PeriodicJobs []*river.PeriodicJob
	// PollInterval is how often workers look for due jobs (River's default 1 s;
	// database/sql cannot LISTEN, so this bounds pickup latency).
	PollInterval time.Duration
	// ShutdownTimeout is how long Stop lets running jobs finish before it
	// cancels them. Default 10 s.
	ShutdownTimeout time.Duration
	// Lease is how long a job worker that stopped refreshing its row in
	// job_workers is still presumed alive on PostgreSQL (default 15 s). After
	// it, the live workers take over its running jobs. On SQLite a worker of
	// another process is dead at once: one process owns the file.
	Lease time.Duration
	// Delivery sends surveys; its platforms get a queue each.
	Delivery Delivery
	// Digests schedules and posts the daily digests; none when it has no
	// Specs.
	Digests Digests
	// Alerts posts low-score alerts; none when it has no Targets (the jobs
	// then wait in AlertQueue).
	Alerts Alerts
}

// Jobs is the River client on the database's own pool. Jobs inserted with a
// transaction commit or roll back with it; workers run while Start'ed.
//
// Building Jobs only prepares inserting: the working client (producers,
// leader election, maintenance) is built by Start, so one-shot commands that
// only enqueue never run or announce a poller.
type Jobs struct {
	db       *DB
	insert   *river.Client[*sql.Tx] // insert-only: no queues, never started
	config   *river.Config          // for the working client Start builds
	timeout  time.Duration
	running  atomic.Bool
	delivery *deliveryMetrics
	// webLink converts the invitations of a chat that blocked the bot
	// (chatTx.SetBlocked); nil when the fallback is off.
	webLink *WebLinkFallback

	lease time.Duration
	log   *slog.Logger

	// notified is when this process last notified a queue of jobs it
	// inserted with its own SQL (unix nanoseconds, by queue).
	notifyMu sync.Mutex
	notified map[string]time.Time

	mu     sync.Mutex
	client *river.Client[*sql.Tx] // the working client while started
	id     string                 // its id, also its row in job_workers
	alive  context.CancelFunc     // stops the heartbeat
	beat   chan struct{}          // closed when the heartbeat has stopped
}

// NewJobs builds the River client for db; it does not start working.
func NewJobs(db *DB, cfg JobsConfig) (*Jobs, error) {
	ws := cfg.Workers
	if ws == nil {
		ws = river.NewWorkers()
	}
	d := cfg.Delivery
	if len(d.Senders) > 0 && d.Prompt == nil {
		return nil, errors.New("job queue: delivery has senders but no Prompt to word surveys with")
	}
	if d.Workers <= 0 {
		d.Workers = 10
	}
	if d.SendTimeout <= 0 {
		d.SendTimeout = 30 * time.Second
	}
	if d.StaleAfter <= 0 {
		d.StaleAfter = staleSending
	}
	log := d.Logger
	if log == nil {
		log = db.logger
	}
	// Inserting needs no workers or queues: a client without queues never
	// polls or elects a leader, so it can be built for every command.
	insert, err := river.NewClient(db.riverDriver(false), &river.Config{Logger: db.logger, SkipUnknownJobCheck: true})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	metrics := newDeliveryMetrics()
	now := func() time.Time { return time.Now().UTC() }
	if d.Now != nil {
		now = func() time.Time { return d.Now().UTC() }
	}
	// AddWorkerSafely fails only on a kind registered twice (a caller's
	// worker named like one of ours).
	if err := errors.Join(
		river.AddWorkerSafely(ws, &pruneBucketsWorker{db: db}),
		river.AddWorkerSafely(ws, &pruneRecordsWorker{db: db}),
		river.AddWorkerSafely(ws, &sendSurveyWorker{db: db, d: d, metrics: metrics, log: log, now: now, lease: leaseOf(cfg), insert: insert}),
		river.AddWorkerSafely(ws, &sendReminderWorker{db: db, d: d, metrics: metrics, log: log, now: now}),
		river.AddWorkerSafely(ws, &reminderTickWorker{db: db, r: d.Reminders, now: now}),
		river.AddWorkerSafely(ws, &queueSurveysWorker{db: db, insert: insert, now: now}),
	); err != nil {
		return nil, fmt.Errorf("register workers: %w", err)
	}
	webLinks := d.WebLink != nil && d.WebLink.Hook != nil && d.WebLink.Link != nil
	if webLinks {
		if err := river.AddWorkerSafely(ws, &webLinkWorker{db: db, fb: *d.WebLink, metrics: metrics, log: log, now: now}); err != nil {
			return nil, fmt.Errorf("register workers: %w", err)
		}
	}
	digestTick, err := addDigestWorkers(ws, db, cfg.Digests, metrics)
	if err != nil {
		return nil, err
	}
	alerting, slaTick, err := addAlertWorker(ws, db, cfg.Alerts, metrics)
	if err != nil {
		return nil, err
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}}
	if cfg.Queues != nil {
		queues = maps.Clone(cfg.Queues)
	}
	for p := range d.Senders {
		queues[string(p)] = river.QueueConfig{MaxWorkers: d.Workers}
	}
	if alerting {
		queues[AlertQueue] = river.QueueConfig{MaxWorkers: 5}
	}
	if webLinks {
		queues[WebLinkQueue] = river.QueueConfig{MaxWorkers: 5}
	}
	periodic := append([]*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return pruneBucketsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "prune_rate_buckets", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return pruneRecordsArgs{}, nil },
			&river.PeriodicJobOpts{ID: "prune_records", RunOnStart: true}),
		tick("queue_surveys", queueSurveysEvery, queueSurveysArgs{}, ""),
	}, cfg.PeriodicJobs...)
	periodic = append(periodic, digestTick...)
	periodic = append(periodic, slaTick...)
	if d.Reminders.After != nil && len(d.Senders) > 0 {
		every := d.Reminders.Every
		if every <= 0 {
			every = time.Minute
		}
		periodic = append(periodic, tick("reminder_tick", every, reminderTickArgs{}, ""))
	}
	rcfg := &river.Config{
		Logger:            db.logger,
		Workers:           ws,
		Queues:            queues,
		PeriodicJobs:      periodic,
		FetchPollInterval: cfg.PollInterval,
		// A job still "running" this long after its start belonged to a
		// process that died; River gives it to another worker, which finds
		// the invitation's state and never resends blindly. Longer than any
		// job's timeout (sends: SendTimeout + 30 s).
		RescueStuckJobsAfter: 5 * time.Minute,
		// Jobs whose worker lives in a later release or another process
		// (send_alert, queue "alerts") are inserted and wait for it.
		SkipUnknownJobCheck: true,
	}
	timeout := cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	j := &Jobs{db: db, insert: insert, config: rcfg, timeout: timeout, delivery: metrics, lease: leaseOf(cfg), log: log}
	if webLinks {
		j.webLink = d.WebLink
	}
	return j, nil
}

// tick is a periodic job of the leader's, given its own worker: every
// period, at once when a leader starts (a process that was down catches
// up), and once per period even across a leader handoff (unique by
// period). queue "" is River's default queue.
func tick(id string, every time.Duration, args river.JobArgs, queue string) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{Queue: queue, UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		},
		&river.PeriodicJobOpts{ID: id, RunOnStart: true})
}

// riverDriver is River's driver on the database's own pool. A worker on
// PostgreSQL also LISTENs (one connection taken from the pool for good), so
// new and rescheduled jobs are picked up at once instead of at the next
// poll; database/sql alone cannot LISTEN.
func (db *DB) riverDriver(listen bool) riverdriver.Driver[*sql.Tx] {
	switch {
	case db.engine == Postgres && listen && db.pool != nil:
		return riverdatabasesql.NewWithPgxListener(db.sql, db.pool)
	case db.engine == Postgres:
		return riverdatabasesql.New(db.sql)
	default:
		return riversqlite.New(db.sql)
	}
}

// leaseOf is the configured lease or the default.
func leaseOf(cfg JobsConfig) time.Duration {
	if cfg.Lease > 0 {
		return cfg.Lease
	}
	return defaultLease
}

// Start begins working jobs until Stop. ctx only bounds the start itself;
// jobs run until Stop is called.
func (j *Jobs) Start(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running.Load() {
		return nil
	}
	// Every run of a worker has its own id, registered before it takes any
	// job, so that the others can tell when it is gone.
	id := newWorkerID()
	if err := j.db.registerWorker(ctx, id); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	cfg := *j.config
	cfg.ID = id
	client, err := river.NewClient(j.db.riverDriver(true), &cfg)
	if err != nil {
		_ = j.db.unregisterWorker(ctx, id)
		return fmt.Errorf("job queue: %w", err)
	}
	// River derives its workers' context from the one given to Start, so a
	// cancelled signal context would cut running jobs short before Stop could
	// let them finish.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		_ = j.db.unregisterWorker(ctx, id)
		return fmt.Errorf("start job queue: %w", err)
	}
	aliveCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		j.db.keepAlive(aliveCtx, id, j.lease, j.log)
	}()
	j.client, j.id, j.alive, j.beat = client, id, stop, beat
	j.running.Store(true)
	return nil
}

// Running reports whether workers are working (for /readyz).
func (j *Jobs) Running() bool { return j.running.Load() }

// Stop stops fetching new jobs and waits up to the shutdown timeout for
// running ones to finish; then it cancels their contexts and waits for them
// to return. A cancelled job is retried later, so nothing is lost.
func (j *Jobs) Stop(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.running.Swap(false) {
		return nil
	}
	err := j.stopClient(ctx)
	// Its jobs are over: the row goes, so nobody mistakes a clean stop for
	// a crash (nor a crash for a clean stop).
	j.alive()
	<-j.beat
	if uerr := j.db.unregisterWorker(context.WithoutCancel(ctx), j.id); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

func (j *Jobs) stopClient(ctx context.Context) error {
	soft, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	err := j.client.Stop(soft)
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("stop job queue: %w", err)
	}
	hard, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel2()
	if err := j.client.StopAndCancel(hard); err != nil {
		return fmt.Errorf("stop job queue: jobs still running after cancel: %w", err)
	}
	return nil
}

// insertTx puts a job into the caller's gorm transaction: it becomes visible
// to workers only when that transaction commits.
func (j *Jobs) insertTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) error {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return err
	}
	if _, err := j.insert.InsertTx(ctx, sqlTx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// notifyDue reports whether a job inserted into queue now by storage's
// own SQL (an answer's alert job on PostgreSQL) should also notify the
// workers, and if so counts it as sent. At most one notification per
// queue per River's fetch cooldown, as River's own insert does: one wakes
// the workers for every job waiting, and PostgreSQL commits transactions
// that notify one at a time.
func (j *Jobs) notifyDue(queue string) bool {
	now := time.Now()
	j.notifyMu.Lock()
	defer j.notifyMu.Unlock()
	if now.Sub(j.notified[queue]) < river.FetchCooldownDefault {
		return false
	}
	if j.notified == nil {
		j.notified = map[string]time.Time{}
	}
	j.notified[queue] = now
	return true
}

// Collectors are the delivery metrics of this process's workers.
func (j *Jobs) Collectors() []prometheus.Collector { return j.delivery.collectors() }

// insertManyTx is insertTx for many jobs in one statement, through River
// client insert (a worker's, or Jobs' own). It is for jobs of rows made or
// taken in the same transaction (new invitations, or those the queue tick
// takes): a duplicate is skipped by its unique key all the same, so River's
// fast path (no RETURNING of every row, no per-job report of a skipped
// duplicate) loses nothing. It cut the batch's job insert by about a third.
func insertManyTx(ctx context.Context, insert *river.Client[*sql.Tx], tx *gorm.DB, params []river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return err
	}
	if _, err := insert.InsertManyFastTx(ctx, sqlTx, params); err != nil {
		return fmt.Errorf("enqueue %d jobs: %w", len(params), err)
	}
	return nil
}
