// Command vocbot collects micro-surveys in chat apps (Telegram, Slack, Discord)
// after customer touchpoints and tells the company what customers said.
//
// main only wires the process to run: signals cancel the context, and the
// returned error decides the exit code (0 ok, 1 failure, 2 bad usage).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err as one line on stderr and maps it to the documented exit code (1 failure, 2 bad usage).
func exitCode(err error, stderr *os.File) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "vocbot: "+err.Error())
	var u *usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}
