package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Slack accepts 5 POSTs to a response_url within 30 minutes of the
// request that carried it.
const (
	responseURLUses = 5
	responseURLLife = 30 * time.Minute
)

// Response is a message an app posted to a response_url.
type Response struct {
	URL             string
	ResponseType    string // "ephemeral" (the default) or "in_channel"
	Text            string
	ReplaceOriginal bool
	Body            json.RawMessage // as posted
}

// responseURLs is the response_url state of a Server, under Server.mu.
type responseURLs struct {
	uses      map[string]int
	responses []Response
}

// HooksURL is the base of the response_urls this fake takes; Client
// builds them when its HooksURL is set to it. The Server's Push methods
// use it already.
func (s *Server) HooksURL() string { return s.http.URL + "/hooks/" }

// hook takes a POST to a response_url: path is kind/team/n/issued-unix.
func (s *Server) hook(w http.ResponseWriter, r *http.Request, path string) {
	parts := strings.Split(path, "/")
	var issued int64
	if len(parts) == 4 {
		issued, _ = strconv.ParseInt(parts[3], 10, 64)
	}
	if r.Method != http.MethodPost || issued == 0 {
		http.Error(w, "no such response_url", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var msg struct {
		ResponseType    string `json:"response_type"`
		Text            string `json:"text"`
		ReplaceOriginal bool   `json:"replace_original"`
	}
	if err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(body, &msg) != nil {
		writeJSON(w, http.StatusBadRequest, answer{"ok": false, "error": "invalid_payload"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.http.URL + r.URL.Path
	switch {
	case s.opts.Now().Sub(time.Unix(issued, 0)) > responseURLLife:
		writeJSON(w, http.StatusNotFound, answer{"ok": false, "error": "expired_url"})
		return
	case s.hooks.uses[u] >= responseURLUses:
		writeJSON(w, http.StatusNotFound, answer{"ok": false, "error": "used_url"})
		return
	case msg.Text == "":
		writeJSON(w, http.StatusBadRequest, answer{"ok": false, "error": "no_text"})
		return
	}
	if s.hooks.uses == nil {
		s.hooks.uses = map[string]int{}
	}
	s.hooks.uses[u]++
	if msg.ResponseType == "" {
		msg.ResponseType = "ephemeral"
	}
	s.hooks.responses = append(s.hooks.responses, Response{URL: u, ResponseType: msg.ResponseType, Text: msg.Text,
		ReplaceOriginal: msg.ReplaceOriginal, Body: body})
	s.notify()
	writeJSON(w, http.StatusOK, answer{"ok": true})
}

// Responses returns every message posted to a response_url, in order.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Response(nil), s.hooks.responses...)
}

// WaitResponse blocks until a message matching pred was posted to a
// response_url and returns it, or until ctx ends.
func (s *Server) WaitResponse(ctx context.Context, pred func(Response) bool) (Response, error) {
	for {
		s.mu.Lock()
		for _, r := range s.hooks.responses {
			if pred(r) {
				s.mu.Unlock()
				return r, nil
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Response{}, fmt.Errorf("slacktest: no matching response_url post: %w", ctx.Err())
		}
	}
}
