package storage

import (
	"context"

	"github.com/vocbot/vocbot/surveys"
)

// IngestTogether stores ins as one group, the way concurrent Ingest calls
// that met in the queue are stored: one transaction, each its own result.
func (s *Store) IngestTogether(ctx context.Context, ins []surveys.Ingestion, decide surveys.DecideFunc) ([]surveys.Ingested, []error) {
	calls := make([]*ingestCall, len(ins))
	for i, in := range ins {
		calls[i] = &ingestCall{ctx: ctx, in: in, decide: decide}
	}
	s.flushGroup(calls)
	out := make([]surveys.Ingested, len(ins))
	errs := make([]error, len(ins))
	for i, c := range calls {
		out[i], errs[i] = c.out, c.err
	}
	return out, errs
}

// IngestAlone stores in in its own transaction, as a call that finds a free
// flusher and no one waiting does.
func (s *Store) IngestAlone(ctx context.Context, in surveys.Ingestion, decide surveys.DecideFunc) (surveys.Ingested, error) {
	return s.ingestAlone(ctx, in, decide)
}
