package harness

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
)

// Row is one checked claim.
type Row struct {
	Scenario string
	Engine   string
	Expected string
	Observed string
	Pass     bool
}

// Table collects rows from scenarios that may run concurrently.
type Table struct {
	mu   sync.Mutex
	rows []Row
}

// Add appends a row.
func (t *Table) Add(r Row) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows = append(t.rows, r)
}

// Check adds a row whose Pass is ok, with observed formatted from args.
func (t *Table) Check(scenario, engine, expected string, ok bool, observed string, args ...any) bool {
	t.Add(Row{Scenario: scenario, Engine: engine, Expected: expected, Observed: fmt.Sprintf(observed, args...), Pass: ok})
	return ok
}

// Fail adds a failed row for a scenario that could not run to its checks.
func (t *Table) Fail(scenario, engine string, err error) {
	t.Add(Row{Scenario: scenario, Engine: engine, Expected: "scenario runs", Observed: "error: " + oneLine(err.Error()), Pass: false})
}

// Rows returns a copy of the rows.
func (t *Table) Rows() []Row {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Row(nil), t.rows...)
}

// Failed counts failed rows.
func (t *Table) Failed() int {
	n := 0
	for _, r := range t.Rows() {
		if !r.Pass {
			n++
		}
	}
	return n
}

// Print writes the table aligned for a terminal.
func (t *Table) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tENGINE\tEXPECTED\tOBSERVED\tPASS")
	for _, r := range t.Rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Scenario, r.Engine, r.Expected, r.Observed, passWord(r.Pass))
	}
	tw.Flush()
}

// Markdown writes the table as a Markdown table (for docs).
func (t *Table) Markdown(w io.Writer) {
	fmt.Fprintln(w, "| scenario | engine | expected | observed | pass |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, r := range t.Rows() {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", esc.Replace(r.Scenario), esc.Replace(r.Engine),
			esc.Replace(r.Expected), esc.Replace(r.Observed), passWord(r.Pass))
	}
}

func passWord(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
