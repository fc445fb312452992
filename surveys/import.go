package surveys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ImportSource marks imported touchpoints: re-importing the same file finds
// every row with an id already there and adds nothing.
const ImportSource = "import"

// importBatch is how many rows go to the store per transaction.
const importBatch = 500

// ImportRow is one parsed row of an import file: the touchpoint, or why the
// row cannot be one (Err), with its line number for the message.
type ImportRow struct {
	Line int
	In   Ingestion
	Err  error
}

// ImportSummary counts what an import did.
type ImportSummary struct {
	Read, Scheduled, Replayed, Invalid, Failed int
	Skipped                                    map[SkipReason]int
}

// ImportReport is told about rows as an import goes: a row not imported
// (RowError, with its line), the web link of an invitation nobody else will
// see (WebLink: the importer's to hand on), and the summary after each
// stored batch (Progress). Any may be nil.
type ImportReport struct {
	RowError func(line int, err error)
	WebLink  func(line int, customerID, url string)
	Progress func(ImportSummary)
}

// Import ingests the rows next returns (until io.EOF) in batches, with the
// same rules as the API. Invalid rows are reported and skipped; valid rows
// are kept. It stops early only when next or the store fails.
func (e *Engine) Import(ctx context.Context, next func() (ImportRow, error), rep ImportReport) (ImportSummary, error) {
	sum := ImportSummary{Skipped: map[SkipReason]int{}}
	rowError := func(line int, err error) {
		if rep.RowError != nil {
			rep.RowError(line, err)
		}
	}
	batch := make([]ImportRow, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ins := make([]Ingestion, len(batch))
		for i, r := range batch {
			ins[i] = r.In
		}
		res, errs, err := e.IngestBatch(ctx, ins)
		if err != nil {
			return fmt.Errorf("store rows %d–%d: %w", batch[0].Line, batch[len(batch)-1].Line, err)
		}
		for i, r := range batch {
			switch {
			case errs[i] != nil:
				var ve *ValidationError
				if errors.As(errs[i], &ve) {
					sum.Invalid++
				} else {
					sum.Failed++
				}
				rowError(r.Line, errs[i])
			case res[i].Replayed:
				sum.Replayed++
			case res[i].Invitation.Status == Skipped:
				sum.Skipped[res[i].Invitation.SkipReason]++
			default:
				sum.Scheduled++
				if inv := res[i].Invitation; inv.WebURL != "" && rep.WebLink != nil {
					rep.WebLink(r.Line, inv.CustomerID, inv.WebURL)
				}
			}
		}
		batch = batch[:0]
		if rep.Progress != nil {
			rep.Progress(sum)
		}
		return nil
	}
	for {
		row, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, err
		}
		sum.Read++
		if row.Err != nil {
			sum.Invalid++
			rowError(row.Line, row.Err)
			continue
		}
		row.In.Touchpoint.Source = ImportSource
		batch = append(batch, row)
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	return sum, flush()
}

// SkippedTotal is the number of rows skipped for any reason.
func (s ImportSummary) SkippedTotal() int {
	n := 0
	for _, v := range s.Skipped {
		n += v
	}
	return n
}

// String is the summary printed at the end of an import.
func (s ImportSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows: %d scheduled, %d skipped, %d already imported, %d invalid", s.Read, s.Scheduled, s.SkippedTotal(), s.Replayed, s.Invalid)
	if s.Failed > 0 {
		fmt.Fprintf(&b, ", %d failed", s.Failed)
	}
	if len(s.Skipped) > 0 {
		reasons := make([]string, 0, len(s.Skipped))
		for r, n := range s.Skipped {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(reasons)
		fmt.Fprintf(&b, " (skipped: %s)", strings.Join(reasons, ", "))
	}
	return b.String()
}
