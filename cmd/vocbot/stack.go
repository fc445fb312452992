package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// stack is the database, job queue and Engine that the one-shot commands
// (send, import) share with serve. Jobs they enqueue are worked by serve.
type stack struct {
	cfg    *config.Config
	log    *slog.Logger
	db     *storage.DB
	store  *storage.Store
	engine *surveys.Engine
	signin *web.SignIn // nil without VOCBOT_PUBLIC_URL
}

// openStack loads the configuration, opens and migrates the database and
// builds the Engine. Close it when done.
func openStack(ctx context.Context, env *environment, cfgPath string) (*stack, error) {
	return openStackFor(ctx, env, cfgPath, false)
}

// openReadStack is openStack for commands that only read (export, digest
// preview, audit): it opens the database read-only and does not migrate, so
// on SQLite it runs beside a serve that holds the file.
func openReadStack(ctx context.Context, env *environment, cfgPath string) (*stack, error) {
	return openStackFor(ctx, env, cfgPath, true)
}

func openStackFor(ctx context.Context, env *environment, cfgPath string, readOnly bool) (*stack, error) {
	cfg, err := loadConfig(env, cfgPath)
	if err != nil {
		return nil, err
	}
	log := newLogger(cfg.Log, env.stderr)
	db, err := storage.Open(ctx, cfg.DatabaseURL, storage.Options{Logger: log, ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	if readOnly {
		current, err := db.SchemaCurrent(ctx)
		if err == nil && !current {
			err = fmt.Errorf("the database schema is behind this vocbot (or the database is empty): run 'vocbot migrate' first")
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	} else if err := migrate(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	// No senders here: delivery jobs wait for 'vocbot serve'.
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		db.Close()
		return nil, err
	}
	store := storage.NewStore(db, jobs)
	engine := surveys.NewEngine(surveySettings(cfg, configuredPlatforms(cfg, platformList(env))), store, nil)
	_, signin, err := webFace(ctx, cfg, engine, store, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &stack{cfg: cfg, log: log, db: db, store: store, engine: engine, signin: signin}, nil
}

func (s *stack) Close() error { return s.db.Close() }

// configuredPlatforms are the platforms with credentials: serve delivers on them.
func configuredPlatforms(cfg *config.Config, entries []platformEntry) []surveys.Platform {
	var out []surveys.Platform
	for _, e := range entries {
		if e.configured(cfg) {
			out = append(out, e.name)
		}
	}
	return out
}
