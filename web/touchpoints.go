package web

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// MaxBody is the largest request /v1 accepts (413 beyond).
const MaxBody = 1 << 20

// maxBatch is the most touchpoints one batch request may carry.
const maxBatch = 1000

// apiSource is the Source of touchpoints that came through the API: one
// workspace, so every token speaks for the same sender and a retry with a
// rotated token is still recognized as a retry.
const apiSource = "api"

func (a *Server) postTouchpoint(w http.ResponseWriter, r *http.Request) {
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
	tp, hash, err := DecodeTouchpoint(body)
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

func (a *Server) postBatch(w http.ResponseWriter, r *http.Request) {
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
	results := make([]batchItem, len(items))
	var ins []surveys.Ingestion
	var index []int
	for i, raw := range items {
		tp, hash, err := DecodeTouchpoint(raw)
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
			results[i] = batchItem{Index: i, Status: status, Invitation: &out.Invitation, Skipped: out.Skipped}
			replayed = replayed && res[j].Replayed
		}
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusOK, batchResponse{Results: results})
}

// Bodies of the touchpoint routes. Fields are in alphabetical order, as
// the maps they replaced were encoded, so answers stay byte for byte the
// same.

// outcome is the answer to one touchpoint: its invitation, and why it was
// skipped when it was.
type outcome struct {
	Invitation invitationBody `json:"invitation"`
	Skipped    *skippedBody   `json:"skipped,omitempty"`
}

type skippedBody struct {
	Detail string `json:"detail"`
	Reason string `json:"reason"`
}

type invitationBody struct {
	CustomerID   string `json:"customer_id"`
	Detail       string `json:"detail"`
	DueAt        string `json:"due_at,omitempty"`
	ExpiresAt    string `json:"expires_at,omitempty"`
	ID           int64  `json:"id"`
	Locale       string `json:"locale,omitempty"`
	Platform     string `json:"platform,omitempty"`
	Status       string `json:"status"`
	Survey       string `json:"survey,omitempty"`
	TouchpointID int64  `json:"touchpoint_id"`
	// WebURL is a web invitation's signed answer link, for the caller to
	// hand on (e-mail, SMS).
	WebURL string `json:"web_url,omitempty"`
}

// batchResponse is the answer to a batch: one item per touchpoint, in order.
type batchResponse struct {
	Results []batchItem `json:"results"`
}

type batchItem struct {
	Error      *errorDetail    `json:"error,omitempty"`
	Index      int             `json:"index"`
	Invitation *invitationBody `json:"invitation,omitempty"`
	Skipped    *skippedBody    `json:"skipped,omitempty"`
	Status     int             `json:"status"`
}

// ingestResult renders a stored outcome: 202 for a scheduled invitation,
// 200 with the skip reason otherwise (a replay gets exactly the same).
func (a *Server) ingestResult(res surveys.Ingested) (int, outcome) {
	inv := res.Invitation
	out := outcome{Invitation: invitationJSON(inv)}
	if res.Replayed {
		a.count("replayed")
	}
	if inv.Status == surveys.Skipped {
		if !res.Replayed {
			a.count("skipped_" + string(inv.SkipReason))
		}
		out.Skipped = &skippedBody{Reason: string(inv.SkipReason), Detail: inv.Detail}
		return http.StatusOK, out
	}
	if !res.Replayed {
		a.count("scheduled")
	}
	return http.StatusAccepted, out
}

func invitationJSON(inv surveys.Invitation) invitationBody {
	b := invitationBody{ID: inv.ID, TouchpointID: inv.TouchpointID, CustomerID: inv.CustomerID, Status: string(inv.Status),
		Detail: inv.Detail, Survey: inv.SurveyID, Platform: string(inv.To.Platform), Locale: inv.Locale}
	if !inv.DueAt.IsZero() {
		b.DueAt = inv.DueAt.UTC().Format(time.RFC3339)
		b.ExpiresAt = inv.ExpiresAt.UTC().Format(time.RFC3339)
	}
	b.WebURL = inv.WebURL
	return b
}

func (a *Server) count(result string) { a.ingested.WithLabelValues(apiSource, result).Inc() }

func (a *Server) countError(err error) {
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

func (a *Server) writeIngestError(w http.ResponseWriter, err error) {
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

func itemError(i int, err error) batchItem {
	var ve *surveys.ValidationError
	var de *decodeError
	e := errorDetail{Code: "invalid", Message: err.Error()}
	status := http.StatusUnprocessableEntity
	switch {
	case errors.As(err, &de):
		status = de.status
		e = errorDetail{Code: de.code, Message: de.msg, Field: de.field}
	case errors.As(err, &ve):
		e.Field, e.Message = ve.Fields[0].Field, ve.Fields[0].Message
		e.Details = fieldList(ve)
	case errors.Is(err, surveys.ErrIdempotencyKeyReused):
		e.Code = "idempotency_key_reused"
		e.Message = "this touchpoint id was used before with a different body"
	default:
		status = http.StatusServiceUnavailable
		e.Code, e.Message = "unavailable", "not stored; retry this item"
	}
	return batchItem{Index: i, Status: status, Error: &e}
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
