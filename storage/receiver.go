package storage

import (
	"context"
	"log/slog"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// RunReceiver runs r while holding the database's exclusive lock
// "receiver-"+r.Name, until ctx ends: a platform that allows one consumer
// per token (a second Telegram poller gets 409s) is received by one replica
// while the others stand by, and one of them takes over when it stops.
func (db *DB) RunReceiver(ctx context.Context, r surveys.Receiver, in surveys.Inbox, log *slog.Logger) {
	waiting := false
	for ctx.Err() == nil {
		release, ok, err := db.TryExclusive(ctx, "receiver-"+r.Name)
		switch {
		case err != nil:
			log.Warn("cannot take the receiver's lock; retrying", "err", err)
		case !ok:
			if !waiting {
				log.Info("another replica runs this receiver; standing by")
				waiting = true
			}
		default:
			waiting = false
			log.Info("receiving")
			err := r.Run(ctx, in)
			release()
			if ctx.Err() != nil {
				return
			}
			log.Warn("receiver stopped; restarting", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}
