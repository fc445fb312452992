package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// openAPI describes /v1; a test keeps it in step with the routes.
//
//go:embed openapi.json
var openAPI []byte

// maxBody is the largest request /v1 accepts (413 beyond).
const maxBody = 1 << 20

// maxBatch is the most touchpoints one batch request may carry.
const maxBatch = 1000

// apiSource is the Source of touchpoints that came through the API: one
// workspace, so every token speaks for the same sender and a retry with a
// rotated token is still recognized as a retry.
const apiSource = "api"

// linkIssuer issues deep-link tokens (storage.Store implements it).
type linkIssuer interface {
	CreateLinkToken(ctx context.Context, customerExternalID string, ttl time.Duration) (string, time.Time, error)
}

// api serves /v1: the ingestion endpoints other systems call.
type api struct {
	engine     *surveys.Engine
	links      linkIssuer
	store      *storage.Store      // reads responses, scores and the audit log; erases customers
	tokens     [][sha256.Size]byte // digests: compare without leaking length or content
	webhookKey []byte              // Standard Webhooks key; nil = no signature required
	linkBot    string              // bot username for t.me links; "" = Telegram not configured
	enps       scoring.Thresholds  // eNPS anonymity: cells below it show n only
	now        func() time.Time
	log        *slog.Logger

	ingested  *prometheus.CounterVec
	batchSize prometheus.Histogram
}

func newAPI(engine *surveys.Engine, store *storage.Store, tokens []string, webhookKey []byte, log *slog.Logger) *api {
	a := &api{
		engine:     engine,
		links:      store,
		store:      store,
		webhookKey: webhookKey,
		enps:       scoring.DefaultThresholds(scoring.ENPS),
		now:        func() time.Time { return time.Now().UTC() },
		log:        log,
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
	for _, t := range tokens {
		a.tokens = append(a.tokens, sha256.Sum256([]byte(t)))
	}
	return a
}

func (a *api) collectors() []prometheus.Collector {
	return []prometheus.Collector{a.ingested, a.batchSize}
}

// route is one registered pattern of /v1.
type route struct {
	pattern string
	handler http.Handler
}

// routes lists /v1; tests walk it to send every route hostile input.
func (a *api) routes() []route {
	return []route{
		{"POST /v1/touchpoints", a.authorized(a.postTouchpoint)},
		{"POST /v1/touchpoints/batch", a.authorized(a.postBatch)},
		{"POST /v1/customers/{id}/links", a.authorized(a.postLink)},
		{"DELETE /v1/customers/{id}", a.authorized(a.deleteCustomer)},
		{"GET /v1/responses", a.authorized(a.getResponses)},
		{"GET /v1/scores", a.authorized(a.getScores)},
		{"GET /v1/audit", a.authorized(a.getAudit)},
		{"GET /v1/alerts", a.authorized(a.getAlerts)},
		{"GET /v1/alerts/{id}", a.authorized(a.getAlert)},
		{"GET /v1/openapi.json", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(openAPI)
		})},
		{"/v1/", a.authorized(func(w http.ResponseWriter, r *http.Request) {
			apiError(w, http.StatusNotFound, "not_found", "", fmt.Sprintf("no endpoint %s %s; see GET /v1/openapi.json", r.Method, surveys.Quote(r.URL.Path)))
		})},
	}
}

func (a *api) register(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, rt.handler)
	}
}

// authorized checks the bearer token against every configured token, then
// that the path and query are text vocbot can use (see checkURL).
func (a *api) authorized(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vocbot"`)
			apiError(w, http.StatusUnauthorized, "unauthorized", "", "send Authorization: Bearer <token> with a token from VOCBOT_API_TOKENS")
			return
		}
		got := sha256.Sum256([]byte(token))
		match := 0
		for _, want := range a.tokens {
			match |= subtle.ConstantTimeCompare(got[:], want[:])
		}
		if match != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vocbot", error="invalid_token"`)
			apiError(w, http.StatusUnauthorized, "unauthorized", "", "the bearer token is not one of VOCBOT_API_TOKENS")
			return
		}
		if err := checkURL(r); err != nil {
			writeParamError(w, err)
			return
		}
		next(w, r)
	})
}

// bearerToken reads "Bearer <token>"; the scheme is case-insensitive
// (RFC 9110 §11.1), so "bearer" and "BEARER" work too.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// checkURL refuses a path or query that no handler could use: a query that
// does not parse, or text with NUL or invalid UTF-8 (%00, %FF), which would
// otherwise reach the database. The error names the parameter.
func checkURL(r *http.Request) error {
	if p := surveys.TextProblem(r.URL.Path); p != "" {
		return &paramError{"path", "the path " + p, false}
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return &paramError{"query", "the query string is malformed (check its %-escapes)", false}
	}
	for k, vs := range q {
		if p := surveys.TextProblem(k); p != "" {
			return &paramError{"query", "a parameter name " + p, false}
		}
		for _, v := range vs {
			if p := surveys.TextProblem(v); p != "" {
				return &paramError{k, p, false}
			}
		}
	}
	return nil
}

