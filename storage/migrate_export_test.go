package storage

import "context"

// MigrateUpTo applies migrations up to version only, leaving a database as
// an older vocbot release left it.
func MigrateUpTo(ctx context.Context, db *DB, version int64) error {
	return db.migrateUpTo(ctx, version)
}
