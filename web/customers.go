package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vocbot/vocbot/surveys"
)

// Erasure: DELETE /v1/customers/{id}, one storage call (ForgetBy), audited
// as "api"; vocbot forget makes the same call as "cli".

func (a *Server) deleteCustomer(w http.ResponseWriter, r *http.Request) {
	id, ok := customerID(w, r)
	if !ok {
		return
	}
	rep, err := a.store.ForgetBy(r.Context(), id, surveys.AuditEntry{Actor: "api"})
	switch {
	case errors.Is(err, surveys.ErrNotFound):
		apiError(w, http.StatusNotFound, "customer_not_found", "id", fmt.Sprintf("no customer %s (or they were forgotten already); nothing was erased", surveys.Quote(id)))
		return
	case err != nil:
		a.log.Error("forget customer", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "nothing was erased; try again")
		return
	}
	writeJSON(w, http.StatusOK, forgottenJSON(rep))
}

func forgottenJSON(rep surveys.ForgetReport) map[string]any {
	return map[string]any{
		"customer_id":           rep.Pseudonym,
		"responses":             rep.Responses,
		"comments_erased":       rep.CommentsErased,
		"identities_deleted":    rep.IdentitiesDeleted,
		"touchpoints_cleared":   rep.TouchpointsCleared,
		"link_tokens_deleted":   rep.LinkTokensDeleted,
		"invitations_cancelled": rep.InvitationsCancelled,
	}
}
