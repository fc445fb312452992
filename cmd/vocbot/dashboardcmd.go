package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// dashboardMaxTTL bounds --ttl: a sign-in link is a credential in transit
// (a terminal, a chat, a ticket), so it should not outlive a working day.
const dashboardMaxTTL = 24 * time.Hour

func dashboardCommand(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "link" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(env.stdout, "Usage: vocbot dashboard link [--ttl 15m]")
			return errHelp
		}
		return usagef("dashboard: use 'vocbot dashboard link [--ttl 15m]'")
	}
	fs := newFlagSet(env, "dashboard link", "", "Print a one-time link that signs you in to the web dashboard (one URL on stdout).\n"+
		"The link works once, until it expires; the session it opens lasts 12 hours. Needs VOCBOT_PUBLIC_URL.")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	ttl := fs.Duration("ttl", 15*time.Minute, "how long the link stays valid, at most 24h")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("dashboard link takes only flags, got %q", fs.Args())
	}
	if *ttl <= 0 || *ttl > dashboardMaxTTL {
		return usagef("dashboard link: --ttl %s must be more than 0 and at most 24h, e.g. 15m", *ttl)
	}
	st, err := openStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if st.signin == nil {
		return errors.New("dashboard link: set VOCBOT_PUBLIC_URL to the address people reach vocbot at (e.g. https://vocbot.example.com); links start with it")
	}
	link, _, err := st.signin.SignInLink(ctx, "cli", *ttl)
	if err != nil {
		return fmt.Errorf("dashboard link: %w", err)
	}
	fmt.Fprintln(env.stdout, link)
	return nil
}
