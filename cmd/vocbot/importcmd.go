package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// importSource marks imported touchpoints: re-importing the same file finds
// every row with an id already there and adds nothing.
const importSource = "import"

// importBatch is how many rows go to the store per transaction.
const importBatch = 500

// importRow is one parsed line of the import file.
type importRow struct {
	line int
	in   surveys.Ingestion
	err  error
}

// importSummary counts what an import did.
type importSummary struct {
	read, scheduled, replayed, invalid, failed int
	skipped                                    map[surveys.SkipReason]int
}

// csvColumns are the CSV header names; attribute columns are "attr.<name>".
var csvColumns = []string{"id", "type", "occurred_at", "survey", "customer_id", "customer_name",
	"customer_locale", "customer_timezone", "telegram_chat_id", "slack_user_id", "discord_user_id"}

// importTouchpoints reads a .csv or .jsonl file and ingests it in batches.
// Invalid rows are reported with their line number and skipped; valid rows
// are kept. It stops early only on a storage failure.
func importTouchpoints(ctx context.Context, engine *surveys.Engine, path string, stdout, stderr io.Writer, progress bool) (importSummary, error) {
	sum := importSummary{skipped: map[surveys.SkipReason]int{}}
	f, err := os.Open(path)
	if err != nil {
		return sum, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var next func() (importRow, error)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		next, err = csvRows(f)
	case ".jsonl", ".ndjson":
		next = jsonlRows(f)
	default:
		return sum, usagef("import %s: use a .csv or .jsonl file", path)
	}
	if err != nil {
		return sum, fmt.Errorf("%s: %w", path, err)
	}
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	last := time.Time{}
	// On a terminal the progress line redraws itself; elsewhere (--progress
	// into a log) it is one line a second.
	every, end := 200*time.Millisecond, "\r"
	if !isTerminal(stderr) {
		every, end = time.Second, ""
	}
	report := func(final bool) {
		if !progress || (!final && time.Since(last) < every) {
			return
		}
		last = time.Now()
		pos, _ := f.Seek(0, io.SeekCurrent)
		pct := 100.0
		if size > 0 && !final {
			pct = float64(pos) / float64(size) * 100
		}
		fmt.Fprintf(stderr, "%s%5.1f%%  %d rows  %d scheduled  %d skipped  %d invalid", end, pct, sum.read, sum.scheduled, sum.skippedTotal(), sum.invalid)
		if final || end == "" {
			fmt.Fprintln(stderr)
		}
	}

	batch := make([]importRow, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ins := make([]surveys.Ingestion, len(batch))
		for i, r := range batch {
			ins[i] = r.in
		}
		res, errs, err := engine.IngestBatch(ctx, ins)
		if err != nil {
			return fmt.Errorf("store rows %d–%d: %w", batch[0].line, batch[len(batch)-1].line, err)
		}
		for i, r := range batch {
			switch {
			case errs[i] != nil:
				var ve *surveys.ValidationError
				if errors.As(errs[i], &ve) {
					sum.invalid++
				} else {
					sum.failed++
				}
				fmt.Fprintf(stderr, "%s:%d: %v\n", path, r.line, errs[i])
			case res[i].Replayed:
				sum.replayed++
			case res[i].Invitation.Status == surveys.Skipped:
				sum.skipped[res[i].Invitation.SkipReason]++
			default:
				sum.scheduled++
				if inv := res[i].Invitation; inv.WebURL != "" {
					// Nobody else will see a web invitation's link: it is the
					// importer's to hand on.
					fmt.Fprintf(stdout, "%s:%d: web link for %s: %s\n", path, r.line, inv.CustomerID, inv.WebURL)
				}
			}
		}
		batch = batch[:0]
		report(false)
		return nil
	}
	for {
		row, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, fmt.Errorf("%s: %w", path, err)
		}
		sum.read++
		if row.err != nil {
			sum.invalid++
			fmt.Fprintf(stderr, "%s:%d: %v\n", path, row.line, row.err)
			continue
		}
		row.in.Touchpoint.Source = importSource
		batch = append(batch, row)
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	report(true)
	return sum, nil
}

func (s importSummary) skippedTotal() int {
	n := 0
	for _, v := range s.skipped {
		n += v
	}
	return n
}

// String is the summary printed at the end of an import.
func (s importSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows: %d scheduled, %d skipped, %d already imported, %d invalid", s.read, s.scheduled, s.skippedTotal(), s.replayed, s.invalid)
	if s.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", s.failed)
	}
	if len(s.skipped) > 0 {
		reasons := make([]string, 0, len(s.skipped))
		for r, n := range s.skipped {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(reasons)
		fmt.Fprintf(&b, " (skipped: %s)", strings.Join(reasons, ", "))
	}
	return b.String()
}

