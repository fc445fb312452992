package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/vocbot/vocbot/bench/harness"
)

// bulkMaxRSS is the bulk commands' memory goal: the peak resident set of
// `vocbot import` and `vocbot export` stays under it however many rows go
// through (they stream; nothing is held per row).
const bulkMaxRSS = 100 << 20

// mb prints bytes as megabytes.
func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// baselineRSS is the peak resident set of `vocbot version`: what the binary
// holds before it reads a row.
func baselineRSS(ctx context.Context, s *suite) (int64, error) {
	r, err := harness.RunCommand(ctx, s.bin.Vocbot, []string{"version"}, nil, nil)
	return r.PeakRSS, err
}

// countingWriter counts bytes and lines that go through it.
type countingWriter struct{ bytes, lines int64 }

func (c *countingWriter) Write(b []byte) (int, error) {
	c.bytes += int64(len(b))
	c.lines += int64(strings.Count(string(b), "\n"))
	return len(b), nil
}

var exportProgressLine = regexp.MustCompile(`(?m)^(\d+) responses written$`)

// perfExport streams every NPS response (the seeded ones and the answers
// measure's) out with `vocbot export
// responses --progress` and reads its peak memory.
func perfExport(ctx context.Context, s *suite, d *harness.Database, env map[string]string) error {
	e := d.Engine
	// The seeded responses and the answers of the answers measure.
	n, err := d.Count(ctx, `SELECT count(*) FROM responses WHERE survey_id = 'nps'`)
	if err != nil {
		return err
	}
	base, err := baselineRSS(ctx, s)
	if err != nil {
		return err
	}
	var out countingWriter
	r, err := harness.RunCommand(ctx, s.bin.Vocbot, []string{"export", "responses", "--progress", "--survey", "nps"}, env, &out)
	if err != nil {
		return err
	}
	rows := out.lines - 1 // the CSV header; seeded comments have no line breaks
	progress := exportProgressLine.FindAllStringSubmatch(r.Stderr, -1)
	final := ""
	if len(progress) > 0 {
		final = progress[len(progress)-1][1]
	}
	perSec := float64(rows) / r.Elapsed.Seconds()
	s.perf.Add(harness.Measure{
		Measure:   "export responses",
		Engine:    string(e),
		Reference: fmt.Sprintf("%s of CSV out; `vocbot version` peaks at %s", mb(out.bytes), mb(base)),
		Vocbot: fmt.Sprintf("peak RSS %s (VmHWM) for %s rows at %s rows/s; %d progress lines, the last %q",
			mb(r.PeakRSS), rate(float64(rows)), rate(perSec), len(progress), final),
		Ratio: fmt.Sprintf("%.3f (peak RSS ÷ output)", float64(r.PeakRSS)/float64(max(out.bytes, 1))),
		Goal:  "≤ 100 MB peak, progress shown, every row",
		Pass:  r.PeakRSS <= bulkMaxRSS && len(progress) > 0 && final == fmt.Sprint(n) && rows == int64(n),
	})
	return nil
}

// importProgressLine is the import's progress on stderr off a terminal.
var importProgressLine = regexp.MustCompile(`(?m)^\s*[\d.]+%  (\d+) rows  \d+ scheduled  (\d+) skipped`)

// perfImport writes n touchpoints to a JSONL file and imports it with
// `vocbot import --progress touchpoints`, reading its peak memory. They are
// a backfill of history: a type no survey rule names, so each writes its
// customer, identity and touchpoint and is counted as skipped (no_rule).
// Rows that schedule a survey also write an invitation and a job and go
// slower (2,200 rows/s against 2,500–6,600 on the shared 2-core machine),
// which would take the full form past its time budget; memory is the same
// either way, as nothing is kept per row.
func perfImport(ctx context.Context, s *suite, e harness.Engine, env map[string]string, n int) error {
	path := filepath.Join(s.dir, "perf-"+string(e)+"-import.jsonl")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	for i := range n {
		m := map[string]any{
			"id":       fmt.Sprintf("pi_%d", i),
			"type":     "perf_history",
			"customer": map[string]any{"id": fmt.Sprintf("cus_pi_%d", i), "locale": "en", "telegram_chat_id": 20_000_000 + i},
		}
		if err := enc.Encode(m); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	st, _ := f.Stat()
	f.Close()
	defer os.Remove(path)
	base, err := baselineRSS(ctx, s)
	if err != nil {
		return err
	}
	var out strings.Builder
	r, err := harness.RunCommand(ctx, s.bin.Vocbot, []string{"import", "--progress", "touchpoints", path}, env, &out)
	if err != nil {
		return err
	}
	progress := importProgressLine.FindAllStringSubmatch(r.Stderr, -1)
	final := ""
	if len(progress) > 0 {
		final = progress[len(progress)-1][1] + " rows, " + progress[len(progress)-1][2] + " skipped"
	}
	want := fmt.Sprintf("%d rows, %d skipped", n, n)
	perSec := float64(n) / r.Elapsed.Seconds()
	s.perf.Add(harness.Measure{
		Measure:   "import touchpoints",
		Engine:    string(e),
		Reference: fmt.Sprintf("%s of JSONL in; `vocbot version` peaks at %s", mb(st.Size()), mb(base)),
		Vocbot: fmt.Sprintf("peak RSS %s (VmHWM) for %s touchpoints (no survey rule) at %s rows/s; %d progress lines, the last %q",
			mb(r.PeakRSS), rate(float64(n)), rate(perSec), len(progress), final),
		Ratio: fmt.Sprintf("%.3f (peak RSS ÷ input)", float64(r.PeakRSS)/float64(max(st.Size(), 1))),
		Goal:  "≤ 100 MB peak, progress shown, every row",
		Pass:  r.PeakRSS <= bulkMaxRSS && len(progress) > 0 && final == want,
	})
	return nil
}