// customerID reads /v1/customers/{id} and checks it under the same rule as
// a touchpoint's customer.id, answering 422 itself when it fails.
func customerID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if p := surveys.CustomerIDProblem(id); p != "" {
		apiError(w, http.StatusUnprocessableEntity, "invalid", "id", "the customer id "+p)
		return "", false
	}
	return id, true
}

// readBody reads at most maxBody bytes and checks the webhook signature on
// the raw bytes before anything is parsed. It writes the error response
// itself and returns ok=false.
func (a *api) readBody(w http.ResponseWriter, r *http.Request) ([]byte, string, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apiError(w, http.StatusRequestEntityTooLarge, "body_too_large", "", fmt.Sprintf("the body is over %d bytes; split it (batches take up to %d touchpoints)", maxBody, maxBatch))
			return nil, "", false
		}
		apiError(w, http.StatusBadRequest, "unreadable_body", "", "could not read the request body: "+err.Error())
		return nil, "", false
	}
	webhookID := ""
	if a.webhookKey != nil {
		id, err := verifyWebhook(a.webhookKey, r.Header, body, a.now())
		if err != nil {
			apiError(w, http.StatusUnauthorized, "invalid_signature", "", err.Error())
			return nil, "", false
		}
		webhookID = id
	}
	return body, webhookID, true
}

func (a *api) postTouchpoint(w http.ResponseWriter, r *http.Request) {
	body, webhookID, ok := a.readBody(w, r)
	if !ok {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !validIdempotencyKey(key) {
		apiError(w, http.StatusBadRequest, "invalid_idempotency_key", "Idempotency-Key", "must be 1–255 printable ASCII characters")
		return
	}
	if key == "" {
		// Standard Webhooks senders retry with the same webhook-id.
		key = webhookID
	}
	tp, hash, err := decodeTouchpoint(body)
	if err != nil {
		a.count("invalid")
		writeDecodeError(w, err)
		return
	}
	tp.Source = apiSource
	res, err := a.engine.Ingest(r.Context(), surveys.Ingestion{Touchpoint: tp, RequestHash: hash, IdempotencyKey: key})
	if err != nil {
		a.writeIngestError(w, err)
		return
	}
	status, out := a.ingestResult(res)
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, out)
}

