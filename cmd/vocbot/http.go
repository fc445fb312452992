package main

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vocbot/vocbot/storage"
)

// server holds what the public handlers need; it is built once in serve.
type server struct {
	db       *storage.DB
	jobs     *storage.Jobs
	api      *api
	inbound  func(*http.ServeMux) // the platforms' webhooks and signed endpoints
	stopping atomic.Bool          // set first on shutdown so load balancers drain us
	registry *prometheus.Registry
}

func newServer(db *storage.DB, jobs *storage.Jobs, a *api) *server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "vocbot_build_info",
			Help:        "Always 1; labels say which build is running.",
			ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
		}, func() float64 { return 1 }),
	)
	reg.MustRegister(db.Collectors()...)
	reg.MustRegister(jobs.Collectors()...)
	reg.MustRegister(a.collectors()...)
	return &server{db: db, jobs: jobs, api: a, registry: reg}
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", s.livez)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry}))
	s.api.register(mux)
	if s.inbound != nil {
		s.inbound(mux)
	}
	return mux
}

// livez checks nothing external: a database blip must not get us restarted.
func (s *server) livez(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether this replica should get traffic: the database answers,
// its schema is the one this binary expects, workers run, and we are not
// shutting down.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if reason := s.notReady(r.Context()); reason != "" {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) notReady(ctx context.Context) string {
	if s.stopping.Load() {
		return "shutting down"
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		return "database unreachable: " + err.Error()
	}
	current, err := s.db.SchemaCurrent(ctx)
	if err != nil {
		return "database schema unknown: " + err.Error()
	}
	if !current {
		return "database schema is behind this binary: run 'vocbot migrate'"
	}
	if !s.jobs.Running() {
		return "job workers are not running"
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
