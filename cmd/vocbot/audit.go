package main

import (
	"context"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/web"
)

// The audit log, read: GET /v1/audit and vocbot audit.

func auditCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "audit", "", "Print the audit log, newest first: ambassador commands, operator commands and erasures,\n"+
		"who did them, when, and with what result. CSV (the default) has a header row: id,at,actor,\n"+
		"platform,action,target,result,detail.")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	since := fs.String("since", "7d", "entries at or after `TIME`: an age such as 7d or 12h, RFC 3339 or a date; \"\" for all")
	actor := fs.String("actor", "", "only this `ACTOR`, e.g. cli, api, slack:U0123")
	format := fs.String("format", "csv", "`FORMAT`: csv or jsonl")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("audit takes only flags, got %q", fs.Args())
	}
	if *format != "csv" && *format != "jsonl" {
		return usagef("audit: --format %q: use csv or jsonl", *format)
	}
	if _, err := web.ParseInstant("since", *since, time.Now(), time.UTC); err != nil {
		return usagef("audit: --%v", err)
	}
	st, err := openReadStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	from, _ := web.ParseInstant("since", *since, time.Now(), st.cfg.Timezone) // checked above
	return web.ExportAudit(ctx, st.store, storage.AuditFilter{Since: from, Actor: *actor}, *format, env.stdout)
}
