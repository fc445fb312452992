//go:build !unix

package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// lockFile on systems without flock: an exclusively created file. A crash can
// leave it behind; the error then says which file to remove.
func lockFile(path string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("database %s is in use by another vocbot process (lock file %s); stop it first, or delete the lock file if no vocbot is running",
			strings.TrimSuffix(path, ".lock"), path)
	}
	if err != nil {
		return nil, fmt.Errorf("create lock file %s: %w", path, err)
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return func() error { return errors.Join(f.Close(), os.Remove(path)) }, nil
}
