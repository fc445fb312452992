package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/vocbot/vocbot/surveys"
)

// Engine names the database behind a DB.
type Engine string

// The two engines vocbot runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Options tune Open. The zero value is fine.
type Options struct {
	// Logger receives storage and migration logs; nil discards them.
	Logger *slog.Logger
	// MaxConns caps the PostgreSQL pool unless the URL sets pool_max_conns.
	// It must cover HTTP concurrency plus River workers plus a few.
	MaxConns int32
	// ReadOnly opens the database for reading only (export, digest preview,
	// audit, migrate status). On SQLite it then takes no process lock, so
	// these commands run while serve holds the file; every write fails.
	ReadOnly bool

	// OnStatement, when set, is called for every statement sent to the
	// database, BEGIN and COMMIT included: tests and benchmarks count round
	// trips with it. Leave it nil in production.
	OnStatement func()
}

// DB is an open vocbot database: one gorm handle and one *sql.DB shared with
// River. Close it when done; on SQLite that also releases the process lock.
type DB struct {
	engine Engine
	where  string // the URL with any password masked, for messages
	gorm   *gorm.DB
	sql    *sql.DB
	pool   *pgxpool.Pool // nil on SQLite
	unlock func() error  // releases the SQLite lock file; nil on Postgres
	logger *slog.Logger
	// readOnly is set for databases opened with Options.ReadOnly.
	readOnly bool

	schemaCurrent atomic.Bool // cached once true: migrations only move forward
	live          liveWorkers // the job workers running in this process
}

// Open connects to the database named by rawURL: "sqlite://PATH" or
// "postgres://…" (also "postgresql://…"). It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	switch {
	case strings.HasPrefix(rawURL, "sqlite://"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite://"), opts)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL, opts)
	default:
		return nil, fmt.Errorf("database URL %q: use sqlite://PATH or postgres://USER@HOST:PORT/DB", MaskURL(rawURL))
	}
}

// ReadOnly reports whether the database was opened for reading only.
func (db *DB) ReadOnly() bool { return db.readOnly }

// Engine tells which database this is.
func (db *DB) Engine() Engine { return db.engine }

// String describes the database for logs, with any password masked.
func (db *DB) String() string { return db.where }

// SQL is the connection pool River and the metrics collectors share with gorm.
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.engine, err)
	}
	return nil
}

// Close releases the pool and, on SQLite, the lock that keeps other processes out.
func (db *DB) Close() error {
	err := db.sql.Close()
	if db.pool != nil {
		db.pool.Close()
	}
	if db.unlock != nil {
		err = errors.Join(err, db.unlock())
	}
	return err
}

// newGorm wraps an open *sql.DB; TranslateError turns unique violations into
// gorm.ErrDuplicatedKey on both dialects so translate can map them.
func newGorm(d gorm.Dialector) (*gorm.DB, error) {
	return gorm.Open(d, &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	})
}

// translate maps driver and gorm errors to surveys' sentinels at the package border.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %w", surveys.ErrNotFound, err)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", surveys.ErrDuplicate, err)
	}
	return err
}

// inTx runs fn in one transaction; an error from fn rolls everything back,
// including River jobs inserted with the same transaction.
func (db *DB) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return translate(db.gorm.WithContext(ctx).Transaction(fn))
}

// sqlTxOf digs the *sql.Tx River needs out of a gorm transaction.
func sqlTxOf(tx *gorm.DB) (*sql.Tx, error) {
	switch p := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		return p, nil
	case *gorm.PreparedStmtTX:
		if t, ok := p.Tx.(*sql.Tx); ok {
			return t, nil
		}
	}
	return nil, fmt.Errorf("storage: %T is not a *sql.Tx", tx.Statement.ConnPool)
}

// MaskURL hides the password of a database URL so it can be logged or printed.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "****")
	}
	return u.String()
}
