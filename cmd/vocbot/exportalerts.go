package main

import (
	"context"
	"strings"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/web"
)

// vocbot export alerts: alerts with their state, reason, timings and
// timeline, as GET /v1/alerts shows them.

func exportAlertsCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "export alerts", "", "Stream alerts to stdout, newest first: status, reason, timings and timeline.\n"+
		"CSV (the default) has a header row: "+strings.Join(web.AlertCSVColumns, ",")+";\n"+
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
	return web.ExportAlerts(ctx, st.store, storage.AlertFilter{Since: from, Now: now}, *format, now, env.stdout)
}
