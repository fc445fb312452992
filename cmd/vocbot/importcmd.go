package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// importTouchpoints reads a .csv or .jsonl file (web's file forms of the API)
// and has the Engine ingest it in batches (surveys.Engine.Import). Invalid
// rows are reported on stderr with their line number and skipped; web links
// go to stdout; progress, when asked, to stderr.
func importTouchpoints(ctx context.Context, engine *surveys.Engine, path string, stdout, stderr io.Writer, progress bool) (surveys.ImportSummary, error) {
	f, err := os.Open(path)
	if err != nil {
		return surveys.ImportSummary{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var rows func() (surveys.ImportRow, error)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		rows, err = web.CSVTouchpoints(f)
	case ".jsonl", ".ndjson":
		rows = web.JSONLTouchpoints(f)
	default:
		return surveys.ImportSummary{}, usagef("import %s: use a .csv or .jsonl file", path)
	}
	if err != nil {
		return surveys.ImportSummary{}, fmt.Errorf("%s: %w", path, err)
	}
	next := func() (surveys.ImportRow, error) {
		row, err := rows()
		if err != nil && err != io.EOF {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return row, err
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
	report := func(sum surveys.ImportSummary, final bool) {
		if !progress || (!final && time.Since(last) < every) {
			return
		}
		last = time.Now()
		pos, _ := f.Seek(0, io.SeekCurrent)
		pct := 100.0
		if size > 0 && !final {
			pct = float64(pos) / float64(size) * 100
		}
		fmt.Fprintf(stderr, "%s%5.1f%%  %d rows  %d scheduled  %d skipped  %d invalid", end, pct, sum.Read, sum.Scheduled, sum.SkippedTotal(), sum.Invalid)
		if final || end == "" {
			fmt.Fprintln(stderr)
		}
	}
	sum, err := engine.Import(ctx, next, surveys.ImportReport{
		RowError: func(line int, err error) { fmt.Fprintf(stderr, "%s:%d: %v\n", path, line, err) },
		WebLink: func(line int, customer, url string) {
			fmt.Fprintf(stdout, "%s:%d: web link for %s: %s\n", path, line, customer, url)
		},
		Progress: func(s surveys.ImportSummary) { report(s, false) },
	})
	if err == nil {
		report(sum, true)
	}
	return sum, err
}

func importCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "import", "touchpoints FILE", "Bulk-import touchpoints from a .csv or .jsonl file, with the same rules as the API.\n"+
		"Invalid rows are reported with their line number and skipped; valid rows are kept.\n"+
		"Re-importing a file adds nothing for rows that carry an id.\n"+
		"CSV columns: "+strings.Join(web.TouchpointCSVColumns, ", ")+", attr.<name>.")
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
	if sum.Invalid > 0 || sum.Failed > 0 {
		return fmt.Errorf("%d of %d rows were not imported (see the lines above); fix them and import the file again: rows already imported are not duplicated", sum.Invalid+sum.Failed, sum.Read)
	}
	return nil
}
