package surveys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Clock tells the time; tests fix it.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Engine is where vocbot decides: which touchpoints become surveys, and
// what a conversation does next (Handle). Adapters and the HTTP API call it;
// it calls the Store it is given.
type Engine struct {
	settings *Settings
	store    Store
	clock    Clock

	mu      sync.RWMutex        // guards senders, log and links (SetSenders, SetLogger, SetWebLinks)
	senders map[Platform]Sender // replies in conversations, by platform
	log     *slog.Logger
	links   WebLinks
}

// NewEngine builds an Engine on the workspace's settings.
func NewEngine(settings *Settings, store Store, clock Clock) *Engine {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Engine{settings: settings, store: store, clock: clock}
}

// Settings are the rules the Engine applies.
func (e *Engine) Settings() *Settings { return e.settings }

// Ingest validates one touchpoint, then records it and its decision. The
// error is a *ValidationError for bad input, ErrIdempotencyKeyReused or
// ErrInProgress for conflicting retries, or a storage failure.
func (e *Engine) Ingest(ctx context.Context, in Ingestion) (Ingested, error) {
	now := e.clock.Now()
	if err := e.settings.Validate(&in.Touchpoint, now); err != nil {
		return Ingested{}, err
	}
	res, err := e.store.Ingest(ctx, in, e.decider(now))
	if err != nil {
		return Ingested{}, fmt.Errorf("ingest touchpoint: %w", err)
	}
	res.Invitation = e.withWebURL(res.Invitation)
	return res, nil
}

// IngestBatch is Ingest for many touchpoints: invalid ones get their
// *ValidationError in errs and the valid ones are stored.
func (e *Engine) IngestBatch(ctx context.Context, ins []Ingestion) ([]Ingested, []error, error) {
	return e.IngestKeyedBatch(ctx, BatchKey{}, ins)
}

// IngestKeyedBatch is IngestBatch for a request that carries its own
// idempotency key: a replay of the request (same key, same body) replays
// every item, items without an id included; the same key with another body
// fails whole with ErrIdempotencyKeyReused. Items with an id are
// recognized by it as always (and stay on the set-based path); items
// without one get the key's ItemKey.
func (e *Engine) IngestKeyedBatch(ctx context.Context, key BatchKey, ins []Ingestion) ([]Ingested, []error, error) {
	if key.Key != "" {
		for i := range ins {
			if ins[i].Touchpoint.ExternalID == "" {
				ins[i].IdempotencyKey = key.ItemKey(i)
			}
		}
	}
	now := e.clock.Now()
	out := make([]Ingested, len(ins))
	errs := make([]error, len(ins))
	valid := make([]Ingestion, 0, len(ins))
	index := make([]int, 0, len(ins))
	for i := range ins {
		if err := e.settings.Validate(&ins[i].Touchpoint, now); err != nil {
			errs[i] = err
			continue
		}
		valid = append(valid, ins[i])
		index = append(index, i)
	}
	if len(valid) == 0 {
		return out, errs, nil
	}
	res, itemErrs, err := e.store.IngestBatch(ctx, key, valid, e.decider(now))
	if err != nil {
		return nil, nil, fmt.Errorf("ingest batch: %w", err)
	}
	if len(res) != len(valid) || len(itemErrs) != len(valid) {
		return nil, nil, errors.New("ingest batch: store returned results out of step with the input")
	}
	for j, i := range index {
		out[i], errs[i] = res[j], itemErrs[j]
		out[i].Invitation = e.withWebURL(out[i].Invitation)
	}
	return out, errs, nil
}

func (e *Engine) decider(now time.Time) DecideFunc {
	return func(t Touchpoint, st CustomerState) Decision { return e.settings.Decide(t, st, now) }
}
