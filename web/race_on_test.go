//go:build race

package web

// raceEnabled: the race detector slows the pure-Go SQLite engine ~40×, so
// load tests use fewer rows under it; CI also runs them at full size without it.
const raceEnabled = true
