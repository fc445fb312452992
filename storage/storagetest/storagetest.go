// Package storagetest gives tests real, private databases: a SQLite file in
// t.TempDir() always, and a fresh PostgreSQL schema when
// VOCBOT_TEST_POSTGRES_URL is set, so suites run the same cases on both
// engines and in parallel.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for schema set-up

	"github.com/vocbot/vocbot/storage"
)

// PostgresEnv names the variable that points tests at a PostgreSQL server.
const PostgresEnv = "VOCBOT_TEST_POSTGRES_URL"

// Engines lists the engines to test: SQLite always, PostgreSQL when configured.
func Engines() []storage.Engine {
	if os.Getenv(PostgresEnv) != "" {
		return []storage.Engine{storage.SQLite, storage.Postgres}
	}
	return []storage.Engine{storage.SQLite}
}

// Each runs f as a parallel subtest per engine with a private, migrated database.
func Each(t *testing.T, f func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			f(t, Open(t, e))
		})
	}
}

// Open returns a migrated database private to t, closed when t ends.
func Open(t testing.TB, e storage.Engine) *storage.DB {
	t.Helper()
	db := OpenUnmigrated(t, e)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return db
}

// OpenUnmigrated is Open without migrations, for tests of migration itself.
func OpenUnmigrated(t testing.TB, e storage.Engine) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), URL(t, e), storage.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// URL returns a database URL private to t: a new SQLite file, or a new
// PostgreSQL schema (dropped when t ends) selected through search_path.
func URL(t testing.TB, e storage.Engine) string {
	t.Helper()
	switch e {
	case storage.SQLite:
		return "sqlite://" + filepath.Join(t.TempDir(), "vocbot.db")
	case storage.Postgres:
		return postgresSchemaURL(t)
	}
	t.Fatalf("unknown engine %q", e)
	return ""
}

func postgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s not set: PostgreSQL tests skipped", PostgresEnv)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Configured but unreachable is a failure, not a skip: CI must not pass
	// by silently testing one engine.
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema on %s: %v", storage.MaskURL(base), err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Logf("drop test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
