package harness

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/glebarez/sqlite" // database/sql driver "sqlite", to read SQLite files
	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Engine names a database engine in the result table.
type Engine string

// The engines vocbot runs on.
const (
	Postgres Engine = "postgres"
	SQLite   Engine = "sqlite"
)

// Database is a fresh database for one scenario.
type Database struct {
	Engine Engine
	URL    string // VOCBOT_DATABASE_URL

	admin string // Postgres: the server URL used to create and drop it
	name  string
	path  string // SQLite: the file
}

// NewPostgres creates a fresh database on the server at adminURL (any
// database there; trust or password auth in the URL) and returns its URL.
// password, if not empty, is put into the returned URL (a server with
// trust auth ignores it): suites look for it in logs to catch leaks.
func NewPostgres(ctx context.Context, adminURL, name, password string) (*Database, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w (start it, or set BENCH_POSTGRES_URL)", redactURL(adminURL), err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return nil, fmt.Errorf("drop old database %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	if password != "" {
		u.User = url.UserPassword(u.User.Username(), password)
	}
	return &Database{Engine: Postgres, URL: u.String(), admin: adminURL, name: name}, nil
}

// NewSQLite returns a database file in dir.
func NewSQLite(dir, name string) *Database {
	path := filepath.Join(dir, name+".db")
	return &Database{Engine: SQLite, URL: "sqlite://" + path, path: path}
}

// Drop removes a Postgres database (SQLite files go with their directory).
func (d *Database) Drop(ctx context.Context) error {
	if d.Engine != Postgres {
		return nil
	}
	conn, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.name}.Sanitize()+" WITH (FORCE)")
	return err
}

// Open opens the database for reading with database/sql.
func (d *Database) Open() (*sql.DB, error) {
	if d.Engine == Postgres {
		return sql.Open("pgx", d.URL)
	}
	return sql.Open("sqlite", "file:"+d.path+"?_pragma=busy_timeout(10000)&mode=ro")
}

// Dump is every row of every table as text, one line per row: to look for
// what must never be stored (secrets, rejected input).
func (d *Database) Dump(ctx context.Context) (string, error) {
	db, err := d.Open()
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	list := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if d.Engine == Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	tables, err := strings1(ctx, db, list)
	if err != nil {
		return "", fmt.Errorf("list tables: %w", err)
	}
	var out strings.Builder
	for _, t := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+t+`"`)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", t, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			out.WriteString(t + ":")
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(&out, " %v", v)
			}
			out.WriteByte('\n')
		}
		rows.Close()
	}
	return out.String(), nil
}

// Count runs a SELECT count(*)-like query returning one integer.
func (d *Database) Count(ctx context.Context, query string, args ...any) (int, error) {
	db, err := d.Open()
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

func strings1(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// redactURL hides a password in a database URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Pairs runs a query returning two text columns and maps the first to the
// second (e.g. an invitation's chat to its status).
func (d *Database) Pairs(ctx context.Context, query string, args ...any) (map[string]string, error) {
	db, err := d.Open()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}
