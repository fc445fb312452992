package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/web"
)

func exportCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "export responses", "", "Stream responses to stdout, newest first, in constant memory however many there are.\n"+
		"CSV (the default) has a header row: "+strings.Join(web.ResponseCSVColumns, ",")+";\n"+
		"attributes is a JSON object. JSONL has one object per line, as GET /v1/responses shows them.\n"+
		"Example: vocbot export responses --survey nps --since 28d > nps.csv")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	survey := fs.String("survey", "", "only this survey `ID`")
	since := fs.String("since", "", "answered at or after `TIME`: RFC 3339, a date, or an age such as 28d")
	until := fs.String("until", "", "answered before `TIME`; same forms as --since")
	format := fs.String("format", "csv", "`FORMAT`: csv or jsonl")
	progress := fs.Bool("progress", false, "print progress on stderr even when it is not a terminal (one line a second)")
	if len(args) > 0 && args[0] == "alerts" {
		return exportAlertsCommand(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "responses" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return parseFlags(fs, args)
		}
		return usagef("usage: vocbot export responses [--survey ID] [--since 28d] [--until TIME] [--format csv|jsonl], or vocbot export alerts [--since 28d] [--format csv|jsonl]")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("export responses takes only flags, got %q", fs.Args())
	}
	if *format != "csv" && *format != "jsonl" {
		return usagef("export responses: --format %q: use csv or jsonl", *format)
	}
	if _, _, err := web.ParseRange(*since, *until, time.Now(), time.UTC); err != nil {
		return usagef("export responses: --%v", err)
	}
	st, err := openReadStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	// Dates are the workspace's days: read them again in its zone.
	from, to, err := web.ParseRange(*since, *until, time.Now(), st.cfg.Timezone)
	if err != nil {
		return usagef("export responses: --%v", err)
	}
	var p *exportProgress
	if *progress || isTerminal(env.stderr) {
		p = &exportProgress{w: env.stderr, every: time.Second}
		if isTerminal(env.stderr) {
			p.every, p.redraw = 200*time.Millisecond, true
		}
	}
	err = web.ExportResponses(ctx, countingStore{st.store, p}, storage.ResponseFilter{SurveyID: *survey, Since: from, Until: to}, *format, env.stdout)
	p.report(true)
	return err
}

// countingStore passes each exported response to progress as it goes.
type countingStore struct {
	web.ExportStore
	progress *exportProgress
}

func (c countingStore) EachResponse(ctx context.Context, f surveys.ResponseFilter, fn func(surveys.Response) error) error {
	return c.ExportStore.EachResponse(ctx, f, func(r surveys.Response) error {
		if err := fn(r); err != nil {
			return err
		}
		c.progress.row()
		return nil
	})
}

// exportProgress counts the rows written and reports them on stderr: on a
// terminal a line that redraws itself, elsewhere (--progress) one line a
// second. A nil *exportProgress reports nothing.
type exportProgress struct {
	w      io.Writer
	every  time.Duration
	redraw bool
	rows   int
	last   time.Time
}

// row counts one response written.
func (p *exportProgress) row() {
	if p != nil {
		p.rows++
		p.report(false)
	}
}

func (p *exportProgress) report(final bool) {
	if p == nil || (!final && time.Since(p.last) < p.every) {
		return
	}
	p.last = time.Now()
	switch {
	case p.redraw && final:
		fmt.Fprintf(p.w, "\r%d responses written\n", p.rows)
	case p.redraw:
		fmt.Fprintf(p.w, "\r%d responses written", p.rows)
	default:
		fmt.Fprintf(p.w, "%d responses written\n", p.rows)
	}
}
