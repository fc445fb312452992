package main

import (
	"context"
	"io"

	"github.com/vocbot/vocbot/demo"
)

func demoCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "demo", "", "An offline end-to-end tour with no tokens: an embedded SQLite database, in-process fake\n"+
		"Telegram, Slack and Discord, simulated customers in five languages answering surveys after\n"+
		"touchpoints, a detractor's alert handled to the end and her recovery survey answered, the next\n"+
		"morning's digest as it is posted, with its trend chart and close-the-loop section, and\n"+
		"ambassadors' commands. --serve then keeps the dashboard and the web answer page open, with a\n"+
		"sign-in link, until Ctrl-C.")
	keep := fs.String("keep", "", "keep the database and files in `DIR` (default: a temporary directory removed at the end)")
	serve := fs.Bool("serve", false, "after the tour, keep serving the dashboard and the web answer page until Ctrl-C")
	addr := env.getenv("VOCBOT_HTTP_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	fs.StringVar(&addr, "addr", addr, "with --serve, listen on `ADDR` (VOCBOT_HTTP_ADDR, if set, is the default)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments, got %q", fs.Args())
	}
	if _, err := demo.PublicURL(addr); *serve && err != nil {
		return usagef("demo: %v", err)
	}
	return demo.Run(ctx, demo.Options{Keep: *keep, Serve: *serve, Addr: addr, Out: env.stdout,
		Run: func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, onListen func(string)) error {
			return runEnv(ctx, args, &environment{getenv: getenv, stdout: stdout, stderr: stderr, onListen: onListen})
		}})
}
