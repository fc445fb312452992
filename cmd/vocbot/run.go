package main

import (
	"context"
	"fmt"
	"github.com/vocbot/vocbot/surveys"
	"io"
	"strings"
)

// command is one vocbot subcommand. run receives the arguments after its name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what every command gets from the process: the only wiring point.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// onListen, when set, learns serve's listen address (tests use port 0).
	onListen func(addr string)
	// platforms are added to the built-in platform list (tests register a
	// fake platform); one of the same name replaces the built-in one.
	platforms []platformEntry
	// clock, when set, is serve's clock for the Engine, delivery and
	// alerts (tests move time with it); nil is the system clock.
	clock surveys.Clock
}

// run is the whole program behind main: it parses args and runs one command.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, &environment{getenv: getenv, stdout: stdout, stderr: stderr})
}

// runEnv is run with the environment spelled out, so tests can add hooks.
func runEnv(ctx context.Context, args []string, env *environment) error {
	cmds := commands()
	if len(args) == 0 {
		args = []string{"serve"}
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" || name == "help" {
		printUsage(env.stdout, cmds)
		return errHelp
	}
	for _, c := range cmds {
		if c.name == name {
			return c.run(ctx, env, args[1:])
		}
	}
	if strings.HasPrefix(name, "-") {
		// No command but flags: they are serve's ("vocbot --config x.yaml").
		return serveCommand(ctx, env, args)
	}
	return usagef("unknown command %q; run 'vocbot --help' for the list", name)
}

func commands() []command {
	return []command{
		{name: "demo", summary: "an offline end-to-end tour with fake Telegram, Slack and Discord (no tokens needed)", run: demoCommand},
		{name: "config", summary: "validate the configuration and print it with secrets masked", run: configCommand},
		{name: "serve", summary: "run the HTTP server, platform adapters and job workers (the default)", run: serveCommand},
		{name: "migrate", summary: "apply database migrations; 'migrate status' lists them", run: migrateCommand},
		{name: "send", summary: "invite one customer to a survey now (same rules as the API)", run: sendCommand},
		{name: "import", summary: "bulk-import touchpoints from a .csv or .jsonl file", run: importCommand},
		{name: "export", summary: "stream responses or alerts to stdout as csv or jsonl", run: exportCommand},
		{name: "forget", summary: "erase a customer's personal data (scores kept, anonymised)", run: forgetCommand},
		{name: "audit", summary: "print the audit log of ambassador and operator actions", run: auditCommand},
		{name: "score", summary: "NPS/CSAT/CES calculator with intervals and change tests", run: scoreCommand},
		{name: "dashboard", summary: "'dashboard link' prints a one-time sign-in link to the web dashboard", run: dashboardCommand},
		{name: "digest", summary: "'digest preview' prints a digest from stored data, as it would be posted", run: digestCommand},
		{name: "version", summary: "print version, commit and Go version", run: versionCommand},
	}
}

func printUsage(w io.Writer, cmds []command) {
	fmt.Fprintln(w, "Usage: vocbot <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'vocbot <command> --help' for a command's flags.")
}
