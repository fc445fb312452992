package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// seedCLIAnswers opens the database at url (and closes it again, so the
// command under test can take the SQLite lock), ingests one touchpoint per
// answer and writes the answers as the Engine would.
func seedCLIAnswers(t *testing.T, url string, answers []seededAnswer) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	store := storage.NewStore(db, jobs)
	engine := surveys.NewEngine(surveySettings(config.Default(), []surveys.Platform{surveys.Telegram}), store, nil)
	for i, a := range answers {
		var attrs map[string]any
		if err := json.Unmarshal([]byte(a.attrs), &attrs); err != nil {
			t.Fatal(err)
		}
		tp := surveys.Touchpoint{Source: "test", ExternalID: fmt.Sprint("seed_", i), Type: "order_delivered", SurveyID: a.survey,
			Customer: surveys.Customer{ExternalID: a.customer, Name: "Dana " + a.customer,
				Identities: []surveys.Address{{Platform: surveys.Telegram, ChatID: fmt.Sprint(800000 + i), UserID: fmt.Sprint(800000 + i)}}}}
		res, err := engine.Ingest(ctx, surveys.Ingestion{Touchpoint: tp, RequestHash: fmt.Sprint("h", i)})
		if err != nil || res.Invitation.Status != surveys.Scheduled {
			t.Fatalf("seed %d: %v %+v", i, err, res)
		}
		comment, state := "NULL", "'none'"
		if a.comment != "" {
			comment, state = "'"+strings.ReplaceAll(a.comment, "'", "''")+"'", "'given'"
		}
		q := fmt.Sprintf(`INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, comment, comment_state,
 locale, platform, touchpoint_type, attributes, update_id, answered_at, reason)
SELECT id, customer_id, survey_id, '%s', %d, %s, %s, 'he', 'telegram', 'order_delivered', '%s', 'seed:%d', '%s', '%s'
FROM invitations WHERE id = %d`, a.metric, a.score, comment, state, a.attrs, res.Invitation.ID,
			a.at.UTC().Format("2006-01-02 15:04:05-07:00"), a.reason, res.Invitation.ID)
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
}

func TestExportResponses(t *testing.T) {
	t.Parallel()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			vars := cliEnv(t, storagetest.URL(t, e))
			now := time.Now().UTC().Truncate(time.Second)
			seedCLIAnswers(t, vars["VOCBOT_DATABASE_URL"], []seededAnswer{
				{customer: "cus_e1", survey: "nps", metric: "nps", score: 10, comment: "fast, \"friendly\"\nand kind", attrs: `{"agent":"yossi"}`, at: now.Add(-40 * 24 * time.Hour)},
				{customer: "cus_e2", survey: "csat", metric: "csat", score: 4, attrs: `{}`, at: now.Add(-2 * 24 * time.Hour)},
				{customer: "cus_e3", survey: "nps", metric: "nps", score: 3, comment: "late", attrs: `{"agent":"dana"}`, at: now.Add(-time.Hour), reason: "speed"},
			})

			out, errOut, err := runCLI(t, vars, "export", "responses")
			if err != nil {
				t.Fatalf("export: %v (%s)", err, errOut)
			}
			records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("csv: %v\n%s", err, out)
			}
			if len(records) != 4 || strings.Join(records[0], ",") != strings.Join(exportColumns, ",") {
				t.Fatalf("got %d records, header %v; want a header and 3 rows:\n%s", len(records), records[0], out)
			}
			col := func(row []string, name string) string {
				for i, c := range exportColumns {
					if c == name {
						return row[i]
					}
				}
				t.Fatalf("no column %s", name)
				return ""
			}
			if got := col(records[1], "reason"); got != "speed" {
				t.Errorf("first row: reason %q, want speed", got)
			}
			if got := col(records[2], "reason"); got != "" {
				t.Errorf("second row: reason %q, want none", got)
			}
			if got := col(records[1], "customer_id"); got != "cus_e3" {
				t.Errorf("first row: customer %s, want the newest, cus_e3", got)
			}
			oldest := records[3]
			if col(oldest, "comment") != "fast, \"friendly\"\nand kind" || col(oldest, "attributes") != `{"agent":"yossi"}` ||
				col(oldest, "score") != "10" || col(oldest, "survey") != "nps" || col(oldest, "answered_at") != now.Add(-40*24*time.Hour).Format(time.RFC3339) {
				t.Errorf("oldest row: got %q", oldest)
			}

			out, _, err = runCLI(t, vars, "export", "responses", "--survey", "nps", "--since", "28d", "--format", "jsonl")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var got map[string]any
			if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &got) != nil || got["customer_id"] != "cus_e3" || got["comment"] != "late" || got["reason"] != "speed" {
				t.Fatalf("jsonl --survey nps --since 28d: got %q, want cus_e3's answer only", out)
			}

			// --progress reports on stderr though it is not a terminal, and
			// only there: stdout stays the data.
			out, errOut, err = runCLI(t, vars, "export", "responses", "--progress")
			if err != nil || !strings.HasSuffix(errOut, "3 responses written\n") || strings.Contains(out, "written") {
				t.Errorf("--progress: err %v, stderr %q, stdout %q; want the count of 3 on stderr", err, errOut, out)
			}
			if _, errOut, _ = runCLI(t, vars, "export", "responses"); errOut != "" {
				t.Errorf("without --progress, off a terminal, stderr is %q; want nothing", errOut)
			}

			until := now.Add(-24 * time.Hour).Format(time.RFC3339)
			out, _, _ = runCLI(t, vars, "export", "responses", "--until", until, "--format", "jsonl")
			if n := strings.Count(out, "\n"); n != 2 {
				t.Errorf("--until %s: got %d lines, want 2:\n%s", until, n, out)
			}
		})
	}
}

func TestExportUsage(t *testing.T) {
	t.Parallel()
	vars := cliEnv(t, storagetest.URL(t, storage.SQLite))
	for _, args := range [][]string{
		{"export"},
		{"export", "touchpoints"},
		{"export", "responses", "--format", "xml"},
		{"export", "responses", "--since", "last week"},
		{"export", "responses", "--since", "1d", "--until", "2d"},
		{"export", "responses", "extra"},
	} {
		if _, _, err := runCLI(t, vars, args...); !isUsage(err) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
	out, _, err := runCLI(t, vars, "export", "--help")
	if err != errHelp || !strings.Contains(out, "-format") {
		t.Errorf("export --help: got %v %q", err, out)
	}
}
