//go:build !race

package storage_test

// exportRows is how many rows the constant-memory export test walks.
const exportRows = 20000
