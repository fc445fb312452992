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

// forgottenBody says what erasing a customer changed.
type forgottenBody struct {
	CommentsErased       int64  `json:"comments_erased"`
	CustomerID           string `json:"customer_id"`
	IdentitiesDeleted    int64  `json:"identities_deleted"`
	InvitationsCancelled int64  `json:"invitations_cancelled"`
	LinkTokensDeleted    int64  `json:"link_tokens_deleted"`
	Responses            int64  `json:"responses"`
	TouchpointsCleared   int64  `json:"touchpoints_cleared"`
}

func forgottenJSON(rep surveys.ForgetReport) forgottenBody {
	return forgottenBody{CustomerID: rep.Pseudonym, Responses: rep.Responses, CommentsErased: rep.CommentsErased,
		IdentitiesDeleted: rep.IdentitiesDeleted, TouchpointsCleared: rep.TouchpointsCleared,
		LinkTokensDeleted: rep.LinkTokensDeleted, InvitationsCancelled: rep.InvitationsCancelled}
}
