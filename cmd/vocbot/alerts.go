package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// Alerts, read: GET /v1/alerts, GET /v1/alerts/{id} and vocbot export alerts.

var alertStatuses = []surveys.AlertStatus{surveys.StatusOpen, surveys.StatusClaimed, surveys.StatusReplied, surveys.StatusResolved, surveys.StatusExpired}

// parseAlertStatus reads ?status=; "" is every status.
func parseAlertStatus(s string) (surveys.AlertStatus, error) {
	if s == "" {
		return "", nil
	}
	for _, st := range alertStatuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", &paramError{"status", surveys.Quote(s) + ": use open, claimed, replied, resolved or expired", true}
}

func (a *api) getAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := unknownParams(q, "status", "since", "survey", "limit", "cursor"); err != nil {
		writeParamError(w, err)
		return
	}
	status, err := parseAlertStatus(q.Get("status"))
	if err != nil {
		writeParamError(w, err)
		return
	}
	now := a.now()
	since, _, err := parseRange(q.Get("since"), "", now, a.engine.Settings().Timezone)
	if err != nil {
		writeParamError(w, err)
		return
	}
	limit, after, err := parsePage(q)
	if err != nil {
		writeParamError(w, err)
		return
	}
	views, next, err := a.store.Alerts(r.Context(), storage.AlertFilter{
		Status: status, SurveyID: q.Get("survey"), Since: since, After: after, Limit: limit, Now: now,
	})
	if err != nil {
		a.log.Error("list alerts", "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read alerts; try again")
		return
	}
	writePage(w, "alerts", views, func(v surveys.AlertView) map[string]any { return alertJSON(v, now) }, next)
}

func (a *api) getAlert(w http.ResponseWriter, r *http.Request) {
	if err := unknownParams(r.URL.Query()); err != nil {
		writeParamError(w, err)
		return
	}
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if ref, ok := surveys.ParseAlertRef(raw); ok {
		id, err = ref, nil // "a12", as the alert shows it
	}
	if err != nil || id <= 0 {
		apiError(w, http.StatusNotFound, "not_found", "id", surveys.Quote(raw)+" is not an alert id; use the number (12) or the ref the alert shows (a12)")
		return
	}
	v, err := a.store.AlertView(r.Context(), id)
	if errors.Is(err, surveys.ErrNotFound) {
		apiError(w, http.StatusNotFound, "not_found", "id", "there is no alert "+strconv.FormatInt(id, 10))
		return
	}
	if err != nil {
		a.log.Error("read an alert", "alert_id", id, "err", err)
		apiError(w, http.StatusServiceUnavailable, "unavailable", "", "could not read the alert; try again")
		return
	}
	writeJSON(w, http.StatusOK, alertJSON(v, a.now()))
}

// alertJSON is one alert as the API and the jsonl export show it: its
// reported status at now, timings (null until they happen) and timeline.
func alertJSON(v surveys.AlertView, now time.Time) map[string]any {
	al := v.Alert
	at := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	var reason any
	if al.State == surveys.AlertResolved {
		reason = al.Resolution
	}
	var assignee any
	if al.Assignee.UserID != "" {
		assignee = surveys.AmbassadorKey(al.Assignee)
	}
	tl := al.FullTimeline(now)
	timeline := make([]map[string]any, len(tl))
	for i, e := range tl {
		m := map[string]any{"at": e.At.UTC().Format(time.RFC3339Nano), "kind": string(e.Kind), "from": e.From, "text": e.Text}
		if e.Who.UserID != "" {
			m["who"] = surveys.AmbassadorKey(e.Who)
		}
		if e.Locale != "" {
			m["locale"] = e.Locale
		}
		timeline[i] = m
	}
	return map[string]any{
		"id":             al.ID,
		"ref":            al.Ref(),
		"status":         string(al.Status(now)),
		"reason":         reason,
		"assignee":       assignee,
		"channel":        string(al.To.Platform) + ":" + al.To.ChatID,
		"survey":         v.Response.SurveyID,
		"customer_id":    v.Response.CustomerID,
		"response":       responseJSON(v.Response),
		"opened_at":      at(al.CreatedAt),
		"claimed_at":     at(al.ClaimedAt),
		"first_reply_at": at(al.FirstReplyAt),
		"resolved_at":    at(al.ResolvedAt),
		"relay_until":    at(al.RelayUntil),
		"replies":        al.Replies,
		"timeline":       timeline,
	}
}

// alertColumns are the CSV header of vocbot export alerts; timeline is one
// JSON array, as the API shows it.
var alertColumns = []string{"id", "ref", "status", "reason", "assignee", "channel", "survey", "customer_id", "response_id",
	"score", "opened_at", "claimed_at", "first_reply_at", "resolved_at", "replies", "timeline"}

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
	if _, _, err := parseRange(*since, "", time.Now(), time.UTC); err != nil {
		return usagef("export alerts: --%v", err)
	}
	st, err := openReadStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	from, _, err := parseRange(*since, "", time.Now(), st.cfg.Timezone)
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
		write = func(v surveys.AlertView) error { return enc.Encode(alertJSON(v, now)) }
	default:
		cw = csv.NewWriter(bw)
		if err := cw.Write(alertColumns); err != nil {
			return fmt.Errorf("export alerts: %w", err)
		}
		write = func(v surveys.AlertView) error {
			m := alertJSON(v, now)
			str := func(k string) string {
				if s, ok := m[k].(string); ok {
					return s
				}
				return ""
			}
			tl, err := json.Marshal(m["timeline"])
			if err != nil {
				return err
			}
			return cw.Write([]string{strconv.FormatInt(v.Alert.ID, 10), v.Alert.Ref(), str("status"), str("reason"), str("assignee"),
				str("channel"), str("survey"), str("customer_id"), strconv.FormatInt(v.Response.ID, 10), strconv.Itoa(v.Response.Score),
				str("opened_at"), str("claimed_at"), str("first_reply_at"), str("resolved_at"), strconv.Itoa(v.Alert.Replies), string(tl)})
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
