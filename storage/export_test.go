package storage

import (
	"context"
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
