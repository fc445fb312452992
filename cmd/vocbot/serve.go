package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// Shutdown budget: SIGTERM to exit within 10 s (Kubernetes' default grace
// period is 30 s; we stay well inside it).
const (
	httpShutdownTimeout = 3 * time.Second
	jobsShutdownTimeout = 5 * time.Second
)

func serveCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "", "Run everything: the HTTP server, the platform adapters that have credentials, the job workers.\nApplies database migrations first unless --no-migrate.")
	noMigrate := fs.Bool("no-migrate", false, "do not apply migrations at start (/readyz stays 503 until the schema is current)")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, env.stderr)

	db, err := storage.Open(ctx, cfg.DatabaseURL, storage.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database open", "database", db.String())
	if !*noMigrate {
		if err := migrate(ctx, db, log); err != nil {
			return err
		}
	}

	entries := platformList(env)
	bots, err := startAdapters(ctx, cfg, entries, log)
	if err != nil {
		return err
	}
	for _, m := range missingCredentials(cfg, entries) {
		log.Error(m)
	}
	// Platforms whose adapter is running deliver; the others cannot, and
	// the Engine records their customers as unreachable with the reason.
	senders := capable[surveys.Sender](bots)
	settings := surveySettings(cfg, slices.Collect(maps.Keys(senders)))
	links := &lateWebLinks{}
	fallback, err := webLinkFallback(cfg, settings, links)
	if err != nil {
		return err
	}
	jobs, err := storage.NewJobs(db, storage.JobsConfig{
		ShutdownTimeout: jobsShutdownTimeout,
		Delivery: storage.Delivery{
			Senders: senders,
			Rates:   bots.limits(),
			Prompt:  settings.ScorePrompt,
			Reminders: storage.Reminders{
				After: func(id string) time.Duration {
					sv, _ := settings.Survey(id)
					return sv.ReminderAfter
				},
				Prompt: settings.ReminderPrompt,
			},
			WebLink: fallback,
			Logger:  log,
			Now:     clockNow(env.clock),
		},
		Digests: digestJobs(cfg, settings, capable[surveys.DigestPoster](bots), log),
		Alerts: storage.Alerts{
			Targets: alertTargets(cfg),
			Posters: capable[surveys.AlertPoster](bots),
			Locale:  cfg.DefaultLocale,
			Policy:  settings.AlertPolicy,
			Title:   settings.Title,
			Logger:  log,
			Now:     clockNow(env.clock),
		},
	})
	if err != nil {
		return err
	}
	store := storage.NewStore(db, jobs)
	engine := surveys.NewEngine(settings, store, env.clock)
	engine.SetSenders(senders)
	engine.SetLogger(log)
	answers, signin, err := webFace(ctx, cfg, engine, store, log)
	if err != nil {
		return err
	}
	links.set(answers) // before the job workers start
	desk := surveys.NewAmbassadorDesk(engine, store, store, surveys.AmbassadorConfig{
		Ambassadors: ambassadors(cfg),
		TelegramBot: deepLinkBot(bots),
		Digests:     digestSpecs(cfg),
		Thresholds:  digestThresholds(cfg),
		Log:         log,
		Dashboard:   dashboardLinks(signin),
	})
	defer func() {
		if err := jobs.Stop(context.Background()); err != nil {
			log.Error("stop job workers", "err", err)
		}
	}()

	if cfg.Product == "" {
		log.Warn("no product name: survey questions read \"recommend  to a friend\"; set product: in vocbot.yaml")
	}
	for _, f := range cfg.Features() {
		log.Info("feature", "name", f.Name, "on", f.On, "why", f.Why)
	}

	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set VOCBOT_HTTP_ADDR to a free address)", cfg.HTTP.Addr, err)
	}
	srv := newServer(db, jobs)
	srv.serve(web.New(engine, store, web.Config{Tokens: cfg.HTTP.APITokens, WebhookKey: cfg.HTTP.WebhookKey,
		LinkBot: deepLinkBot(bots), ENPS: digestThresholds(cfg).ENPS, Health: srv, Sessions: dashboardSessions(signin), Logger: log}))
	alerts := surveys.NewAlertDesk(engine, store, capable[surveys.AlertPoster](bots), log)
	// Where every platform delivers: answers to the Engine, alert buttons to
	// the alert desk, /survey commands to one router for alerts and ambassadors.
	inbox := surveys.NewInbox(engine, alerts, desk)
	srv.inbound = func(mux *http.ServeMux) {
		bots.mount(mux, inbox)
		if answers != nil {
			answers.Mount(mux)
			signin.Mount(mux)
		}
	}
	hs := &http.Server{
		Handler:           srv.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	if env.onListen != nil {
		env.onListen(ln.Addr().String())
	}

	defer bots.receive(ctx, db, inbox, log)()

	workers := make(chan error, 1)
	go func() { workers <- startWhenSchemaCurrent(ctx, db, jobs, log) }()

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case err := <-workers:
		if err != nil {
			return err
		}
		<-ctx.Done()
	case <-ctx.Done():
	}
	log.Info("shutting down")
	srv.stopping.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("http shutdown cut short", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http server", "err", err)
	}
	return nil
}

// loadConfig loads configuration from the environment and an optional --config path.
func loadConfig(env *environment, path string) (*config.Config, error) {
	var args []string
	if path != "" {
		args = []string{"--config", path}
	}
	cfg, err := config.Load(env.getenv, args)
	if err != nil {
		return nil, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, nil
}

func migrate(ctx context.Context, db *storage.DB, log *slog.Logger) error {
	res, err := db.Migrate(ctx)
	for _, r := range res {
		log.Info("migration applied", "version", r.Version, "name", r.Name, "duration", r.Duration.String())
	}
	if err != nil {
		return fmt.Errorf("%w (the database is unchanged past the last applied step)", err)
	}
	return nil
}

// startWhenSchemaCurrent starts the job workers once the schema is the one
// this binary expects. With --no-migrate another process (a deploy job, a
// newer replica) migrates; meanwhile HTTP serves and /readyz says why it is 503.
func startWhenSchemaCurrent(ctx context.Context, db *storage.DB, jobs *storage.Jobs, log *slog.Logger) error {
	warned := false
	for {
		current, err := db.SchemaCurrent(ctx)
		if err == nil && current {
			return jobs.Start(ctx)
		}
		if !warned {
			log.Warn("database schema is behind this binary; waiting for 'vocbot migrate' before starting workers", "err", err)
			warned = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
}

// clockNow is c's Now, or nil (the system clock) without one.
func clockNow(c surveys.Clock) func() time.Time {
	if c == nil {
		return nil
	}
	return c.Now
}
