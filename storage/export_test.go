package storage

import (
	"context"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
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
