package web

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vocbot/vocbot/surveys"
)

// The file forms of POST /v1/touchpoints, for `vocbot import`: every row
// becomes the same JSON the API takes and goes through DecodeTouchpoint, so
// a file and a request are validated alike.

// TouchpointCSVColumns are the CSV header names; attribute columns are "attr.<name>".
var TouchpointCSVColumns = []string{"id", "type", "occurred_at", "survey", "customer_id", "customer_name",
	"customer_locale", "customer_timezone", "telegram_chat_id", "slack_user_id", "discord_user_id"}

// JSONLTouchpoints reads one touchpoint JSON object per line, as the API
// takes them. It returns io.EOF after the last row; blank lines are skipped.
func JSONLTouchpoints(r io.Reader) func() (surveys.ImportRow, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), MaxBody)
	line := 0
	return func() (surveys.ImportRow, error) {
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if text == "" {
				continue
			}
			tp, hash, err := DecodeTouchpoint([]byte(text))
			return surveys.ImportRow{Line: line, In: surveys.Ingestion{Touchpoint: tp, RequestHash: hash}, Err: err}, nil
		}
		if err := sc.Err(); err != nil {
			return surveys.ImportRow{}, fmt.Errorf("line %d: %w", line+1, err)
		}
		return surveys.ImportRow{}, io.EOF
	}
}

// CSVTouchpoints reads a CSV file with a header row naming
// TouchpointCSVColumns (any order, any subset with at least type and
// customer_id) plus attr.<name> columns. A row the API would refuse comes
// back with its Err set; only an unreadable file is an error.
func CSVTouchpoints(r io.Reader) (func() (surveys.ImportRow, error), error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read the CSV header: %w", err)
	}
	known := map[string]bool{}
	for _, c := range TouchpointCSVColumns {
		known[c] = true
	}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		if !known[h] && !strings.HasPrefix(h, "attr.") {
			return nil, fmt.Errorf("line 1: unknown column %s; columns are %s and attr.<name>", surveys.Quote(h), strings.Join(TouchpointCSVColumns, ", "))
		}
	}
	return func() (surveys.ImportRow, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return surveys.ImportRow{}, io.EOF
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				return surveys.ImportRow{Line: line, Err: err}, nil
			}
			return surveys.ImportRow{}, err
		}
		if len(rec) != len(header) {
			return surveys.ImportRow{Line: line, Err: fmt.Errorf("%d fields; the header has %d", len(rec), len(header))}, nil
		}
		body := map[string]any{}
		customer := map[string]any{}
		attrs := map[string]any{}
		for i, v := range rec {
			if v == "" {
				continue
			}
			if p := surveys.TextProblem(v); p != "" {
				// Refused here: JSON encoding would quietly replace the bytes.
				return surveys.ImportRow{Line: line, Err: fmt.Errorf("%s: %s", header[i], p)}, nil
			}
			switch h := header[i]; {
			case strings.HasPrefix(h, "attr."):
				attrs[strings.TrimPrefix(h, "attr.")] = v
			case h == "customer_id":
				customer["id"] = v
			case h == "customer_name", h == "customer_locale", h == "customer_timezone":
				customer[strings.TrimPrefix(h, "customer_")] = v
			case h == "telegram_chat_id":
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return surveys.ImportRow{Line: line, Err: fmt.Errorf("telegram_chat_id: %s is not an integer chat id", surveys.Quote(v))}, nil
				}
				customer[h] = json.Number(v)
			case h == "slack_user_id", h == "discord_user_id":
				customer[h] = v
			default:
				body[h] = v
			}
		}
		body["customer"] = customer
		if len(attrs) > 0 {
			body["attributes"] = attrs
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return surveys.ImportRow{Line: line, Err: err}, nil
		}
		tp, hash, err := DecodeTouchpoint(raw)
		return surveys.ImportRow{Line: line, In: surveys.Ingestion{Touchpoint: tp, RequestHash: hash}, Err: err}, nil
	}, nil
}
