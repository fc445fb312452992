package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/vocbot/vocbot/storage"
)

func migrateCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "migrate", "[status]", "Apply pending database migrations (vocbot's and River's) and exit; safe to run again.\n'vocbot migrate status' lists every migration and whether it is applied.")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	status := false
	switch {
	case fs.NArg() == 0:
	case fs.NArg() == 1 && fs.Arg(0) == "status":
		status = true
	default:
		return usagef("migrate takes only 'status', got %q; run 'vocbot migrate --help'", fs.Args())
	}
	cfg, err := loadConfig(env, *cfgPath)
	if err != nil {
		return err
	}
	// status only reads, so it runs beside serve on the same SQLite file;
	// on a file that does not exist yet it creates it, as migrate would.
	opts := storage.Options{Logger: newLogger(cfg.Log, env.stderr), ReadOnly: status}
	db, err := storage.Open(ctx, cfg.DatabaseURL, opts)
	if errors.Is(err, storage.ErrNoDatabase) {
		opts.ReadOnly = false
		db, err = storage.Open(ctx, cfg.DatabaseURL, opts)
	}
	if err != nil {
		return err
	}
	defer db.Close()

	if status {
		ms, err := db.Migrations(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tNAME")
		for _, m := range ms {
			state, at := "pending", "-"
			if m.Applied {
				state, at = "applied", m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.Version, state, at, m.Name)
		}
		return tw.Flush()
	}

	res, err := db.Migrate(ctx)
	for _, r := range res {
		fmt.Fprintf(env.stdout, "applied %d %s (%s)\n", r.Version, r.Name, r.Duration.Round(1e6))
	}
	if err != nil {
		return err
	}
	if len(res) == 0 {
		fmt.Fprintf(env.stdout, "%s: schema is up to date\n", db)
	}
	return nil
}
