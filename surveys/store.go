package surveys

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Errors of ingestion that callers map to HTTP answers.
var (
	// ErrIdempotencyKeyReused: the Idempotency-Key or the touchpoint id was
	// used before with a different request body.
	ErrIdempotencyKeyReused = errors.New("idempotency key reused with a different request")
	// ErrInProgress: a request with the same Idempotency-Key is still being processed.
	ErrInProgress = errors.New("a request with this idempotency key is still in progress")
)

// Ingestion is one touchpoint to record, with what makes a retry of the
// same request recognizable.
type Ingestion struct {
	Touchpoint Touchpoint
	// RequestHash identifies the request's content (e.g. SHA-256 of the
	// canonical body); the same key or id with another hash is a reuse.
	RequestHash string
	// IdempotencyKey is the client's Idempotency-Key, scoped to
	// Touchpoint.Source; "" when none was sent.
	IdempotencyKey string
}

// BatchKey makes a whole batch request idempotent, as an Idempotency-Key
// does one touchpoint: Key is the request's key (Standard Webhooks'
// webhook-id), RequestHash identifies its whole body. The same Key with
// another hash is ErrIdempotencyKeyReused; with the same hash, every item
// replays its first result. The zero BatchKey leaves idempotency to the
// items' own ids.
type BatchKey struct {
	Key         string
	RequestHash string
}

// ItemKey is the idempotency key of a keyed batch's i-th item, so an item
// without an id is still recognized when the batch is replayed.
func (k BatchKey) ItemKey(i int) string {
	if k.Key == "" {
		return ""
	}
	return k.Key + "#" + strconv.Itoa(i)
}

// Ingested is the stored outcome of one ingestion.
type Ingested struct {
	Invitation Invitation
	// Replayed is true when this is an earlier identical request's result.
	Replayed bool
}

// DecideFunc decides a touchpoint from the customer's state; the store
// calls it inside the transaction that holds the customer's lock.
type DecideFunc func(t Touchpoint, st CustomerState) Decision

// Store is what the Engine needs from storage.
type Store interface {
	// Ingest records the touchpoint, the customer (created or updated, given
	// identities linked), the invitation or skip record, and the delivery job
	// in one transaction, deciding with decide under the customer's lock. A
	// retry (same source and external id, or same idempotency key, same
	// hash) returns the original result with Replayed set.
	Ingest(ctx context.Context, in Ingestion, decide DecideFunc) (Ingested, error)
	// IngestBatch does the same for many touchpoints in few transactions;
	// results and errors are in input order. A non-zero key is checked and
	// recorded in the same transaction (see BatchKey); the caller gives
	// items without an id their ItemKey.
	IngestBatch(ctx context.Context, key BatchKey, ins []Ingestion, decide DecideFunc) ([]Ingested, []error, error)
	// CreateLinkToken issues a one-time token that links a chat to the
	// customer when presented (Telegram /start <token>).
	CreateLinkToken(ctx context.Context, customerExternalID string, ttl time.Duration) (token string, expiresAt time.Time, err error)
	// RedeemLinkToken links addr to the token's customer and spends the token.
	RedeemLinkToken(ctx context.Context, token string, addr Address) (customerExternalID string, err error)
}
