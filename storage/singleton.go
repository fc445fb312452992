package storage

import (
	"context"
	"fmt"
)

// TryExclusive tries to become the one process that runs name (Telegram
// long polling, the Discord gateway: platforms that allow one consumer per
// token). On PostgreSQL it takes a session advisory lock on a dedicated
// connection, held until release or until the connection dies with the
// process; on SQLite the lock file already makes this the only process.
func (db *DB) TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error) {
	if db.engine != Postgres {
		return func() {}, true, nil
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("exclusive %s: %w", name, err)
	}
	// Advisory locks are per database: the schema is part of the key so two
	// deployments (or test schemas) in one database do not exclude each other.
	var key int64
	if err := conn.QueryRowContext(ctx, `SELECT hashtextextended(current_schema() || '/vocbot/exclusive/' || $1, 0)`, name).Scan(&key); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("exclusive %s: %w", name, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("exclusive %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}, true, nil
}
