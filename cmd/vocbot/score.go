package main

import (
	"context"
	"errors"

	"github.com/vocbot/vocbot/scoring/calc"
)

// scoreCommand runs "vocbot score <subcommand> [flags]": the calculator in
// scoring/calc, with its errors mapped to vocbot's exit codes.
func scoreCommand(_ context.Context, env *environment, args []string) error {
	err := calc.Run(args, env.stdout)
	var u *calc.UsageError
	switch {
	case errors.Is(err, calc.ErrHelp):
		return errHelp
	case errors.As(err, &u):
		return &usageError{msg: u.Error()}
	}
	return err
}
