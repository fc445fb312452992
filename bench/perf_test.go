package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/bench/harness"
)

func TestRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{29.96, "30.0"},
		{99.94, "99.9"},
		{100, "100"},
		{999.6, "1,000"},
		{2148.4, "2,148"},
		{31842, "31,842"},
		{1234567, "1,234,567"},
	}
	for _, tt := range tests {
		if got := rate(tt.in); got != tt.want {
			t.Errorf("rate(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPerfRow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		g       goal
		r       perfResult
		extraOK bool
		want    harness.Measure
	}{
		{
			name:    "goal met",
			g:       goal{Measure: "single-event ingest", Min: 0.5},
			r:       perfResult{Reference: 2000, ReferenceUnit: "rows/s", Vocbot: 1100, VocbotUnit: "events/s", Extra: "0 retried"},
			extraOK: true,
			want: harness.Measure{Measure: "single-event ingest", Engine: "postgres", Reference: "2,000 rows/s",
				Vocbot: "1,100 events/s; 0 retried", Ratio: "0.55", Goal: "≥ 0.50", Pass: true},
		},
		{
			name:    "goal missed",
			g:       goal{Measure: "batch ingest", Min: 0.25},
			r:       perfResult{Reference: 40000, ReferenceUnit: "rows/s", Vocbot: 4000, VocbotUnit: "events/s"},
			extraOK: true,
			want: harness.Measure{Measure: "batch ingest", Engine: "postgres", Reference: "40,000 rows/s",
				Vocbot: "4,000 events/s", Ratio: "0.10", Goal: "≥ 0.25", Pass: false},
		},
		{
			name: "ratio met but a side condition failed",
			g:    goal{Measure: "Telegram delivery", Min: 0.95},
			r:    perfResult{Reference: 30, ReferenceUnit: "msg/s", Vocbot: 29.5, VocbotUnit: "msg/s", Extra: "0 failed, 1 duplicate, 0 missing"},
			want: harness.Measure{Measure: "Telegram delivery", Engine: "postgres", Reference: "30.0 msg/s",
				Vocbot: "29.5 msg/s; 0 failed, 1 duplicate, 0 missing", Ratio: "0.98", Goal: "≥ 0.95", Pass: false},
		},
		{
			name:    "no reference measured",
			g:       goal{Measure: "batch ingest", Min: 0.25},
			r:       perfResult{ReferenceUnit: "rows/s", Vocbot: 10, VocbotUnit: "events/s"},
			extraOK: true,
			want: harness.Measure{Measure: "batch ingest", Engine: "postgres", Reference: "0.0 rows/s",
				Vocbot: "10.0 events/s", Ratio: "0.00", Goal: "≥ 0.25", Pass: false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, perfRow(tt.g, "postgres", tt.r, tt.extraOK)); diff != "" {
				t.Errorf("perfRow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReferencePlaceholders(t *testing.T) {
	t.Parallel()
	pg := (&reference{engine: harness.Postgres}).placeholders(2)
	if want := "($1,$2,$3,$4,$5,$6,$7,$8),($9,$10,$11,$12,$13,$14,$15,$16)"; pg != want {
		t.Errorf("postgres placeholders = %q, want %q", pg, want)
	}
	lite := (&reference{engine: harness.SQLite}).placeholders(1)
	if want := "(?,?,?,?,?,?,?,?)"; lite != want {
		t.Errorf("sqlite placeholders = %q, want %q", lite, want)
	}
	if n := len(refArgs("x", 0, time.Time{})); n != 8 {
		t.Errorf("refArgs gives %d values for 8 columns", n)
	}
}

// -only picks measures by name and refuses an unknown one before anything
// is built or started.
func TestPerfOnly(t *testing.T) {
	t.Parallel()
	all := perfSizes{}
	some := perfSizes{Only: map[string]bool{"single": true, "batch": true}}
	for _, m := range perfMeasures {
		if !all.runs(m) {
			t.Errorf("without -only, %s does not run", m)
		}
		if want := m == "single" || m == "batch"; some.runs(m) != want {
			t.Errorf("-only single,batch: %s runs %v, want %v", m, some.runs(m), want)
		}
	}
	var stdout, stderr strings.Builder
	if code := perfCommand(t.Context(), []string{"-only", "single,ingest"}, &stdout, &stderr); code != 2 {
		t.Errorf("-only single,ingest: exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), `unknown measure "ingest"`) || !strings.Contains(stderr.String(), "single, batch, delivery") {
		t.Errorf("-only single,ingest: stderr %q does not name the measure and the choices", stderr.String())
	}
}
