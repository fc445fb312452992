package main

// The Grafana dashboard and the Prometheus rules in docs/monitoring/ must
// only ask for metrics vocbot registers, or a panel stays empty and an alert
// never fires without anyone noticing. These tests collect the metric names
// from a running serve (its /metrics) and from storage's collectors (vectors
// without samples do not show in /metrics yet), then check every query.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

const monitoringToken = "monitoring-token-0123456789"

// registeredMetrics returns every metric family name vocbot registers.
func registeredMetrics(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}

	// What serve exposes, after one API request so the ingestion counter has
	// a sample.
	base, _, _ := startServe(t, map[string]string{
		"VOCBOT_DATABASE_URL": storagetest.URL(t, storage.SQLite),
		"VOCBOT_API_TOKENS":   monitoringToken,
	})
	waitReady(t, base)
	req, err := http.NewRequest(http.MethodPost, base+"/v1/touchpoints", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+monitoringToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST {} to /v1/touchpoints = %d, want a 4xx for an invalid touchpoint", resp.StatusCode)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			names[f[2]] = true
		}
	}
	if !names["vocbot_touchpoints_ingested_total"] || !names["go_goroutines"] {
		t.Fatalf("/metrics lacks vocbot_touchpoints_ingested_total or go_goroutines; got %v", slices.Sorted(maps.Keys(names)))
	}

	// What storage registers on each engine (the PostgreSQL pool adds its
	// own), described rather than gathered so empty vectors count too.
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for _, e := range storagetest.Engines() {
		db := storagetest.Open(t, e)
		jobs, err := storage.NewJobs(db, storage.JobsConfig{})
		if err != nil {
			t.Fatal(err)
		}
		ch := make(chan *prometheus.Desc, 64)
		go func() {
			for _, c := range append(db.Collectors(), jobs.Collectors()...) {
				c.Describe(ch)
			}
			close(ch)
		}()
		for d := range ch {
			m := fqName.FindStringSubmatch(d.String())
			if m == nil {
				t.Fatalf("cannot read the name of %s", d)
			}
			names[m[1]] = true
		}
	}
	return names
}

