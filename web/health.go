package web

import "net/http"

// healthBody is the body of /livez and /readyz.
type healthBody struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// livez checks nothing external: a database blip must not get us restarted.
func (a *Server) livez(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

// readyz says whether this replica should get traffic (see Health).
func (a *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if a.health != nil {
		if reason := a.health.NotReady(r.Context()); reason != "" {
			writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Reason: reason})
			return
		}
	}
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}