func (a *api) postBatch(w http.ResponseWriter, r *http.Request) {
	body, webhookID, ok := a.readBody(w, r)
	if !ok {
		return
	}
	if r.Header.Get("Idempotency-Key") != "" {
		apiError(w, http.StatusBadRequest, "idempotency_key_unsupported", "Idempotency-Key",
			"batches are made idempotent by each touchpoint's id; drop the header and give every item an id")
		return
	}
	items, err := decodeBatch(body)
	if err != nil {
		writeDecodeError(w, err)
		return
	}
	a.batchSize.Observe(float64(len(items)))
	results := make([]map[string]any, len(items))
	var ins []surveys.Ingestion
	var index []int
	for i, raw := range items {
		tp, hash, err := decodeTouchpoint(raw)
		if err != nil {
			a.count("invalid")
			results[i] = itemError(i, err)
			continue
		}
		tp.Source = apiSource
		ins = append(ins, surveys.Ingestion{Touchpoint: tp, RequestHash: hash})
		index = append(index, i)
	}
	replayed := false
	if len(ins) > 0 {
		// A signed batch is one request under its webhook-id: a replay
		// inside the signature window returns the first result, items
		// without an id included, instead of storing them again.
		key := surveys.BatchKey{}
		if webhookID != "" {
			key = surveys.BatchKey{Key: webhookID, RequestHash: hashHex(body)}
		}
		res, errs, err := a.engine.IngestKeyedBatch(r.Context(), key, ins)
		if err != nil {
			a.writeIngestError(w, err)
			return
		}
		replayed = key.Key != ""
		for j, i := range index {
			if errs[j] != nil {
				a.countError(errs[j])
				results[i] = itemError(i, errs[j])
				continue
			}
			status, out := a.ingestResult(res[j])
			out["index"], out["status"] = i, status
			results[i] = out
			replayed = replayed && res[j].Replayed
		}
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (a *api) postLink(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := a.readBody(w, r); !ok {
		return
	}
	if a.linkBot == "" {
		apiError(w, http.StatusConflict, "telegram_not_configured", "", "deep links need the Telegram bot: set VOCBOT_TELEGRAM_TOKEN")
		return
	}
	id, ok := customerID(w, r)
	if !ok {
		return
	}
	token, expires, err := a.links.CreateLinkToken(r.Context(), id, surveys.DefaultLinkTTL)
	switch {
	case errors.Is(err, surveys.ErrNotFound):
		apiError(w, http.StatusNotFound, "customer_not_found", "id", fmt.Sprintf("no customer %s; send a touchpoint for them first", surveys.Quote(id)))
		return
	case err != nil:
		a.log.Error("create link token", "err", err)
		apiError(w, http.StatusInternalServerError, "internal", "", "could not create the link; try again")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"telegram_url": surveys.TelegramLink(a.linkBot, token),
		"expires_at":   expires.UTC().Format(time.RFC3339),
	})
}

// ingestResult renders a stored outcome: 202 for a scheduled invitation,
// 200 with the skip reason otherwise (a replay gets exactly the same).
func (a *api) ingestResult(res surveys.Ingested) (int, map[string]any) {
	inv := res.Invitation
	out := map[string]any{"invitation": invitationJSON(inv)}
	if res.Replayed {
		a.count("replayed")
	}
	if inv.Status == surveys.Skipped {
		if !res.Replayed {
			a.count("skipped_" + string(inv.SkipReason))
		}
		out["skipped"] = map[string]string{"reason": string(inv.SkipReason), "detail": inv.Detail}
		return http.StatusOK, out
	}
	if !res.Replayed {
		a.count("scheduled")
	}
	return http.StatusAccepted, out
}

func invitationJSON(inv surveys.Invitation) map[string]any {
	m := map[string]any{
		"id":            inv.ID,
		"touchpoint_id": inv.TouchpointID,
		"customer_id":   inv.CustomerID,
		"status":        string(inv.Status),
		"detail":        inv.Detail,
	}
	if inv.SurveyID != "" {
		m["survey"] = inv.SurveyID
	}
	if inv.To.Platform != "" {
		m["platform"] = string(inv.To.Platform)
	}
	if inv.Locale != "" {
		m["locale"] = inv.Locale
	}
	if !inv.DueAt.IsZero() {
		m["due_at"] = inv.DueAt.UTC().Format(time.RFC3339)
		m["expires_at"] = inv.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return m
}

func (a *api) count(result string) { a.ingested.WithLabelValues(apiSource, result).Inc() }

func (a *api) countError(err error) {
	var ve *surveys.ValidationError
	switch {
	case errors.As(err, &ve):
		a.count("invalid")
	case errors.Is(err, surveys.ErrIdempotencyKeyReused), errors.Is(err, surveys.ErrInProgress):
		a.count("conflict")
	default:
		a.count("error")
	}
}

func (a *api) writeIngestError(w http.ResponseWriter, err error) {
	a.countError(err)
	var ve *surveys.ValidationError
	switch {
	case errors.As(err, &ve):
		writeValidation(w, ve)
	case errors.Is(err, surveys.ErrIdempotencyKeyReused):
		apiError(w, http.StatusUnprocessableEntity, "idempotency_key_reused", "",
			"this Idempotency-Key, webhook-id or touchpoint id was used before with a different body; use a new key or id for a new event")
	case errors.Is(err, surveys.ErrInProgress):
		w.Header().Set("Retry-After", "1")
		apiError(w, http.StatusConflict, "request_in_progress", "", "a request with this Idempotency-Key or webhook-id is still being processed; retry shortly")
	case errors.Is(err, context.Canceled):
		// The client went away; nothing useful to answer.
	default:
		a.log.Error("ingest touchpoint", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "the touchpoint was not stored; retry with the same id or Idempotency-Key")
	}
}

func itemError(i int, err error) map[string]any {
	var ve *surveys.ValidationError
	var de *decodeError
	e := map[string]any{"code": "invalid", "message": err.Error()}
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &de):
		status = de.status
		e = map[string]any{"code": de.code, "message": de.msg}
		if de.field != "" {
			e["field"] = de.field
		}
	case errors.As(err, &ve):
		e["field"], e["message"] = ve.Fields[0].Field, ve.Fields[0].Message
		e["details"] = fieldList(ve)
	case errors.Is(err, surveys.ErrIdempotencyKeyReused):
		e["code"] = "idempotency_key_reused"
		e["message"] = "this touchpoint id was used before with a different body"
	default:
		status = http.StatusServiceUnavailable
		e["code"], e["message"] = "unavailable", "not stored; retry this item"
	}
	return map[string]any{"index": i, "status": status, "error": e}
}

// apiError writes the API's error shape: {"error":{"code","message","field"}}.
func apiError(w http.ResponseWriter, status int, code, field, message string) {
	e := map[string]string{"code": code, "message": message}
	if field != "" {
		e["field"] = field
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func writeValidation(w http.ResponseWriter, ve *surveys.ValidationError) {
	first := ve.Fields[0]
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{
		"code": "invalid", "field": first.Field, "message": first.Message, "details": fieldList(ve),
	}})
}

func fieldList(ve *surveys.ValidationError) []map[string]string {
	out := make([]map[string]string, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = map[string]string{"field": f.Field, "message": f.Message}
	}
	return out
}

func validIdempotencyKey(k string) bool {
	if len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
