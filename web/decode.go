package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vocbot/vocbot/surveys"
)

// touchpointBody is the touchpoint's JSON as the API documents it.
type touchpointBody struct {
	ID         string         `json:"id,omitempty"`
	Type       string         `json:"type"`
	OccurredAt string         `json:"occurred_at,omitempty"`
	Survey     string         `json:"survey,omitempty"`
	Customer   customerBody   `json:"customer"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

type customerBody struct {
	ID             string     `json:"id"`
	Name           string     `json:"name,omitempty"`
	Locale         string     `json:"locale,omitempty"`
	Timezone       string     `json:"timezone,omitempty"`
	TelegramChatID chatNumber `json:"telegram_chat_id,omitempty"`
	SlackUserID    string     `json:"slack_user_id,omitempty"`
	DiscordUserID  string     `json:"discord_user_id,omitempty"`
}

// decodeError is a request the API could not read as a touchpoint.
type decodeError struct {
	status int
	code   string
	field  string
	msg    string
}

func (e *decodeError) Error() string { return e.msg }

// DecodeTouchpoint parses one touchpoint strictly (unknown fields are
// errors, so a typo never silently drops data) and returns it with the hash
// of its canonical form: the same event re-sent with other whitespace or key
// order hashes the same.
func DecodeTouchpoint(raw []byte) (surveys.Touchpoint, string, error) {
	if field, inKey, ok := invalidUTF8Field(raw); ok {
		// encoding/json would quietly turn the bytes into U+FFFD.
		msg := "is not valid UTF-8; send text encoded as UTF-8"
		if inKey {
			msg = "has a key that is not valid UTF-8; send text encoded as UTF-8"
		}
		return surveys.Touchpoint{}, "", &surveys.ValidationError{Fields: []surveys.FieldError{{Field: field, Message: msg}}}
	}
	var b touchpointBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return surveys.Touchpoint{}, "", classifyJSONError(err, touchpointFields)
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
			fields = append(fields, surveys.FieldError{Field: "occurred_at", Message: fmt.Sprintf("%s is not an RFC 3339 time like 2026-11-22T10:00:00Z", surveys.Quote(b.OccurredAt))})
		}
		tp.OccurredAt = t.UTC()
	}
	if b.Customer.TelegramChatID != "" {
		id := string(b.Customer.TelegramChatID)
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			fields = append(fields, surveys.FieldError{Field: "customer.telegram_chat_id", Message: fmt.Sprintf("%s is not an integer chat id", surveys.Quote(id))})
		}
		tp.Customer.Identities = append(tp.Customer.Identities, surveys.Address{Platform: surveys.Telegram, ChatID: id, UserID: id})
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

// decodeBatch reads {"touchpoints":[…]} into its items, each left raw for
// decodeTouchpoint so one bad item fails alone.
func decodeBatch(body []byte) ([]json.RawMessage, error) {
	var req struct {
		Touchpoints []json.RawMessage `json:"touchpoints"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, classifyJSONError(err, "touchpoints")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &decodeError{http.StatusBadRequest, "malformed_json", "", "the body holds more than one JSON value; send one object"}
	}
	switch n := len(req.Touchpoints); {
	case n == 0:
		return nil, &decodeError{http.StatusUnprocessableEntity, "invalid", "touchpoints", `give at least one touchpoint: {"touchpoints":[{...}]}`}
	case n > maxBatch:
		return nil, &decodeError{http.StatusUnprocessableEntity, "invalid", "touchpoints", fmt.Sprintf("%d touchpoints; at most %d per batch", n, maxBatch)}
	}
	return req.Touchpoints, nil
}

// chatNumber is telegram_chat_id: a JSON number, or a string holding one
// (as json.Number takes it), with an error that names the field otherwise.
type chatNumber string

func (n *chatNumber) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = ""
		return nil
	}
	lit := b
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		lit = []byte(s)
	}
	var num json.Number
	if len(lit) == 0 || lit[0] == '"' || json.Unmarshal(lit, &num) != nil {
		return &decodeError{http.StatusUnprocessableEntity, "invalid", "customer.telegram_chat_id",
			fmt.Sprintf("customer.telegram_chat_id: expected a number (the chat id), got %s", jsonValueKind(b))}
	}
	*n = chatNumber(num)
	return nil
}

