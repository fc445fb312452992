package harness

import "io"

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

func (m Measure) cells() []string {
	return []string{m.Measure, m.Engine, m.Reference, m.Vocbot, m.Ratio, m.Goal}
}
func (m Measure) passed() bool { return m.Pass }

// PerfTable collects measures.
type PerfTable struct{ rows[Measure] }

// Fail adds a row for a measure that could not run.
func (t *PerfTable) Fail(measure, engine string, err error) {
	t.Add(Measure{Measure: measure, Engine: engine, Vocbot: "error: " + oneLine(err.Error()), Goal: "runs"})
}

// Print writes the table aligned for a terminal.
func (t *PerfTable) Print(w io.Writer) {
	t.print(w, "measure", "engine", "reference", "vocbot", "ratio", "goal")
}

// Markdown writes the table as a Markdown table (for docs).
func (t *PerfTable) Markdown(w io.Writer) {
	t.markdown(w, "measure", "engine", "reference", "vocbot", "ratio", "goal")
}
