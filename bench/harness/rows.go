package harness

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
)

// row is what a table holds: its cells, in the header's order, and
// whether it passed.
type row interface {
	cells() []string
	passed() bool
}

// rows collects the rows of a table from scenarios that may run
// concurrently, and prints them; Table and PerfTable are its two kinds.
type rows[R row] struct {
	mu   sync.Mutex
	list []R
}

// Add appends a row.
func (t *rows[R]) Add(r R) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.list = append(t.list, r)
}

// Rows returns a copy of the rows.
func (t *rows[R]) Rows() []R {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]R(nil), t.list...)
}

// Failed counts the rows that did not pass.
func (t *rows[R]) Failed() int {
	n := 0
	for _, r := range t.Rows() {
		if !r.passed() {
			n++
		}
	}
	return n
}

// print writes the rows aligned for a terminal under header (upper case),
// with PASS or FAIL last.
func (t *rows[R]) print(w io.Writer, header ...string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(append(header, "pass"), "\t")))
	for _, r := range t.Rows() {
		fmt.Fprintln(tw, strings.Join(append(r.cells(), passWord(r.passed())), "\t"))
	}
	tw.Flush()
}

// markdown writes the rows as a Markdown table under header (for docs).
func (t *rows[R]) markdown(w io.Writer, header ...string) {
	header = append(header, "pass")
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(header)))
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, r := range t.Rows() {
		cells := r.cells()
		for i, c := range cells {
			cells[i] = esc.Replace(c)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(append(cells, passWord(r.passed())), " | "))
	}
}

func passWord(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
