package surveys

import "errors"

// Sentinel errors that adapters and stores translate their own failures into,
// so callers can decide without knowing which database or platform answered.
var (
	// ErrNotFound means the thing asked for does not exist (or no longer does).
	ErrNotFound = errors.New("not found")
	// ErrDuplicate means a unique fact was recorded already: the first write won.
	ErrDuplicate = errors.New("already exists")
)
