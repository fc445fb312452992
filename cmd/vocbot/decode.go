package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// touchpointBody is the JSON of interface.md's touchpoint.
type touchpointBody struct {
	ID         string         `json:"id,omitempty"`
	Type       string         `json:"type"`
	OccurredAt string         `json:"occurred_at,omitempty"`
	Survey     string         `json:"survey,omitempty"`
	Customer   customerBody   `json:"customer"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

type customerBody struct {
	ID             string      `json:"id"`
	Name           string      `json:"name,omitempty"`
	Locale         string      `json:"locale,omitempty"`
	Timezone       string      `json:"timezone,omitempty"`
	TelegramChatID json.Number `json:"telegram_chat_id,omitempty"`
	SlackUserID    string      `json:"slack_user_id,omitempty"`
	DiscordUserID  string      `json:"discord_user_id,omitempty"`
}

// decodeError is a request the API could not read as a touchpoint.
type decodeError struct {
	status int
	code   string
	field  string
	msg    string
}

func (e *decodeError) Error() string { return e.msg }

// decodeTouchpoint parses one touchpoint strictly (unknown fields are
// errors, so a typo never silently drops data) and returns it with the hash
// of its canonical form: the same event re-sent with other whitespace or key
// order hashes the same.
func decodeTouchpoint(raw []byte) (surveys.Touchpoint, string, error) {
	var b touchpointBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return surveys.Touchpoint{}, "", classifyJSONError(err, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return surveys.Touchpoint{}, "", &decodeError{http.StatusBadRequest, "malformed_json", "", "the body holds more than one JSON value; send one touchpoint object"}
	}
	tp := surveys.Touchpoint{
		ExternalID: b.ID,
		Type:       b.Type,
		SurveyID:   b.Survey,
		Customer: surveys.Customer{
			ExternalID: b.Customer.ID,
			Name:       b.Customer.Name,
			Locale:     b.Customer.Locale,
			TimeZone:   b.Customer.Timezone,
		},
	}
	var fields []surveys.FieldError
	if b.OccurredAt != "" {
		t, err := time.Parse(time.RFC3339Nano, b.OccurredAt)
		if err != nil {
			fields = append(fields, surveys.FieldError{Field: "occurred_at", Message: fmt.Sprintf("%q is not an RFC 3339 time like 2026-11-22T10:00:00Z", b.OccurredAt)})
		}
		tp.OccurredAt = t.UTC()
	}
	if b.Customer.TelegramChatID != "" {
		if _, err := strconv.ParseInt(b.Customer.TelegramChatID.String(), 10, 64); err != nil {
			fields = append(fields, surveys.FieldError{Field: "customer.telegram_chat_id", Message: fmt.Sprintf("%s is not an integer chat id", b.Customer.TelegramChatID)})
		}
		tp.Customer.Identities = append(tp.Customer.Identities, surveys.Address{Platform: surveys.Telegram, ChatID: b.Customer.TelegramChatID.String(), UserID: b.Customer.TelegramChatID.String()})
	}
	if b.Customer.SlackUserID != "" {
		tp.Customer.Identities = append(tp.Customer.Identities, surveys.Address{Platform: surveys.Slack, UserID: b.Customer.SlackUserID})
	}
	if b.Customer.DiscordUserID != "" {
		tp.Customer.Identities = append(tp.Customer.Identities, surveys.Address{Platform: surveys.Discord, UserID: b.Customer.DiscordUserID})
	}
	if len(b.Attributes) > 0 {
		tp.Attributes = make(map[string]string, len(b.Attributes))
		for k, v := range b.Attributes {
			switch v := v.(type) {
			case string:
				tp.Attributes[k] = v
			case json.Number:
				tp.Attributes[k] = v.String()
			case bool:
				tp.Attributes[k] = strconv.FormatBool(v)
			default:
				fields = append(fields, surveys.FieldError{Field: "attributes." + k, Message: "must be a string, number or boolean (attributes are flat)"})
			}
		}
	}
	if len(fields) > 0 {
		return surveys.Touchpoint{}, "", &surveys.ValidationError{Fields: fields}
	}
	canonical, err := json.Marshal(b)
	if err != nil {
		return surveys.Touchpoint{}, "", fmt.Errorf("canonical touchpoint: %w", err)
	}
	return tp, hashHex(canonical), nil
}

// classifyJSONError turns encoding/json's errors into what the sender must fix.
func classifyJSONError(err error, prefix string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &decodeError{http.StatusBadRequest, "malformed_json", "", "the body is empty; send a JSON object"}
	case errors.As(err, &syn):
		return &decodeError{http.StatusBadRequest, "malformed_json", "", fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &decodeError{http.StatusBadRequest, "malformed_json", "", "the JSON ends too early; is the body cut off?"}
	case errors.As(err, &typ):
		field := prefix + typ.Field
		if field == "" {
			return &decodeError{http.StatusBadRequest, "malformed_json", "", fmt.Sprintf("expected a JSON object, got %s", typ.Value)}
		}
		return &decodeError{http.StatusUnprocessableEntity, "invalid", field, fmt.Sprintf("must be %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &decodeError{http.StatusUnprocessableEntity, "invalid", prefix + name, fmt.Sprintf("unknown field %q; see interface.md for the touchpoint's fields", name)}
	}
	return &decodeError{http.StatusBadRequest, "malformed_json", "", "malformed JSON: " + err.Error()}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice":
		return "an array"
	}
	return "a " + goKind
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
