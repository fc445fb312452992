package harness

import (
	"fmt"
	"io"
	"strings"
)

// Row is one checked claim.
type Row struct {
	Scenario string
	Engine   string
	Expected string
	Observed string
	Pass     bool
}

func (r Row) cells() []string { return []string{r.Scenario, r.Engine, r.Expected, r.Observed} }
func (r Row) passed() bool    { return r.Pass }

// Table collects rows from scenarios that may run concurrently.
type Table struct{ rows[Row] }

// Check adds a row whose Pass is ok, with observed formatted from args.
func (t *Table) Check(scenario, engine, expected string, ok bool, observed string, args ...any) bool {
	t.Add(Row{Scenario: scenario, Engine: engine, Expected: expected, Observed: fmt.Sprintf(observed, args...), Pass: ok})
	return ok
}

// Fail adds a failed row for a scenario that could not run to its checks.
func (t *Table) Fail(scenario, engine string, err error) {
	t.Add(Row{Scenario: scenario, Engine: engine, Expected: "scenario runs", Observed: "error: " + oneLine(err.Error()), Pass: false})
}

// Print writes the table aligned for a terminal.
func (t *Table) Print(w io.Writer) { t.print(w, "scenario", "engine", "expected", "observed") }

// Markdown writes the table as a Markdown table (for docs).
func (t *Table) Markdown(w io.Writer) { t.markdown(w, "scenario", "engine", "expected", "observed") }

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