// MarshalJSON writes the number as json.Number did, so canonical hashes of
// earlier requests still match.
func (n chatNumber) MarshalJSON() ([]byte, error) { return json.Marshal(json.Number(n)) }

// jsonValueKind names the kind of a JSON value for an error message.
func jsonValueKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '"':
		return "a string that is not a number"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "an array"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	}
	return "a value that is not a number"
}

// touchpointFields and customerFields are listed when a field is unknown.
const (
	touchpointFields = "id, type, occurred_at, survey, customer, attributes"
	customerFields   = "id, name, locale, timezone, telegram_chat_id, slack_user_id, discord_user_id"
)

// classifyJSONError turns encoding/json's errors into what the sender must
// fix, naming the field and the JSON types, never Go's. known lists the
// top-level fields, for an unknown one.
func classifyJSONError(err error, known string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var de *decodeError
	switch {
	case errors.As(err, &de):
		return de
	case errors.Is(err, io.EOF):
		return &decodeError{http.StatusBadRequest, "malformed_json", "", "the body is empty; send a JSON object"}
	case errors.As(err, &syn):
		return &decodeError{http.StatusBadRequest, "malformed_json", "", fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &decodeError{http.StatusBadRequest, "malformed_json", "", "the JSON ends too early; is the body cut off?"}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &decodeError{http.StatusBadRequest, "malformed_json", "", fmt.Sprintf("expected a JSON object, got %s", jsonTypeName(typ.Value))}
		}
		return &decodeError{http.StatusUnprocessableEntity, "invalid", field, fmt.Sprintf("%s: expected %s, got %s", field, jsonKind(typ.Type.Kind()), jsonTypeName(typ.Value))}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if strings.HasPrefix(name, "customer.") {
			known = customerFields
		}
		return &decodeError{http.StatusUnprocessableEntity, "invalid", name, fmt.Sprintf("unknown field %s; the fields here are %s", surveys.Quote(name), known)}
	}
	return &decodeError{http.StatusBadRequest, "malformed_json", "", "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

// jsonKind names what a Go kind is in JSON.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}

// jsonTypeName turns UnmarshalTypeError.Value ("number", "bool", "number
// 1e999") into words.
func jsonTypeName(v string) string {
	switch {
	case v == "bool":
		return "a boolean"
	case v == "object", v == "array":
		return "an " + v
	case strings.HasPrefix(v, "number"):
		return "a number"
	case v == "string":
		return "a string"
	}
	return "a " + v
}

// invalidUTF8Field finds the field whose string holds the first byte of raw
// that is not UTF-8, so the error can name it ("customer.name"); inKey says
// the byte is in one of that object's keys instead. ok is false
// when raw is valid UTF-8. Bytes outside any string (malformed JSON) are
// left to the decoder's syntax error.
func invalidUTF8Field(raw []byte) (field string, inKey, ok bool) {
	bad := -1
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			bad = i
			break
		}
		i += size
	}
	if bad < 0 {
		return "", false, false
	}
	type frame struct {
		obj     bool
		key     string
		wantKey bool
		index   int
	}
	var stack []frame
	pathOf := func(frames []frame) string {
		var b strings.Builder
		for _, f := range frames {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				fmt.Fprintf(&b, "[%d]", f.index)
			}
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false, false
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		d, isDelim := tok.(json.Delim)
		closing := isDelim && (d == '}' || d == ']')
		if top != nil && !top.obj && !closing {
			top.index++
		}
		isKey := top != nil && top.obj && top.wantKey && !closing
		if dec.InputOffset() > int64(bad) {
			if isKey {
				return pathOf(stack[:len(stack)-1]), true, true
			}
			return pathOf(stack), false, true
		}
		switch {
		case isDelim && (d == '{' || d == '['):
			if top != nil && top.obj {
				top.wantKey = true // after this value, a key
			}
			stack = append(stack, frame{obj: d == '{', wantKey: true, index: -1})
		case closing:
			stack = stack[:len(stack)-1]
		case isKey:
			top.key, top.wantKey = tok.(string), false
		case top != nil && top.obj:
			top.wantKey = true
		}
	}
}
