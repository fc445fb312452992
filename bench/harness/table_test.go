package harness

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	t.Parallel()
	var tb Table
	tb.Check("kill9: no survey doubled", "sqlite", "0", true, "%d doubled", 0)
	tb.Check("hostile: /slack/*", "postgres", "never 5xx", false, "event | text: %d", 500)
	tb.Fail("replicas", "postgres", errors.New("line one\nline two"))
	if got := tb.Failed(); got != 2 {
		t.Errorf("Failed() = %d, want 2", got)
	}
	var md bytes.Buffer
	tb.Markdown(&md)
	want := "| scenario | engine | expected | observed | pass |\n|---|---|---|---|---|\n" +
		"| kill9: no survey doubled | sqlite | 0 | 0 doubled | PASS |\n" +
		"| hostile: /slack/* | postgres | never 5xx | event \\| text: 500 | FAIL |\n" +
		"| replicas | postgres | scenario runs | error: line one ⏎ line two | FAIL |\n"
	if md.String() != want {
		t.Errorf("Markdown:\ngot  %q\nwant %q", md.String(), want)
	}
	var txt bytes.Buffer
	tb.Print(&txt)
	if lines := strings.Split(strings.TrimSpace(txt.String()), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "SCENARIO") {
		t.Errorf("Print: got %q, want a header and 3 rows", txt.String())
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://postgres:hunter2@127.0.0.1:5432/db", "postgres://postgres:xxxxx@127.0.0.1:5432/db"},
		{"postgres://postgres@127.0.0.1:5432/db", "postgres://postgres@127.0.0.1:5432/db"},
		{"::not a url", "::not a url"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPerfTable(t *testing.T) {
	t.Parallel()
	var tb PerfTable
	tb.Add(Measure{Measure: "digest", Engine: "postgres", Reference: "210 ms | GROUP BY", Vocbot: "230 ms", Ratio: "1.10", Goal: "≤ 1.20", Pass: true})
	tb.Fail("import", "sqlite", errors.New("no\nfile"))
	if got := tb.Failed(); got != 1 {
		t.Errorf("Failed() = %d, want 1", got)
	}
	var md bytes.Buffer
	tb.Markdown(&md)
	want := "| measure | engine | reference | vocbot | ratio | goal | pass |\n|---|---|---|---|---|---|---|\n" +
		"| digest | postgres | 210 ms \\| GROUP BY | 230 ms | 1.10 | ≤ 1.20 | PASS |\n" +
		"| import | sqlite |  | error: no ⏎ file |  | runs | FAIL |\n"
	if md.String() != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", md.String(), want)
	}
	var out bytes.Buffer
	tb.Print(&out)
	if !strings.Contains(out.String(), "MEASURE") || !strings.Contains(out.String(), "error: no ⏎ file") {
		t.Errorf("Print:\n%s", out.String())
	}
}
