package web

import (
	"net/http"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// GET /v1/audit: the audit log, newest first.

func (a *Server) getAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := unknownParams(q, "since", "actor", "limit", "cursor"); err != nil {
		writeParamError(w, err)
		return
	}
	since, err := ParseInstant("since", q.Get("since"), a.now(), a.engine.Settings().Timezone)
	if err != nil {
		writeParamError(w, err)
		return
	}
	limit, after, err := parsePage(q)
	if err != nil {
		writeParamError(w, err)
		return
	}
	entries, next, err := a.store.Audit(r.Context(), surveys.AuditFilter{Since: since, Actor: q.Get("actor"), After: after, Limit: limit})
	if err != nil {
		a.log.Error("read audit log", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read the audit log; try again")
		return
	}
	writePage(w, "entries", entries, AuditBody, next)
}

func AuditBody(e surveys.AuditEntry) map[string]any {
	return map[string]any{
		"id": e.ID, "at": e.At.UTC().Format(time.RFC3339Nano), "actor": e.Actor, "platform": string(e.Platform),
		"action": e.Action, "target": e.Target, "result": e.Result, "detail": e.Detail,
	}
}
