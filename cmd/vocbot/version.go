package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func versionCommand(_ context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "version", "", "Print vocbot's version, the commit it was built from and the Go version.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	commit, modified := "unknown", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	_, err := fmt.Fprintf(env.stdout, "vocbot %s\ncommit %s%s\n%s %s/%s\n", version, commit, modified, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}

// newFlagSet returns a flag set whose --help prints usage to stdout and whose
// errors are returned, not printed and exited on.
func newFlagSet(env *environment, name, argsUsage, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(env.stdout, "Usage: vocbot %s\n\n%s\n", strings.TrimSpace(name+" [flags] "+argsUsage), description)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(env.stdout, "\nFlags:")
			fs.SetOutput(env.stdout)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on every error; we print only on --help
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return errHelp
	}
	if err != nil {
		return usagef("%s: %v; run 'vocbot %s --help'", fs.Name(), err, fs.Name())
	}
	return nil
}
