package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

// vocbot export alerts: alerts with their state, reason, timings,
// timeline and recovery survey, as GET /v1/alerts shows them.

// alertColumns are the CSV header of vocbot export alerts; timeline is one
// JSON array, as the API shows it.
var alertColumns = []string{"id", "ref", "status", "reason", "assignee", "channel", "survey", "customer_id", "response_id",
	"score", "opened_at", "claimed_at", "first_reply_at", "resolved_at", "replies", "timeline",
	"recovery_survey", "recovery_status", "recovery_due_at", "recovery_score", "recovery_comment", "recovered"}

func exportAlertsCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "export alerts", "", "Stream alerts to stdout, newest first: status, reason, timings and timeline.\n"+
		"CSV (the default) has a header row: "+strings.Join(alertColumns, ",")+";\n"+
		"timeline is a JSON array. JSONL has one object per line, as GET /v1/alerts shows them.\n"+
		"Example: vocbot export alerts --since 28d --format jsonl > alerts.jsonl")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	since := fs.String("since", "", "raised at or after `TIME`: RFC 3339, a date, or an age such as 28d")
	format := fs.String("format", "csv", "`FORMAT`: csv or jsonl")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("export alerts takes only flags, got %q", fs.Args())
	}
	if *format != "csv" && *format != "jsonl" {
		return usagef("export alerts: --format %q: use csv or jsonl", *format)
	}
	if _, _, err := web.ParseRange(*since, "", time.Now(), time.UTC); err != nil {
		return usagef("export alerts: --%v", err)
	}
	st, err := openReadStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	from, _, err := web.ParseRange(*since, "", time.Now(), st.cfg.Timezone)
	if err != nil {
		return usagef("export alerts: --%v", err)
	}
	now := time.Now().UTC()
	return exportAlerts(ctx, st.store, storage.AlertFilter{Since: from, Now: now}, *format, now, env.stdout)
}

// exportAlerts writes every selected alert to w as csv or jsonl, a page
// at a time.
func exportAlerts(ctx context.Context, store *storage.Store, f storage.AlertFilter, format string, now time.Time, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var write func(surveys.AlertView) error
	var cw *csv.Writer
	switch format {
	case "jsonl":
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(v surveys.AlertView) error { return enc.Encode(web.AlertBody(v, now)) }
	default:
		cw = csv.NewWriter(bw)
		if err := cw.Write(alertColumns); err != nil {
			return fmt.Errorf("export alerts: %w", err)
		}
		write = func(v surveys.AlertView) error {
			m := web.AlertBody(v, now)
			str := func(p *string) string {
				if p == nil {
					return ""
				}
				return *p
			}
			tl, err := json.Marshal(m.Timeline)
			if err != nil {
				return err
			}
			row := []string{strconv.FormatInt(m.ID, 10), m.Ref, m.Status, str(m.Reason), str(m.Assignee),
				m.Channel, m.Survey, m.CustomerID, strconv.FormatInt(v.Response.ID, 10), strconv.Itoa(v.Response.Score),
				m.OpenedAt, str(m.ClaimedAt), str(m.FirstReplyAt), str(m.ResolvedAt), strconv.Itoa(m.Replies), string(tl),
				"", "", "", "", "", ""}
			if r := m.Recovery; r != nil {
				rec := row[len(row)-6:]
				rec[0], rec[1], rec[2], rec[4] = r.Survey, r.Status, str(r.DueAt), str(r.Comment)
				if r.Score != nil {
					rec[3] = strconv.Itoa(*r.Score)
				}
				if r.Recovered != nil {
					rec[5] = strconv.FormatBool(*r.Recovered)
				}
			}
			return cw.Write(row)
		}
	}
	err := store.EachAlert(ctx, f, write)
	if cw != nil {
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("export alerts: %w", err)
	}
	return nil
}
