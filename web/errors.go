package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vocbot/vocbot/surveys"
)

// Every route answers bad input the same way: decoding, authentication and
// the error shape {"error":{"code","message","field"}} live here.

// authorized checks the bearer token against every configured token, then
// that the path and query are text vocbot can use (see checkURL).
func (a *Server) authorized(next http.HandlerFunc) http.Handler {
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

// readBody reads at most MaxBody bytes and checks the webhook signature on
// the raw bytes before anything is parsed. It writes the error response
// itself and returns ok=false.
func (a *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, string, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apiError(w, http.StatusRequestEntityTooLarge, "body_too_large", "", fmt.Sprintf("the body is over %d bytes; split it (batches take up to %d touchpoints)", MaxBody, maxBatch))
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

// errorBody is every error answer: {"error":{"code","message","field"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail says what went wrong: a stable code, a message saying what to
// fix, the field at fault, and for validation every field at fault.
type errorDetail struct {
	Code    string       `json:"code"`
	Details []fieldError `json:"details,omitempty"`
	Field   string       `json:"field,omitempty"`
	Message string       `json:"message"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiError writes the API's error shape.
func apiError(w http.ResponseWriter, status int, code, field, message string) {
	writeJSON(w, status, errorBody{errorDetail{Code: code, Field: field, Message: message}})
}

func writeValidation(w http.ResponseWriter, ve *surveys.ValidationError) {
	first := ve.Fields[0]
	writeJSON(w, http.StatusUnprocessableEntity, errorBody{errorDetail{Code: "invalid", Field: first.Field, Message: first.Message, Details: fieldList(ve)}})
}

func fieldList(ve *surveys.ValidationError) []fieldError {
	out := make([]fieldError, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = fieldError{Field: f.Field, Message: f.Message}
	}
	return out
}

// paramError is a query parameter or flag that cannot be used as given:
// unreadable (400) or out of range (outOfRange, 422).
type paramError struct {
	name, msg  string
	outOfRange bool
}

func (e *paramError) Error() string { return e.name + ": " + e.msg }

// writeParamError answers 422 for a value out of range, 400 for anything
// unreadable, naming the parameter.
func writeParamError(w http.ResponseWriter, err error) {
	var pe *paramError
	if errors.As(err, &pe) {
		status := http.StatusBadRequest
		if pe.outOfRange {
			status = http.StatusUnprocessableEntity
		}
		apiError(w, status, "invalid_parameter", pe.name, pe.msg)
		return
	}
	apiError(w, http.StatusBadRequest, "invalid_parameter", "", err.Error())
}

// unknownParams rejects query parameters the endpoint does not take, so a
// typo ("survey_id=") is not silently ignored.
func unknownParams(q url.Values, known ...string) error {
	for k := range q {
		found := false
		for _, n := range known {
			found = found || k == n
		}
		if !found {
			return &paramError{k, fmt.Sprintf("unknown parameter; this endpoint takes %s", strings.Join(known, ", ")), false}
		}
	}
	return nil
}

func writeDecodeError(w http.ResponseWriter, err error) {
	var de *decodeError
	var ve *surveys.ValidationError
	switch {
	case errors.As(err, &de):
		apiError(w, de.status, de.code, de.field, de.msg)
	case errors.As(err, &ve):
		writeValidation(w, ve)
	default:
		apiError(w, http.StatusBadRequest, "malformed_json", "", err.Error())
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
