package harness

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
)

// Measure is one row of the perf table: vocbot against its physical
// reference, measured in the same run.
type Measure struct {
	Measure   string
	Engine    string
	Reference string // the reference's figure and what it is
	Vocbot    string // vocbot's figure, what it is, and side counts
	Ratio     string // vocbot ÷ reference (or the reverse for times), as printed
	Goal      string
	Pass      bool
}

// PerfTable collects measures.
type PerfTable struct {
	mu   sync.Mutex
	rows []Measure
}

// Add appends a measure.
func (t *PerfTable) Add(m Measure) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows = append(t.rows, m)
}

// Fail adds a row for a measure that could not run.
func (t *PerfTable) Fail(measure, engine string, err error) {
	t.Add(Measure{Measure: measure, Engine: engine, Vocbot: "error: " + oneLine(err.Error()), Goal: "runs"})
}

// Rows returns a copy of the rows.
func (t *PerfTable) Rows() []Measure {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Measure(nil), t.rows...)
}

// Failed counts rows whose goal was not met.
func (t *PerfTable) Failed() int {
	n := 0
	for _, r := range t.Rows() {
		if !r.Pass {
			n++
		}
	}
	return n
}

// Print writes the table aligned for a terminal.
func (t *PerfTable) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tENGINE\tREFERENCE\tVOCBOT\tRATIO\tGOAL\tPASS")
	for _, r := range t.Rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Measure, r.Engine, r.Reference, r.Vocbot, r.Ratio, r.Goal, passWord(r.Pass))
	}
	tw.Flush()
}

// Markdown writes the table as a Markdown table (for docs).
func (t *PerfTable) Markdown(w io.Writer) {
	fmt.Fprintln(w, "| measure | engine | reference | vocbot | ratio | goal | pass |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, r := range t.Rows() {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", esc.Replace(r.Measure), esc.Replace(r.Engine),
			esc.Replace(r.Reference), esc.Replace(r.Vocbot), esc.Replace(r.Ratio), esc.Replace(r.Goal), passWord(r.Pass))
	}
}
