package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// An invitation's delivery job is made with it only when it is due within
// jobHorizon. One due later is stored with awaiting_job set, and the
// queue_surveys tick, every queueSurveysEvery, makes the jobs of the
// invitations that have come within the horizon since. A survey delayed by
// a day therefore costs its ingestion one invitation row instead of the
// row plus a River job (a row with six index entries, two of them GIN):
// on PostgreSQL about a fifth of a batch's database time. River's job table
// holds the next minutes of deliveries instead of every survey scheduled
// days ahead. The horizon is ten ticks, so a survey gets its job long
// before it is due even when a tick is late (no leader for a while, a
// busy database); a job made late is queued available and sent at once.
const (
	jobHorizon        = 10 * time.Minute
	queueSurveysEvery = time.Minute
	// queueSurveysBatch bounds the invitations one transaction of the
	// tick takes; the tick goes on until fewer are left.
	queueSurveysBatch = 1000
)

type queueSurveysArgs struct{}

// Kind names the job in river_job.
func (queueSurveysArgs) Kind() string { return "queue_surveys" }

// queueSurveysWorker makes the delivery jobs of the invitations awaiting
// one that are due within the horizon.
//
// Exactly once: in one transaction it clears the invitations' flag and
// inserts their jobs, so a crash leaves either both or neither. Two ticks
// at once (a leader handoff) cannot take the same invitation: on
// PostgreSQL the rows are locked and a locked row is skipped, and a row
// whose flag a committed tick cleared no longer matches; SQLite has one
// writer. River's unique key on the job's invitation id is a second guard.
type queueSurveysWorker struct {
	river.WorkerDefaults[queueSurveysArgs]
	db     *DB
	insert *river.Client[*sql.Tx]
	now    func() time.Time
}

func (w *queueSurveysWorker) Work(ctx context.Context, _ *river.Job[queueSurveysArgs]) error {
	for {
		n, err := w.db.queueDueSurveys(ctx, w.insert, w.now().Add(jobHorizon))
		if err != nil || n < queueSurveysBatch {
			return err
		}
	}
}

// queueDueSurveys makes the jobs of up to queueSurveysBatch invitations
// awaiting one and due by until, earliest first, and returns how many
// invitations it took. One that is no longer scheduled (the customer said
// /stop, a blocked chat turned it into a web link) only loses its flag:
// there is nothing to deliver.
func (db *DB) queueDueSurveys(ctx context.Context, insert *river.Client[*sql.Tx], until time.Time) (int, error) {
	lock := " FOR UPDATE SKIP LOCKED"
	if db.engine != Postgres {
		lock = "" // one writer: the transaction holds the file's lock
	}
	q := `UPDATE invitations SET awaiting_job = false
WHERE id IN (SELECT id FROM invitations WHERE awaiting_job AND due_at <= ? ORDER BY due_at LIMIT ?` + lock + `)
RETURNING id, status, platform, due_at`
	n := 0
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		var rows []invitationRow
		if err := scan(tx.Raw(q, until.UTC(), queueSurveysBatch), &rows); err != nil {
			return fmt.Errorf("take the surveys due by %s: %w", until.UTC().Format(time.RFC3339), err)
		}
		n = len(rows)
		var jobs []river.InsertManyParams
		for _, inv := range rows {
			if inv.Status != string(surveys.Scheduled) || inv.DueAt == nil {
				continue
			}
			jobs = append(jobs, sendSurveyJob(inv.ID, surveys.Platform(inv.Platform), *inv.DueAt))
		}
		return insertManyTx(ctx, insert, tx, jobs)
	})
	return n, err
}
