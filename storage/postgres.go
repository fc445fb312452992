package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
)

// defaultMaxConns covers HTTP handlers, River's workers, its leader and
// notifier, and migrations (too small a pool shows up as leader-election
// deadline errors).
const defaultMaxConns = 20

// openPostgres builds one pgx pool and hands it to both gorm and River
// through database/sql, so a gorm transaction is also River's transaction.
func openPostgres(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	masked := MaskURL(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database URL %s: %v", masked, err)
	}
	if !strings.Contains(rawURL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
		if opts.MaxConns > 0 {
			cfg.MaxConns = opts.MaxConns
		}
	}
	if opts.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if opts.OnStatement != nil {
		cfg.ConnConfig.Tracer = pgxCounter{count: opts.OnStatement}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", masked, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w (is PostgreSQL running and the URL right?)", masked, err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	gdb, err := newGorm(postgres.New(postgres.Config{Conn: sqlDB}))
	if err != nil {
		_ = sqlDB.Close()
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", masked, err)
	}
	return &DB{engine: Postgres, where: masked, gorm: gdb, sql: sqlDB, pool: pool, logger: opts.Logger, readOnly: opts.ReadOnly}, nil
}
