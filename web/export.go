package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// The file forms of GET /v1/responses, /v1/alerts and /v1/audit, for
// `vocbot export` and `vocbot audit`: CSV with a header row, or JSONL with
// one object per line exactly as the API shows it. Rows come from the store
// a page at a time and leave through a buffer, so memory does not grow with
// their number.

// ExportStore is what the exports read; storage.Store implements it.
type ExportStore interface {
	EachResponse(ctx context.Context, f surveys.ResponseFilter, fn func(surveys.Response) error) error
	EachAlert(ctx context.Context, f surveys.AlertFilter, fn func(surveys.AlertView) error) error
	Audit(ctx context.Context, f surveys.AuditFilter) ([]surveys.AuditEntry, surveys.Cursor, error)
}

// ResponseCSVColumns are the CSV header of the responses export; attributes
// is one JSON object, so any attribute set fits one column.
var ResponseCSVColumns = []string{"id", "invitation_id", "survey", "metric", "score", "comment", "comment_state", "locale",
	"platform", "customer_id", "touchpoint_type", "attributes", "answered_at", "comment_at", "reason"}

// AlertCSVColumns are the CSV header of the alerts export; timeline is one
// JSON array, as the API shows it.
var AlertCSVColumns = []string{"id", "ref", "status", "reason", "assignee", "channel", "survey", "customer_id", "response_id",
	"score", "opened_at", "claimed_at", "first_reply_at", "resolved_at", "replies", "timeline",
	"recovery_survey", "recovery_status", "recovery_due_at", "recovery_score", "recovery_comment", "recovered"}

// AuditCSVColumns are the CSV header of the audit log.
var AuditCSVColumns = []string{"id", "at", "actor", "platform", "action", "target", "result", "detail"}

// ExportResponses writes every response f selects to w as "csv" or "jsonl".
func ExportResponses(ctx context.Context, store ExportStore, f surveys.ResponseFilter, format string, w io.Writer) error {
	record := make([]string, len(ResponseCSVColumns))
	err := exportRows(w, format, ResponseCSVColumns, func(row func(json any, csv func() []string) error) error {
		return store.EachResponse(ctx, f, func(r surveys.Response) error {
			return row(ResponseBody(r), func() []string {
				attrs := "{}"
				if len(r.Attributes) > 0 {
					b, _ := json.Marshal(r.Attributes) // map[string]string always marshals
					attrs = string(b)
				}
				commentAt := ""
				if !r.CommentAt.IsZero() {
					commentAt = r.CommentAt.UTC().Format(time.RFC3339Nano)
				}
				return append(record[:0], strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.InvitationID, 10), r.SurveyID,
					string(r.Metric), strconv.Itoa(r.Score), r.Comment, string(r.CommentState), r.Locale, string(r.Platform),
					r.CustomerID, r.TouchpointType, attrs, r.AnsweredAt.UTC().Format(time.RFC3339Nano), commentAt, r.Reason)
			})
		})
	})
	if err != nil {
		return fmt.Errorf("export responses: %w", err)
	}
	return nil
}

// ExportAlerts writes every alert f selects to w as "csv" or "jsonl", with
// states and timings as of now.
func ExportAlerts(ctx context.Context, store ExportStore, f surveys.AlertFilter, format string, now time.Time, w io.Writer) error {
	err := exportRows(w, format, AlertCSVColumns, func(row func(json any, csv func() []string) error) error {
		return store.EachAlert(ctx, f, func(v surveys.AlertView) error {
			m := AlertBody(v, now)
			tl, err := json.Marshal(m.Timeline)
			if err != nil {
				return err
			}
			str := func(p *string) string {
				if p == nil {
					return ""
				}
				return *p
			}
			return row(m, func() []string {
				rec := make([]string, 6) // recovery_*: empty when the alert has no recovery survey
				if r := m.Recovery; r != nil {
					rec[0], rec[1], rec[2], rec[4] = r.Survey, r.Status, str(r.DueAt), str(r.Comment)
					if r.Score != nil {
						rec[3] = strconv.Itoa(*r.Score)
					}
					if r.Recovered != nil {
						rec[5] = strconv.FormatBool(*r.Recovered)
					}
				}
				return append([]string{strconv.FormatInt(m.ID, 10), m.Ref, m.Status, str(m.Reason), str(m.Assignee),
					m.Channel, m.Survey, m.CustomerID, strconv.FormatInt(v.Response.ID, 10), strconv.Itoa(v.Response.Score),
					m.OpenedAt, str(m.ClaimedAt), str(m.FirstReplyAt), str(m.ResolvedAt), strconv.Itoa(m.Replies), string(tl)}, rec...)
			})
		})
	})
	if err != nil {
		return fmt.Errorf("export alerts: %w", err)
	}
	return nil
}

// ExportAudit writes the audit log entries f selects to w as "csv" or
// "jsonl", paging through it.
func ExportAudit(ctx context.Context, store ExportStore, f surveys.AuditFilter, format string, w io.Writer) error {
	f.Limit = surveys.MaxPage
	return exportRows(w, format, AuditCSVColumns, func(row func(json any, csv func() []string) error) error {
		for {
			entries, next, err := store.Audit(ctx, f)
			if err != nil {
				return err
			}
			for _, e := range entries {
				if err := row(AuditBody(e), func() []string {
					return []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, string(e.Platform),
						e.Action, e.Target, e.Result, e.Detail}
				}); err != nil {
					return fmt.Errorf("write audit log: %w", err)
				}
			}
			if next.IsZero() {
				return nil
			}
			f.After = next
		}
	})
}

// exportRows runs each, which calls row once per row with the row's JSON
// body and its CSV record, and writes them to w in format (csv, the
// default, starts with header).
func exportRows(w io.Writer, format string, header []string, each func(row func(body any, record func() []string) error) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var row func(body any, record func() []string) error
	var cw *csv.Writer
	if format == "jsonl" {
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		row = func(body any, _ func() []string) error { return enc.Encode(body) }
	} else {
		cw = csv.NewWriter(bw)
		if err := cw.Write(header); err != nil {
			return err
		}
		row = func(_ any, record func() []string) error { return cw.Write(record()) }
	}
	err := each(row)
	if cw != nil {
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}
