package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/glebarez/sqlite" // registers the pure-Go database/sql driver "sqlite"
)

// sqlitePragmas are the embedded database's settings: WAL so readers run beside the
// writer, a busy timeout instead of SQLITE_BUSY, BEGIN IMMEDIATE so a read-then-
// write transaction cannot fail with SQLITE_BUSY_SNAPSHOT, FULL sync so a power
// loss keeps committed answers, and foreign keys on.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate"

// ErrNoDatabase is returned by a read-only Open of a SQLite file that does
// not exist: a reader never creates one.
var ErrNoDatabase = errors.New("no database")

// sqliteReadPragmas are those of a read-only connection.
const sqliteReadPragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=query_only(1)&_txlock=deferred"

func openSQLite(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("database URL sqlite:// needs a file path, e.g. sqlite://./vocbot.db")
	}
	if path == ":memory:" || (len(path) > 0 && path[0] == '?') {
		return nil, fmt.Errorf("database URL sqlite://%s: give a file path; vocbot keeps answers on disk", path)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("database directory %s does not exist: create it or point VOCBOT_DATABASE_URL elsewhere", dir)
	}
	pragmas := sqlitePragmas
	unlock := func() error { return nil }
	if opts.ReadOnly {
		// A reader beside serve: WAL lets it read while serve writes, so it
		// takes no lock file, and query_only turns any write into an error.
		// Deferred transactions: an immediate one would queue behind serve's
		// writes for nothing.
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w at %s: run 'vocbot migrate' or 'vocbot serve' first, or point VOCBOT_DATABASE_URL at the right file", ErrNoDatabase, path)
		}
		pragmas = sqliteReadPragmas
	} else {
		var err error
		if unlock, err = lockFile(path + ".lock"); err != nil {
			return nil, err
		}
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		_ = unlock()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if opts.OnStatement != nil {
		drv := sqlDB.Driver()
		_ = sqlDB.Close()
		sqlDB = sql.OpenDB(countingConnector{drv: drv, dsn: dsn, count: opts.OnStatement})
	}
	// riversqlite asks for a single connection; never query the pool while a
	// transaction is open on the same path, or it waits for itself.
	sqlDB.SetMaxOpenConns(1)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		_ = unlock()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	gdb, err := newGorm(sqlite.Dialector{Conn: sqlDB})
	if err != nil {
		_ = sqlDB.Close()
		_ = unlock()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{engine: SQLite, where: "sqlite://" + path, gorm: gdb, sql: sqlDB, unlock: unlock, logger: opts.Logger, readOnly: opts.ReadOnly}, nil
}
