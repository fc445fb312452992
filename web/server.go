// Package web is vocbot's HTTP face, one more adapter around the domain
// (surveys): the /v1 API other systems call, with typed request and
// response bodies and its OpenAPI description, the health endpoints, and
// the read-only dashboard. It gets the Engine and a Store when it is built;
// it never reaches for storage, configuration or a chat platform itself.
// Every route is listed in routes.go.
package web

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// Store is what the HTTP face reads and changes; storage.Store implements
// it.
type Store interface {
	// ReportStore: the score report's aggregates.
	surveys.ReportStore
	Responses(ctx context.Context, f surveys.ResponseFilter) ([]surveys.Response, surveys.Cursor, error)
	Audit(ctx context.Context, f surveys.AuditFilter) ([]surveys.AuditEntry, surveys.Cursor, error)
	// ForgetBy erases a customer, recording by in the audit log.
	ForgetBy(ctx context.Context, customerExternalID string, by surveys.AuditEntry) (surveys.ForgetReport, error)
	// CreateLinkToken issues a deep-link token for a customer.
	CreateLinkToken(ctx context.Context, customerExternalID string, ttl time.Duration) (string, time.Time, error)
	// Alerts lists alerts with their timelines, newest first, a page at a time.
	Alerts(ctx context.Context, f surveys.AlertFilter) ([]surveys.AlertView, surveys.Cursor, error)
	// AlertView is one alert; surveys.ErrNotFound when there is none.
	AlertView(ctx context.Context, id int64) (surveys.AlertView, error)
	// UnresolvedAlerts lists alerts nobody has resolved, newest first.
	UnresolvedAlerts(ctx context.Context, limit int) ([]surveys.UnresolvedAlert, error)
}

// Config is what the HTTP face needs besides the Engine and the Store.
type Config struct {
	// Tokens are the bearer tokens /v1 accepts.
	Tokens []string
	// WebhookKey is the Standard Webhooks key; nil means no signature is
	// required on POST /v1/touchpoints.
	WebhookKey []byte
	// LinkBot is the Telegram bot's username for t.me deep links; "" when
	// Telegram is not configured.
	LinkBot string
	// ENPS are the workspace's eNPS anonymity thresholds; zero means the
	// defaults.
	ENPS scoring.Thresholds
	// Health tells /readyz whether this replica should get traffic.
	Health Health
	// Sessions checks a dashboard request's session; nil lets nobody in.
	Sessions Sessions
	Logger   *slog.Logger
}

// Health says why this replica should not get traffic; "" when it should.
type Health interface {
	NotReady(ctx context.Context) string
}

// Server serves vocbot's HTTP face.
type Server struct {
	engine     *surveys.Engine
	store      Store
	tokens     [][sha256.Size]byte // digests: compare without leaking length or content
	webhookKey []byte              // Standard Webhooks key; nil = no signature required
	linkBot    string              // bot username for t.me links; "" = Telegram not configured
	enps       scoring.Thresholds  // eNPS anonymity: cells below it show n only
	health     Health
	sessions   Sessions
	now        func() time.Time
	log        *slog.Logger

	ingested  *prometheus.CounterVec
	batchSize prometheus.Histogram
}

// New builds the HTTP face.
func New(engine *surveys.Engine, store Store, cfg Config) *Server {
	a := &Server{
		engine:     engine,
		store:      store,
		webhookKey: cfg.WebhookKey,
		linkBot:    cfg.LinkBot,
		enps:       cfg.ENPS,
		health:     cfg.Health,
		sessions:   cfg.Sessions,
		now:        func() time.Time { return time.Now().UTC() },
		log:        cfg.Logger,
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vocbot_touchpoints_ingested_total",
			Help: "Touchpoints received, by source and result (scheduled, skipped_<reason>, replayed, invalid, conflict, error).",
		}, []string{"source", "result"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vocbot_ingest_batch_size",
			Help:    "Touchpoints per batch request.",
			Buckets: []float64{1, 10, 50, 100, 250, 500, 1000},
		}),
	}
	if a.enps.Score == 0 {
		a.enps = scoring.DefaultThresholds(scoring.ENPS)
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	for _, t := range cfg.Tokens {
		a.tokens = append(a.tokens, sha256.Sum256([]byte(t)))
	}
	return a
}

// Collectors are the HTTP face's metrics, for the process's registry.
func (a *Server) Collectors() []prometheus.Collector {
	return []prometheus.Collector{a.ingested, a.batchSize}
}

// Sessions checks whether a dashboard request carries a valid session: the
// sign-in (one-time links, a session cookie) implements it.
type Sessions interface {
	Valid(r *http.Request) (who string, ok bool)
}
