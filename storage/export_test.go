package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// InsertInTx runs fn's rows and a job in one gorm transaction, for tests of
// the commit/rollback property. fn may return an error to roll back.
func (j *Jobs) InsertInTx(ctx context.Context, db *DB, args river.JobArgs, fn func(tx *gorm.DB) error) error {
	return db.inTx(ctx, func(tx *gorm.DB) error {
		if err := j.insertTx(ctx, tx, args, nil); err != nil {
			return err
		}
		return fn(tx)
	})
}

// Gorm exposes the handle to tests in package storage_test.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// PlainCustomer makes one customer row for the plain-insert baseline.
func PlainCustomer(ctx context.Context, db *DB, external string) (int64, error) {
	row := customerRow{ExternalID: external, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	err := db.gorm.WithContext(ctx).Create(&row).Error
	return row.ID, err
}

// PlainInsertTouchpoints is the benchmark baseline: the same touchpoint
// rows, one multi-row INSERT per batch in one transaction, no logic.
func PlainInsertTouchpoints(ctx context.Context, db *DB, customerID int64, ins []surveys.Ingestion) error {
	rows := make([]touchpointRow, len(ins))
	now := time.Now().UTC()
	for i, in := range ins {
		tp := in.Touchpoint
		ext := tp.ExternalID
		rows[i] = touchpointRow{Source: tp.Source, ExternalID: &ext, Type: tp.Type, OccurredAt: now, CustomerID: customerID,
			Attributes: attributesJSON(tp.Attributes), RequestHash: in.RequestHash, ReceivedAt: now}
	}
	return db.gorm.WithContext(ctx).CreateInBatches(&rows, len(rows)).Error
}

// InsertTestResponse records a bare score for an invitation.
func InsertTestResponse(ctx context.Context, db *DB, invitationID int64, score int) error {
	var inv invitationRow
	if err := db.gorm.WithContext(ctx).Where("id = ?", invitationID).Take(&inv).Error; err != nil {
		return err
	}
	return db.gorm.WithContext(ctx).Create(&responseRow{
		InvitationID: inv.ID, CustomerID: inv.CustomerID, SurveyID: inv.SurveyID, Metric: "nps", Score: score,
		CommentState: "none", Attributes: "{}", UpdateID: fmt.Sprint("test-", invitationID), AnsweredAt: time.Now().UTC(),
	}).Error
}

// InsertResponses writes answered responses with the customer, touchpoint
// and invitation each needs, as ImportHistory does: a fixture for reading,
// scoring and erasure tests. IDs and InvitationIDs are filled in.
func InsertResponses(ctx context.Context, db *DB, rs []surveys.Response) error {
	return NewStore(db, nil).ImportHistory(ctx, "test", rs)
}

// QueueDueSurveys makes the delivery jobs of the invitations awaiting one
// that are due by until, as the queue_surveys tick does with the horizon,
// and returns how many invitations it took (at most a thousand).
func (j *Jobs) QueueDueSurveys(ctx context.Context, until time.Time) (int, error) {
	return j.db.queueDueSurveys(ctx, j.insert, until)
}

// JobHorizon is how far ahead an invitation's job is made with it.
const JobHorizon = jobHorizon

// TickReminders enqueues a reminder tick now, as the leader's periodic job
// would, so tests need not wait for leader election.
func (j *Jobs) TickReminders(ctx context.Context) error {
	_, err := j.insert.Insert(ctx, reminderTickArgs{}, nil)
	return err
}

// PruneRecords runs the hourly retention job's deletion as of now.
func (db *DB) PruneRecords(ctx context.Context, now time.Time) (int64, error) {
	return db.pruneRecords(ctx, now)
}

// Crash makes this worker vanish as a killed process would, as far as the
// others can tell: no more heartbeats, its job_workers row stays, its
// client stops fetching, and jobs in flight are abandoned mid-way.
func (j *Jobs) Crash() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.running.Swap(false) {
		return
	}
	j.alive()
	<-j.beat
	j.db.live.set(j.id, false)
	client := j.client
	go func() { _ = client.StopAndCancel(context.Background()) }()
}

// WorkerID is the id of the running worker ("" when stopped).
func (j *Jobs) WorkerID() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.id
}

// InsertAlertWithRiver inserts the alert job of response id as River's
// own insert writes it, to compare with the one an answer writes.
func (j *Jobs) InsertAlertWithRiver(ctx context.Context, db *DB, responseID int64) error {
	return db.inTx(ctx, func(tx *gorm.DB) error {
		return j.insertTx(ctx, tx, AlertArgs{ResponseID: responseID}, alertOpts())
	})
}

// InsertSendSurveyWithRiver enqueues an invitation's delivery job through
// River's own insert, as ingestion's general path does.
func (j *Jobs) InsertSendSurveyWithRiver(ctx context.Context, db *DB, invitationID int64, platform surveys.Platform, due time.Time) error {
	return db.inTx(ctx, func(tx *gorm.DB) error {
		return insertManyTx(ctx, j.insert, tx, []river.InsertManyParams{sendSurveyJob(invitationID, platform, due)})
	})
}

// KnownAndReadStates runs the PostgreSQL batch path's first statement for
// ins in a transaction it rolls back, and returns, by customer external
// id, the states it knew without reading (the customers it inserted) and
// the same customers' states as customerStates reads them afterwards in
// that transaction.
func (s *Store) KnownAndReadStates(ctx context.Context, ins []surveys.Ingestion) (known, read map[string]surveys.CustomerState, err error) {
	errRollback := errors.New("rollback")
	err = s.db.inTx(ctx, func(tx *gorm.DB) error {
		idx := make([]int, len(ins))
		for i := range idx {
			idx[i] = i
		}
		p, err := s.prepareBatchPG(tx, ins, idx, nil)
		if err != nil {
			return err
		}
		byID := map[int64]string{}
		fresh := map[string]customerRow{}
		for ext, c := range p.customers {
			byID[c.ID] = ext
			if _, ok := p.known[c.ID]; ok {
				fresh[ext] = c
			}
		}
		states, err := s.customerStates(tx, fresh)
		if err != nil {
			return err
		}
		known, read = map[string]surveys.CustomerState{}, map[string]surveys.CustomerState{}
		for id, st := range p.known {
			known[byID[id]] = st
		}
		for id, st := range states {
			read[byID[id]] = st
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	return known, read, err
}
