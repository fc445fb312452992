package main

import (
	"errors"
	"fmt"
)

// usageError marks a command line the user must correct; it exits with code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef builds a usageError. The message should say what to type instead.
func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// errHelp is returned after --help was printed: exit code 0, nothing on stderr.
var errHelp = errors.New("help requested")

// isUsage reports whether err is a command line the user must correct.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}
