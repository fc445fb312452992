package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
)

// A client of the HTTP API for tests that drive vocbot serve.

const testToken = "test-token-0123456789abcdef"

// apiFixture is a served vocbot at url.
type apiFixture struct {
	url string
}

type apiReply struct {
	status int
	header http.Header
	body   map[string]any
}

func (f apiFixture) do(t *testing.T, method, path, body string, header http.Header) apiReply {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %q", method, path, raw)
		}
	}
	return apiReply{status: resp.StatusCode, header: resp.Header, body: m}
}

type seededAnswer struct {
	customer, survey, metric string
	score                    int
	comment                  string // "" = none
	attrs                    string // JSON object
	at                       time.Time
}

func countRows(t *testing.T, db *storage.DB, query string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