// jsonlRows reads one touchpoint JSON object per line, as the API takes them.
func jsonlRows(r io.Reader) func() (importRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), web.MaxBody)
	line := 0
	return func() (importRow, error) {
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if text == "" {
				continue
			}
			tp, hash, err := web.DecodeTouchpoint([]byte(text))
			return importRow{line: line, in: surveys.Ingestion{Touchpoint: tp, RequestHash: hash}, err: err}, nil
		}
		if err := sc.Err(); err != nil {
			return importRow{}, fmt.Errorf("line %d: %w", line+1, err)
		}
		return importRow{}, io.EOF
	}
}

// csvRows reads a CSV file with a header row naming csvColumns (any order,
// any subset with at least type and customer_id) plus attr.<name> columns.
// Each row becomes the same JSON the API takes, so both paths validate alike.
func csvRows(r io.Reader) (func() (importRow, error), error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read the CSV header: %w", err)
	}
	known := map[string]bool{}
	for _, c := range csvColumns {
		known[c] = true
	}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		if !known[h] && !strings.HasPrefix(h, "attr.") {
			return nil, fmt.Errorf("line 1: unknown column %s; columns are %s and attr.<name>", surveys.Quote(h), strings.Join(csvColumns, ", "))
		}
	}
	return func() (importRow, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return importRow{}, io.EOF
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				return importRow{line: line, err: err}, nil
			}
			return importRow{}, err
		}
		if len(rec) != len(header) {
			return importRow{line: line, err: fmt.Errorf("%d fields; the header has %d", len(rec), len(header))}, nil
		}
		body := map[string]any{}
		customer := map[string]any{}
		attrs := map[string]any{}
		for i, v := range rec {
			if v == "" {
				continue
			}
			if p := surveys.TextProblem(v); p != "" {
				// Refused here: JSON encoding would quietly replace the bytes.
				return importRow{line: line, err: fmt.Errorf("%s: %s", header[i], p)}, nil
			}
			switch h := header[i]; {
			case strings.HasPrefix(h, "attr."):
				attrs[strings.TrimPrefix(h, "attr.")] = v
			case h == "customer_id":
				customer["id"] = v
			case h == "customer_name", h == "customer_locale", h == "customer_timezone":
				customer[strings.TrimPrefix(h, "customer_")] = v
			case h == "telegram_chat_id":
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return importRow{line: line, err: fmt.Errorf("telegram_chat_id: %s is not an integer chat id", surveys.Quote(v))}, nil
				}
				customer[h] = json.Number(v)
			case h == "slack_user_id", h == "discord_user_id":
				customer[h] = v
			default:
				body[h] = v
			}
		}
		body["customer"] = customer
		if len(attrs) > 0 {
			body["attributes"] = attrs
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return importRow{line: line, err: err}, nil
		}
		tp, hash, err := web.DecodeTouchpoint(raw)
		return importRow{line: line, in: surveys.Ingestion{Touchpoint: tp, RequestHash: hash}, err: err}, nil
	}, nil
}

func importCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "import", "touchpoints FILE", "Bulk-import touchpoints from a .csv or .jsonl file, with the same rules as the API.\n"+
		"Invalid rows are reported with their line number and skipped; valid rows are kept.\n"+
		"Re-importing a file adds nothing for rows that carry an id.\n"+
		"CSV columns: "+strings.Join(csvColumns, ", ")+", attr.<name>.")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	progress := fs.Bool("progress", false, "print progress on stderr even when it is not a terminal (one line a second)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "touchpoints" {
		return usagef("usage: vocbot import touchpoints FILE (.csv or .jsonl)")
	}
	path := fs.Arg(1)
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".csv" && ext != ".jsonl" && ext != ".ndjson" {
		return usagef("import %s: use a .csv or .jsonl file", path)
	}
	st, err := openStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := importTouchpoints(ctx, st.engine, path, env.stdout, env.stderr, *progress || isTerminal(env.stderr))
	fmt.Fprintln(env.stdout, sum)
	if err != nil {
		return err
	}
	if sum.invalid > 0 || sum.failed > 0 {
		return fmt.Errorf("%d of %d rows were not imported (see the lines above); fix them and import the file again: rows already imported are not duplicated", sum.invalid+sum.failed, sum.read)
	}
	return nil
}
