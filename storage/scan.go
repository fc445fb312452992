package storage

import "gorm.io/gorm"

// scan runs a query (tx.Raw, or a built one) and reads its rows into dest,
// as gorm's Scan does, without Scan's cost: Scan renders every query for
// its logger with the arguments written into the text, even when the
// logger discards it, which for a batch's statement of thousands of
// arguments was 8 % of the API's CPU (BenchmarkPostBatch). Find reads the
// same rows and renders nothing. Storage reads through scan, never Scan.
func scan(q *gorm.DB, dest any) error { return q.Find(dest).Error }
