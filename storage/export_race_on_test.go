//go:build race

package storage_test

// exportRows is how many rows the constant-memory export test walks: fewer
// under the race detector, which slows the pure-Go SQLite down a hundredfold
// and checks concurrency, not volume.
const exportRows = 4000
