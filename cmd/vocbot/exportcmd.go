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

// exportColumns are the CSV header of vocbot export responses; attributes
// is one JSON object, so any attribute set fits one column.
var exportColumns = []string{"id", "invitation_id", "survey", "metric", "score", "comment", "comment_state", "locale",
	"platform", "customer_id", "touchpoint_type", "attributes", "answered_at", "comment_at", "reason"}

func exportCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "export responses", "", "Stream responses to stdout, newest first, in constant memory however many there are.\n"+
		"CSV (the default) has a header row: "+strings.Join(exportColumns, ",")+";\n"+
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
	err = exportResponses(ctx, st.store, storage.ResponseFilter{SurveyID: *survey, Since: from, Until: to}, *format, env.stdout, p.row)
	p.report(true)
	return err
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
	rows := p.rows
	switch {
	case p.redraw && final:
		fmt.Fprintf(p.w, "\r%d responses written\n", rows)
	case p.redraw:
		fmt.Fprintf(p.w, "\r%d responses written", rows)
	default:
		fmt.Fprintf(p.w, "%d responses written\n", rows)
	}
}

// exportResponses writes every selected response to w as csv or jsonl. Rows
// come from the store a page at a time and leave through a buffer, so
// memory does not grow with the number of responses. onRow is called after
// each row is written.
func exportResponses(ctx context.Context, store *storage.Store, f storage.ResponseFilter, format string, w io.Writer, onRow func()) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var write func(surveys.Response) error
	var cw *csv.Writer
	switch format {
	case "jsonl":
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(r surveys.Response) error { return enc.Encode(web.ResponseBody(r)) }
	default:
		cw = csv.NewWriter(bw)
		if err := cw.Write(exportColumns); err != nil {
			return fmt.Errorf("export responses: %w", err)
		}
		record := make([]string, len(exportColumns))
		write = func(r surveys.Response) error {
			attrs := "{}"
			if len(r.Attributes) > 0 {
				b, _ := json.Marshal(r.Attributes) // map[string]string always marshals
				attrs = string(b)
			}
			commentAt := ""
			if !r.CommentAt.IsZero() {
				commentAt = r.CommentAt.UTC().Format(time.RFC3339Nano)
			}
			record = append(record[:0], strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.InvitationID, 10), r.SurveyID,
				string(r.Metric), strconv.Itoa(r.Score), r.Comment, string(r.CommentState), r.Locale, string(r.Platform),
				r.CustomerID, r.TouchpointType, attrs, r.AnsweredAt.UTC().Format(time.RFC3339Nano), commentAt, r.Reason)
			return cw.Write(record)
		}
	}
	err := store.EachResponse(ctx, f, func(r surveys.Response) error {
		if err := write(r); err != nil {
			return err
		}
		onRow()
		return nil
	})
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
		return fmt.Errorf("export responses: %w", err)
	}
	return nil
}
