package storage

import (
	"context"
	"time"
)

// SeedDigestRun writes one digest_runs row for metrics tests.
func SeedDigestRun(ctx context.Context, db *DB, digestID, localDate, status string, due time.Time, sent *time.Time) error {
	return db.gorm.WithContext(ctx).Create(&digestRunRow{DigestID: digestID, LocalDate: localDate, Status: status,
		DueAt: due, SentAt: sent, Quotes: "[]", CreatedAt: due}).Error
}
