package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// Deep links: POST /v1/customers/{id}/links issues a t.me link that ties
// the customer's Telegram chat to them when they press Start.

type linkResponse struct {
	ExpiresAt   string `json:"expires_at"`
	TelegramURL string `json:"telegram_url"`
}

func (a *Server) postLink(w http.ResponseWriter, r *http.Request) {
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
	token, expires, err := a.store.CreateLinkToken(r.Context(), id, surveys.DefaultLinkTTL)
	switch {
	case errors.Is(err, surveys.ErrNotFound):
		apiError(w, http.StatusNotFound, "customer_not_found", "id", fmt.Sprintf("no customer %s; send a touchpoint for them first", surveys.Quote(id)))
		return
	case err != nil:
		a.log.Error("create link token", "err", err)
		apiError(w, http.StatusInternalServerError, "internal", "", "could not create the link; try again")
		return
	}
	writeJSON(w, http.StatusCreated, linkResponse{TelegramURL: surveys.TelegramLink(a.linkBot, token), ExpiresAt: expires.UTC().Format(time.RFC3339)})
}

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
