package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/vocbot/vocbot/config"
)

// configCommand is "vocbot config check": load the configuration exactly as
// serve would, and print it with secrets masked, or every problem found.
func configCommand(_ context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usagef("config: missing subcommand; run 'vocbot config check'")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(env.stdout, "Usage: vocbot config check [--config FILE]")
		fmt.Fprintln(env.stdout)
		fmt.Fprintln(env.stdout, "Subcommands:")
		fmt.Fprintln(env.stdout, "  check      validate the configuration and print it with secrets masked")
		return errHelp
	case "check":
		return configCheck(env, args[1:])
	default:
		return usagef("config: unknown subcommand %q; run 'vocbot config check'", args[0])
	}
}

func configCheck(env *environment, args []string) error {
	fs := newFlagSet(env, "config check", "",
		"Validate the VOCBOT_* environment and the YAML configuration file, then print the\n"+
			"configuration in effect (defaults filled in, secrets masked) and which features are on.\n"+
			"On a problem, print each one with the variable or file:line to fix and exit 1.")
	file := fs.String("config", "", "YAML configuration `file` (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("config check: unexpected argument %q; run 'vocbot config check --help'", fs.Arg(0))
	}
	var loadArgs []string
	var set bool
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "config" })
	if set {
		if *file == "" {
			return usagef("config check: --config needs a file path")
		}
		loadArgs = []string{"--config", *file}
	}
	cfg, err := config.Load(env.getenv, loadArgs)
	if errors.Is(err, config.ErrUsage) {
		return usagef("config check: %v", err)
	}
	if err != nil {
		return err
	}
	if err := cfg.WriteEffective(env.stdout); err != nil {
		return err
	}
	// Valid, but some posts cannot happen with these credentials: the same
	// lines serve logs as errors at start. A configuration checked on a
	// machine without the production secrets is still valid, hence exit 0.
	for _, m := range missingCredentials(cfg, platformList(env)) {
		fmt.Fprintln(env.stdout, "# error: "+m)
	}
	return nil
}
