package web

import (
	_ "embed"
	"fmt"
	"net/http"

	"github.com/vocbot/vocbot/surveys"
)

// openAPI describes /v1; a test walks the routes below against it.
//
//go:embed openapi.json
var openAPI []byte

// route is one registered pattern.
type route struct {
	pattern string
	handler http.Handler
}

// routes lists /v1: the API other systems call. Tests walk it to check the
// OpenAPI description and to send every route hostile input.
func (a *Server) routes() []route {
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

// pages lists the routes outside /v1: health and the dashboard.
func (a *Server) pages() []route {
	return []route{
		{"GET /livez", http.HandlerFunc(a.livez)},
		{"GET /readyz", http.HandlerFunc(a.readyz)},
		{"GET /{$}", http.HandlerFunc(a.dashboard)},
	}
}

func (a *Server) register(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, rt.handler)
	}
}

// Handler serves every route: /v1, health, the dashboard, GET /metrics
// (metrics; nil for none) and what mount adds (the platforms' verified
// inbound endpoints; nil for none).
func (a *Server) Handler(metrics http.Handler, mount func(*http.ServeMux)) http.Handler {
	mux := http.NewServeMux()
	a.register(mux)
	for _, rt := range a.pages() {
		mux.Handle(rt.pattern, rt.handler)
	}
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	if mount != nil {
		mount(mux)
	}
	return mux
}
