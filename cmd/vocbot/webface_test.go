package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// TestAPIWebInvitation: a touchpoint for a customer with no chat gets a web
// link in invitation.web_url, when the survey has web_link; the link opens
// the answer page on the same server.
func TestAPIWebInvitation(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cfg := config.Default()
		cfg.HTTP.PublicURL = "https://vocbot.example.com"
		cfg.Surveys = append(cfg.Surveys, config.Survey{ID: "csat-web", Metric: "csat", Question: map[string]string{}, FollowUp: true, ExpiresAfter: 72 * time.Hour, WebLink: true})
		jobs, err := storage.NewJobs(db, storage.JobsConfig{})
		if err != nil {
			t.Fatal(err)
		}
		store := storage.NewStore(db, jobs)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		engine := surveys.NewEngine(surveySettings(cfg, []surveys.Platform{surveys.Telegram}), store, nil)
		answers, signin, err := webFace(ctx, cfg, engine, store, log)
		if err != nil {
			t.Fatal(err)
		}
		face := web.New(engine, store, web.Config{Tokens: []string{testToken}, Sessions: dashboardSessions(signin), Logger: log})
		srv := httptest.NewServer(face.Handler(nil, func(mux *http.ServeMux) {
			answers.Mount(mux)
			signin.Mount(mux)
		}))
		t.Cleanup(srv.Close)
		f := apiFixture{url: srv.URL}

		body := `{"id":"evt_1","type":"ticket_closed","survey":"csat-web","customer":{"id":"cus_9","locale":"ar"}}`
		r := f.do(t, "POST", "/v1/touchpoints", body, nil)
		inv, _ := r.body["invitation"].(map[string]any)
		link, _ := inv["web_url"].(string)
		if r.status != http.StatusAccepted || inv["platform"] != "web" || inv["status"] != "sent" || !strings.HasPrefix(link, "https://vocbot.example.com/answer/") {
			t.Fatalf("got %d %v, want 202 with a web invitation and its link", r.status, r.body)
		}
		if again := f.do(t, "POST", "/v1/touchpoints", body, nil); again.body["invitation"].(map[string]any)["web_url"] != link {
			t.Errorf("replay: got %v, want the same web_url", again.body)
		}
		// The nps survey has no web_link: the customer stays unreachable.
		skip := f.do(t, "POST", "/v1/touchpoints", `{"id":"evt_2","type":"ticket_closed","survey":"nps","customer":{"id":"cus_10"}}`, nil)
		if s, _ := skip.body["skipped"].(map[string]any); skip.status != http.StatusOK || s["reason"] != "unreachable" {
			t.Errorf("survey without web_link: got %d %v, want skipped as unreachable", skip.status, skip.body)
		}

		resp, err := http.Get(srv.URL + strings.TrimPrefix(link, "https://vocbot.example.com"))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `<html lang="ar" dir="rtl">`) {
			t.Errorf("answer page: got %d\n%s\nwant 200, Arabic, right to left", resp.StatusCode, page)
		}
	})
}

// TestImportPrintsWebLinks: an imported customer with no chat gets a web
// invitation whose link only the importer sees, so import prints it.
func TestImportPrintsWebLinks(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t, storage.SQLite)
	cfg := config.Default()
	cfg.HTTP.PublicURL = "https://vocbot.example.com"
	cfg.Surveys = append(cfg.Surveys, config.Survey{ID: "csat-web", Metric: "csat", Question: map[string]string{}, ExpiresAfter: 72 * time.Hour, WebLink: true})
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	store := storage.NewStore(db, jobs)
	engine := surveys.NewEngine(surveySettings(cfg, []surveys.Platform{surveys.Telegram}), store, nil)
	if _, _, err := webFace(context.Background(), cfg, engine, store, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/tp.jsonl"
	rows := `{"id":"e1","type":"ticket_closed","survey":"csat-web","customer":{"id":"cus_web"}}
{"id":"e2","type":"ticket_closed","survey":"csat-web","customer":{"id":"cus_chat","telegram_chat_id":42}}
`
	if err := os.WriteFile(path, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	sum, err := importTouchpoints(context.Background(), engine, path, &stdout, &stderr, false)
	if err != nil || sum.Scheduled != 2 {
		t.Fatalf("import: got %+v, %v; want 2 scheduled", sum, err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], path+":1: web link for cus_web: https://vocbot.example.com/answer/") {
		t.Errorf("got stdout %q, want one web link, for line 1", stdout.String())
	}
}
