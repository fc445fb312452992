package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/web"
)

// The audit log, read: GET /v1/audit and vocbot audit.

// auditColumns are the CSV header of vocbot audit.
var auditColumns = []string{"id", "at", "actor", "platform", "action", "target", "result", "detail"}

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
	return writeAudit(ctx, st.store, storage.AuditFilter{Since: from, Actor: *actor}, *format, env.stdout)
}

// writeAudit pages through the log, so a long one needs no more memory
// than a short one.
func writeAudit(ctx context.Context, store *storage.Store, f storage.AuditFilter, format string, w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if format == "csv" {
		if err := cw.Write(auditColumns); err != nil {
			return err
		}
	}
	f.Limit = storage.MaxPage
	for {
		entries, next, err := store.Audit(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if format == "jsonl" {
				err = enc.Encode(web.AuditBody(e))
			} else {
				err = cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, string(e.Platform),
					e.Action, e.Target, e.Result, e.Detail})
			}
			if err != nil {
				return fmt.Errorf("write audit log: %w", err)
			}
		}
		if next.IsZero() {
			break
		}
		f.After = next
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return bw.Flush()
}
