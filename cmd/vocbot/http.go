package main

import (
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/web"
)

// server wires the HTTP face to this process: its metrics registry and what
// /readyz checks.
type server struct {
	db       *storage.DB
	jobs     *storage.Jobs
	web      *web.Server
	inbound  func(*http.ServeMux) // the platforms' webhooks and signed endpoints
	stopping atomic.Bool          // set first on shutdown so load balancers drain us
	registry *prometheus.Registry
}

func newServer(db *storage.DB, jobs *storage.Jobs) *server {
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
	return &server{db: db, jobs: jobs, registry: reg}
}

// serve puts the HTTP face behind the server.
func (s *server) serve(w *web.Server) {
	s.web = w
	s.registry.MustRegister(w.Collectors()...)
}

func (s *server) routes() http.Handler {
	return s.web.Handler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry}), s.inbound)
}

// NotReady implements web.Health: the database answers, its schema is the
// one this binary expects, workers run, and we are not shutting down.
func (s *server) NotReady(ctx context.Context) string {
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