// promNames returns the metric names a PromQL expression selects. It knows
// just enough PromQL for our files and fails on anything it cannot balance.
func promNames(expr string) ([]string, error) {
	s := regexp.MustCompile(`\$\{?\w+\}?`).ReplaceAllString(expr, "5m") // Grafana variables
	s = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`+"`[^`]*`").ReplaceAllString(s, `""`)
	for _, re := range []string{`\{[^{}]*\}`, `\[[^\[\]]*\]`, `\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`} {
		s = regexp.MustCompile(re).ReplaceAllString(s, " ")
	}
	depth := 0
	for _, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case '{', '}', '[', ']':
			return nil, fmt.Errorf("unbalanced %q in %q", r, expr)
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parentheses in %q", expr)
	}
	keywords := map[string]bool{"and": true, "or": true, "unless": true, "offset": true, "bool": true, "inf": true, "nan": true,
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true}
	var names []string
	for _, loc := range regexp.MustCompile(`[A-Za-z_:][\w:]*`).FindAllStringIndex(s, -1) {
		if loc[0] > 0 && (s[loc[0]-1] == '.' || s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9') {
			continue // part of a number: 1e3, 0.5
		}
		name := s[loc[0]:loc[1]]
		if keywords[name] || strings.HasPrefix(strings.TrimLeft(s[loc[1]:], " \t\n"), "(") {
			continue // an operator, or a function or aggregation
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no metric in %q", expr)
	}
	return names, nil
}

func TestPromNames(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`up{job="vocbot"} == 0`, []string{"up"}},
		{`sum by (platform) (rate(vocbot_x_total{result=~"a|b"}[15m])) / sum by (platform) (rate(vocbot_x_total[$__rate_interval])) > 0.05`,
			[]string{"vocbot_x_total", "vocbot_x_total"}},
		{`histogram_quantile(0.95, sum by (le) (rate(vocbot_h_bucket{job=~"$job"}[5m])))`, []string{"vocbot_h_bucket"}},
		{`time() - max by (digest) (vocbot_ts) > 26 * 3600`, []string{"vocbot_ts"}},
		{"max(a{s=\"x\"}) > max(a offset 1d) or b unless on(x) c", []string{"a", "a", "b", "c"}},
		{`1e3 + 0.5`, nil},
		{`sum(rate(vocbot_x[5m])`, nil},
	}
	for _, tt := range tests {
		got, err := promNames(tt.expr)
		if tt.want == nil {
			if err == nil {
				t.Errorf("promNames(%q) = %v, want an error", tt.expr, got)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("promNames(%q) = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
}

// checkNames reports names not registered; histogram series (_bucket, _sum,
// _count) count when their family is registered. Prometheus itself adds up.
func checkNames(t *testing.T, where, expr string, registered map[string]bool, used map[string]bool) {
	t.Helper()
	names, err := promNames(expr)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	for _, n := range names {
		base := n
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(n, suffix); ok && registered[b] {
				base = b
			}
		}
		switch {
		case registered[base] || base == "up":
		case strings.HasPrefix(base, "vocbot_db_pool_") && !slices.Contains(storagetest.Engines(), storage.Postgres):
			t.Logf("%s: %s is registered on PostgreSQL only; set VOCBOT_TEST_POSTGRES_URL to check it", where, n)
		default:
			t.Errorf("%s: %s is not a metric vocbot registers", where, n)
		}
		used[base] = true
	}
}

type grafanaDashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource *struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
		GridPos struct{ H, W, X, Y int } `json:"gridPos"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

type promRules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func TestMonitoringFilesUseRegisteredMetrics(t *testing.T) {
	t.Parallel()
	registered := registeredMetrics(t)

	var dash grafanaDashboard
	if err := json.Unmarshal([]byte(repoFile(t, "docs/monitoring/grafana-dashboard.json")), &dash); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if dash.UID == "" || dash.Title == "" || dash.SchemaVersion < 36 {
		t.Errorf("dashboard uid %q, title %q, schemaVersion %d: want all set (schema 36+)", dash.UID, dash.Title, dash.SchemaVersion)
	}
	vars := map[string]string{}
	for _, v := range dash.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" || vars["job"] != "query" {
		t.Errorf("dashboard variables %v, want datasource (datasource) and job (query)", vars)
	}
	onDashboard := map[string]bool{}
	ids := map[int]bool{}
	for _, p := range dash.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d is used twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.W < 1 || p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H < 1 {
			t.Errorf("panel %q gridPos %+v is outside the 24-column grid", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if p.Title == "" || p.Datasource == nil || p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("panel %d %q: want a title, the ${datasource} variable and at least one query", p.ID, p.Title)
		}
		for _, tg := range p.Targets {
			if tg.RefID == "" {
				t.Errorf("panel %q: a query without refId", p.Title)
			}
			if strings.Contains(tg.Expr, "vocbot_") && !strings.Contains(tg.Expr, `job=~"$job"`) {
				t.Errorf("panel %q: %s ignores the job variable", p.Title, tg.Expr)
			}
			checkNames(t, "dashboard panel "+p.Title, tg.Expr, registered, onDashboard)
		}
	}

	dec := yaml.NewDecoder(strings.NewReader(repoFile(t, "docs/monitoring/prometheus-rules.yml")))
	dec.KnownFields(true)
	var rules promRules
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("prometheus-rules.yml: %v", err)
	}
	alerts := map[string]bool{}
	inRules := map[string]bool{}
	duration := regexp.MustCompile(`^[0-9]+(ms|s|m|h|d|w|y)$`)
	labelRef := regexp.MustCompile(`\$labels\.(\w+)`)
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || alerts[r.Alert] {
				t.Errorf("group %s: alert name %q is empty or repeated", g.Name, r.Alert)
			}
			alerts[r.Alert] = true
			if r.For != "" && !duration.MatchString(r.For) {
				t.Errorf("%s: for %q is not a Prometheus duration", r.Alert, r.For)
			}
			if s := r.Labels["severity"]; s != "critical" && s != "warning" && s != "info" {
				t.Errorf("%s: severity %q, want critical, warning or info", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: want a summary and a description", r.Alert)
			}
			aggregated := regexp.MustCompile(`\b(sum|max|min|avg|count|histogram_quantile)\s*(by\s*\([^)]*\)\s*)?\(`).MatchString(r.Expr)
			for _, a := range r.Annotations {
				if !aggregated {
					break // a plain selector keeps every label
				}
				for _, m := range labelRef.FindAllStringSubmatch(a, -1) {
					if !regexp.MustCompile(`\b` + m[1] + `\b`).MatchString(r.Expr) {
						t.Errorf("%s: annotation uses $labels.%s, which its expression does not keep", r.Alert, m[1])
					}
				}
			}
			checkNames(t, "rule "+r.Alert, r.Expr, registered, inRules)
		}
	}
	for _, want := range []string{"VocbotDeliveryFailures", "VocbotQueueBacklog", "VocbotDeliveryLate", "VocbotRateLimited", "VocbotNoDigestToday", "VocbotDigestFailed"} {
		if !alerts[want] {
			t.Errorf("prometheus-rules.yml lacks %s", want)
		}
	}

	// Every vocbot_ metric has a panel and is described in docs/monitoring.md,
	// so a new metric does not go unseen.
	doc := repoFile(t, "docs/monitoring.md")
	for name := range registered {
		if !strings.HasPrefix(name, "vocbot_") {
			continue
		}
		if !onDashboard[name] {
			t.Errorf("%s has no panel on the Grafana dashboard", name)
		}
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("docs/monitoring.md does not describe %s", name)
		}
	}
}
