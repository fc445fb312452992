package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrations embed.FS

// riverStep is one goose Go migration that brings River's own schema to
// Target. A River upgrade appends a step with the new target under the next
// free goose version; steps already applied never change, so a database
// migrated by an older vocbot moves forward from where it stopped.
type riverStep struct {
	Version int64 // goose version; SQL files use the other numbers
	Target  int   // River schema version after this step
}

// riverSteps: v6 came with River v0.34.0; v8 (notification outbox, SQLite
// JSONB columns, never-reused SQLite job ids) with River v0.51.2.
var riverSteps = []riverStep{
	{Version: 2, Target: 6},
	{Version: 9, Target: 8},
}

// Migration is one schema step and whether it has been applied.
type Migration struct {
	Version   int64
	Name      string // file name, or "river schema vN" for River's steps
	Applied   bool
	AppliedAt time.Time // zero when pending
}

// MigrationResult is one step that Migrate just applied.
type MigrationResult struct {
	Version  int64
	Name     string
	Duration time.Duration
}

// provider builds the goose provider for this database. On PostgreSQL a
// session advisory lock lets many replicas start at once: one migrates, the
// others wait and then find nothing to do. SQLite has one process by design.
func (db *DB) provider() (*goose.Provider, error) {
	var (
		dialect goose.Dialect
		dir     string
		riverUp func(target int) func(context.Context, *sql.DB) error
		opts    = []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithSlog(db.logger)}
	)
	switch db.engine {
	case Postgres:
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
		riverUp = func(target int) func(context.Context, *sql.DB) error {
			return migrateRiver(riverdatabasesql.New(db.sql), target)
		}
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case SQLite:
		dialect, dir = goose.DialectSQLite3, "migrations/sqlite"
		riverUp = func(target int) func(context.Context, *sql.DB) error {
			return migrateRiver(riversqlite.New(db.sql), target)
		}
	default:
		return nil, fmt.Errorf("no migrations for engine %q", db.engine)
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	// River's schema runs outside a transaction (RunDB): some of its steps
	// cannot share one (River deprecated MigrateTx for that reason); River
	// runs each of its own versions in a transaction of its own.
	for _, st := range riverSteps {
		opts = append(opts, goose.WithGoMigrations(goose.NewGoMigration(st.Version, &goose.GoFunc{RunDB: riverUp(st.Target)}, nil)))
	}
	return goose.NewProvider(dialect, db.sql, sub, opts...)
}

func migrateRiver[TTx any](d riverdriver.Driver[TTx], target int) func(context.Context, *sql.DB) error {
	return func(ctx context.Context, _ *sql.DB) error {
		m, err := rivermigrate.New(d, nil)
		if err != nil {
			return err
		}
		// A target already reached does nothing (River ≥ v0.48 no longer
		// runs later versions then), so each step moves exactly to its own.
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: target})
		return err
	}
}

// Migrate applies every pending migration, ours and River's, in order. It is
// idempotent: a second call applies nothing and returns no results.
func (db *DB) Migrate(ctx context.Context) ([]MigrationResult, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	if db.engine == SQLite {
		// goose keeps one connection while River's step migrates through the
		// *sql.DB; with SQLite's single connection that would wait for itself.
		// goose's connection holds no transaction during that step, so a
		// second one is safe, and workers have not started yet.
		db.sql.SetMaxOpenConns(2)
		defer db.sql.SetMaxOpenConns(1)
	}
	res, err := p.Up(ctx)
	out := make([]MigrationResult, 0, len(res))
	for _, r := range res {
		if r.Error == nil {
			out = append(out, MigrationResult{Version: r.Source.Version, Name: sourceName(r.Source), Duration: r.Duration})
		}
	}
	if err != nil {
		var partial *goose.PartialError
		if errors.As(err, &partial) && partial.Failed != nil {
			return out, fmt.Errorf("migration %s failed: %w", sourceName(partial.Failed.Source), partial.Err)
		}
		return out, fmt.Errorf("migrate %s: %w", db.engine, err)
	}
	return out, nil
}

// Migrations lists every known migration and whether it is applied.
func (db *DB) Migrations(ctx context.Context) ([]Migration, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	if exists, err := db.versionTableExists(ctx); err != nil {
		return nil, err
	} else if !exists {
		// Nothing applied yet; goose's Status would create its table,
		// which a read-only database cannot.
		var out []Migration
		for _, src := range p.ListSources() {
			out = append(out, Migration{Version: src.Version, Name: sourceName(src)})
		}
		return out, nil
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]Migration, 0, len(st))
	for _, s := range st {
		out = append(out, Migration{
			Version:   s.Source.Version,
			Name:      sourceName(s.Source),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// versionTableExists reports whether goose has recorded any migration.
func (db *DB) versionTableExists(ctx context.Context) (bool, error) {
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`
	if db.engine == Postgres {
		exists = `SELECT count(*) FROM (SELECT to_regclass('goose_db_version') AS t) r WHERE t IS NOT NULL`
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	return n > 0, nil
}

// SchemaCurrent reports whether every migration this binary knows is applied:
// /readyz fails until it is, so a replica never serves on an old schema. It
// only reads (goose's own check would create its table), and once the schema
// is current it stays so for this binary, so the answer is cached.
func (db *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	if db.schemaCurrent.Load() {
		return true, nil
	}
	p, err := db.provider()
	if err != nil {
		return false, err
	}
	if exists, err := db.versionTableExists(ctx); err != nil || !exists {
		return false, err
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT version_id FROM goose_db_version WHERE is_applied`)
	if err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return false, fmt.Errorf("check migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	for _, src := range p.ListSources() {
		if !applied[src.Version] {
			return false, nil
		}
	}
	db.schemaCurrent.Store(true)
	return true, nil
}

func sourceName(s *goose.Source) string {
	if s.Type == goose.TypeGo {
		for _, st := range riverSteps {
			if st.Version == s.Version {
				return fmt.Sprintf("river schema v%d", st.Target)
			}
		}
	}
	return s.Path
}

// migrateUpTo applies migrations up to version only: what an older vocbot
// left behind, for upgrade tests.
func (db *DB) migrateUpTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if db.engine == SQLite {
		db.sql.SetMaxOpenConns(2)
		defer db.sql.SetMaxOpenConns(1)
	}
	_, err = p.UpTo(ctx, version)
	return err
}
