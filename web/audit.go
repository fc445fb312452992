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
	page := auditPage{Entries: make([]AuditJSON, len(entries)), NextCursor: nextCursor(next)}
	for i, e := range entries {
		page.Entries[i] = AuditBody(e)
	}
	writeJSON(w, http.StatusOK, page)
}

// auditPage is one page of GET /v1/audit.
type auditPage struct {
	Entries    []AuditJSON `json:"entries"`
	NextCursor *string     `json:"next_cursor"`
}

// AuditJSON is one audit entry as the API and vocbot audit show it.
type AuditJSON struct {
	Action   string `json:"action"`
	Actor    string `json:"actor"`
	At       string `json:"at"`
	Detail   string `json:"detail"`
	ID       int64  `json:"id"`
	Platform string `json:"platform"`
	Result   string `json:"result"`
	Target   string `json:"target"`
}

// AuditBody renders an audit entry.
func AuditBody(e surveys.AuditEntry) AuditJSON {
	return AuditJSON{ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), Actor: e.Actor, Platform: string(e.Platform),
		Action: e.Action, Target: e.Target, Result: e.Result, Detail: e.Detail}
}
