// Package storage keeps vocbot's data: it opens the database (an embedded
// SQLite file by default, PostgreSQL for several replicas), applies the schema
// with goose migrations embedded per dialect, and runs the River job queue on
// the same database so that business rows and the jobs they cause commit or
// roll back together.
//
// Rows are unexported gorm structs; callers see surveys' domain types and the
// sentinel errors surveys.ErrNotFound and surveys.ErrDuplicate.
package storage
