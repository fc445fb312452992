package surveys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// CX ambassadors are the staff who survey, ask and listen by command, from
// whichever chat they work in: Slack's /survey, Discord's /survey, or
// "/survey …" typed to the Telegram bot in a staff chat. Every platform
// hands the same text to one router (NewCommands) and so to one
// AmbassadorDesk, so the same command gets the same invitation and the
// same explanation everywhere.
//
// The desk checks who is asking (Ambassadors), reads the command
// (ParseCommand), runs it and records it in the audit log, refusals
// included. Replies are for the ambassador only: adapters show them
// ephemerally where the platform can (Slack, Discord) and in the chat the
// command came from otherwise (Telegram).
//
// Replies are in English: they are staff tools, and the decisions they
// quote (Invitation.Detail) are written for a CX manager in English; the
// digest preview keeps its configured language.

// Ambassadors are the staff allowed to run /survey commands, per platform.
type Ambassadors struct {
	SlackUsers    []string // Slack user ids (U…, W…)
	DiscordRoles  []string // Discord role ids; a member of any qualifies
	DiscordUsers  []string // Discord user ids (snowflakes), for staff without a role
	TelegramUsers []string // Telegram user ids, in decimal
	// DailyQuota caps the invitations one ambassador may send by command per
	// day (the workspace's day); 0 means DefaultDailyQuota.
	DailyQuota int
}

// DefaultDailyQuota is the quota when none is configured.
const DefaultDailyQuota = 20

// Allows reports whether the person at from, holding roles (Discord role
// ids the adapter read from the interaction), is an ambassador: a listed
// Slack, Telegram or Discord user, or a member of a listed Discord role.
func (a Ambassadors) Allows(from Address, roles []string) bool {
	switch from.Platform {
	case Slack:
		return from.UserID != "" && slices.Contains(a.SlackUsers, from.UserID)
	case Telegram:
		return from.UserID != "" && slices.Contains(a.TelegramUsers, from.UserID)
	case Discord:
		if from.UserID != "" && slices.Contains(a.DiscordUsers, from.UserID) {
			return true
		}
		for _, r := range roles {
			if r != "" && slices.Contains(a.DiscordRoles, r) {
				return true
			}
		}
	}
	return false
}

func (a Ambassadors) quota() int {
	if a.DailyQuota <= 0 {
		return DefaultDailyQuota
	}
	return a.DailyQuota
}

// Touchpoints created by /survey send carry AmbassadorSource as their
// Source and ManualTouchpoint as their Type, the type `vocbot send` uses
// too: a touchpoint rule for "manual" (quiet hours, sampling, delay) governs
// every hand-made invitation alike, and without one only opt-out,
// reachability and fatigue apply, as in the API. Their ExternalID is
// AmbassadorKey of the sender, ":", and the platform's update id (so a
// redelivered Telegram update is a replay, not a second survey) or a random
// suffix; their attributes name the ambassador under "ambassador".
const (
	AmbassadorSource = "ambassador"
	ManualTouchpoint = "manual"
)

// AmbassadorKey names an ambassador across the audit log and their
// touchpoints: "slack:U0123", "telegram:111111", "discord:8123…".
func AmbassadorKey(from Address) string { return string(from.Platform) + ":" + from.UserID }

// DefaultLinkTTL is how long a /survey link stays valid, as from the API.
const DefaultLinkTTL = 7 * 24 * time.Hour

// AmbassadorStore is what the desk reads besides the Engine's Store: the
// digest's aggregates and comments (for stats, quotes and the preview),
// customers by reference, and the quota's count.
type AmbassadorStore interface {
	ReportStore
	// FindCustomer is the external id of the customer ref names: one known
	// by that id (and not forgotten), or the one linked to the chat user.
	// ErrNotFound when there is none.
	FindCustomer(ctx context.Context, ref CustomerRef) (string, error)
	// AmbassadorInvitations counts the invitations (skips not counted) of
	// touchpoints with Source AmbassadorSource whose ExternalID starts with
	// AmbassadorKey(from)+":" and that occurred in [since, until). The desk
	// counts before it sends, so two commands racing at the limit may both
	// pass: the quota stops floods, it is not an account.
	AmbassadorInvitations(ctx context.Context, from Address, since, until time.Time) (int, error)
}

// Auditor records what staff did: every ambassador command, with its
// result, refusals included. storage.Store implements it by writing
// CommandRecord.Entry to the audit log.
type Auditor interface {
	RecordCommand(ctx context.Context, r CommandRecord) error
}

// CommandRecord is one ambassador command for the audit log.
type CommandRecord struct {
	At time.Time
	// Actor is AmbassadorKey of who typed it; From the chat it came from.
	Actor string
	From  Address
	// Action is "survey." and the subcommand ("survey.send"), or "survey"
	// when the text could not be read.
	Action string
	// Target is what the command was about: the customer's id (send,
	// link), the survey (stats, quotes) or the digest; "" for none.
	Target string
	// Command is the command as parsed (Command.String), or the text as
	// typed (shortened) when it could not be read.
	Command string
	Result  CommandResult
	// Detail is the reply's gist: the decision, the error, the refusal.
	Detail string
}

// Entry is the record as an audit log line: the command and the reply's
// gist in Detail.
func (r CommandRecord) Entry() AuditEntry {
	detail := r.Command
	if r.Detail != "" {
		detail += " → " + r.Detail
	}
	return AuditEntry{At: r.At, Actor: r.Actor, Platform: r.From.Platform, Action: r.Action, Target: r.Target,
		Result: string(r.Result), Detail: detail}
}

// CommandResult is how a command ended.
type CommandResult string

// The results the audit log records.
const (
	ResultOK       CommandResult = "ok"        // done (for send: invited)
	ResultSkipped  CommandResult = "skipped"   // send decided not to invite, with the reason
	ResultRefused  CommandResult = "refused"   // not an ambassador
	ResultQuota    CommandResult = "quota"     // daily quota used up
	ResultInvalid  CommandResult = "invalid"   // could not be read, or names unknown things
	ResultNotFound CommandResult = "not_found" // no such customer
	ResultFailed   CommandResult = "failed"    // vocbot's side failed
	ResultReplayed CommandResult = "replayed"  // a redelivered command; nothing new done
	// ResultUnavailable: the command needs something not configured.
	ResultUnavailable CommandResult = "unavailable"
)

// AmbassadorConfig is the desk's part of the workspace configuration.
type AmbassadorConfig struct {
	Ambassadors Ambassadors
	// TelegramBot is the bot's username for t.me deep links; "" when
	// Telegram is not configured, and /survey link says so.
	TelegramBot string
	// LinkTTL is how long a deep link is valid; 0 means DefaultLinkTTL.
	LinkTTL time.Duration
	// Digests are the configured digests /survey digest previews; with none,
	// it previews every survey in the workspace's default locale.
	Digests    []DigestSpec
	Thresholds DigestThresholds
	// Log receives failures the ambassador is not told about (an audit
	// write that failed); nil discards them.
	Log *slog.Logger
	// Dashboard issues /survey dashboard's sign-in links; nil when the
	// dashboard cannot be reached from outside (no public URL), and the
	// command says so.
	Dashboard DashboardLinks
}

// DashboardLinks issues one-time links that sign someone in to the web
// dashboard; the HTTP face implements it. who names the person in the
// session and the audit log (AmbassadorKey, or "cli").
type DashboardLinks interface {
	SignInLink(ctx context.Context, who string, ttl time.Duration) (url string, expires time.Time, err error)
}

// DashboardLinkTTL is how long a sign-in link is valid.
const DashboardLinkTTL = 15 * time.Minute

// AmbassadorDesk runs ambassadors' /survey commands for every adapter.
type AmbassadorDesk struct {
	engine *Engine
	store  AmbassadorStore
	audit  Auditor
	cfg    AmbassadorConfig
}

// NewAmbassadorDesk serves commands with the engine's settings and clock;
// sends go through engine.Ingest, so they follow the API's rules.
func NewAmbassadorDesk(engine *Engine, store AmbassadorStore, audit Auditor, cfg AmbassadorConfig) *AmbassadorDesk {
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = DefaultLinkTTL
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &AmbassadorDesk{engine: engine, store: store, audit: audit, cfg: cfg}
}

// CommandRequest is one command as an adapter received it.
type CommandRequest struct {
	// ID is the platform's id of the update, when it has one ("tg:123"): a
	// redelivered send is then a replay, not a second invitation.
	ID   string
	From Address
	// Roles are the caller's Discord role ids; other platforms leave it nil.
	Roles []string
	// Text is the command: Slack's text after /survey, or a whole message
	// starting with /survey.
	Text string
}

// CommandReply is what the desk answers, for the ambassador's eyes only.
type CommandReply struct {
	Text string
	Dir  TextDirection
}

// Refusal is the reply to anyone who is not an ambassador: polite, and
// telling nothing about surveys or customers.
const Refusal = "Sorry, /survey commands are for CX ambassadors only. If you should have access, ask your vocbot operator to add you to the ambassadors in the configuration."

// Run checks, runs and audits one command. The error is for vocbot's own
// failures (storage); everything the ambassador should know, mistakes
// included, is in the reply.
func (d *AmbassadorDesk) Run(ctx context.Context, req CommandRequest) (CommandReply, error) {
	req.ID, req.From, req.Text = CleanText(req.ID), req.From.clean(), CleanText(req.Text)
	now := d.engine.clock.Now()
	rec := CommandRecord{At: now, Actor: AmbassadorKey(req.From), From: req.From, Action: "survey", Command: shortText(req.Text)}
	dir := LTR
	out := func(text string, result CommandResult, err error) (CommandReply, error) {
		rec.Result = result
		rec.Detail = firstLine(text)
		if err != nil {
			rec.Result, rec.Detail = ResultFailed, err.Error()
		}
		if d.audit != nil {
			if aerr := d.audit.RecordCommand(context.WithoutCancel(ctx), rec); aerr != nil {
				d.cfg.Log.Error("audit an ambassador command", "actor", rec.Actor, "command", rec.Command, "err", aerr)
			}
		}
		return CommandReply{Text: text, Dir: dir}, err
	}
	cmd, perr := ParseCommand(req.Text)
	if perr == nil {
		rec.Action, rec.Target, rec.Command = "survey."+string(cmd.Verb), cmd.target(), cmd.String()
	}
	if !d.cfg.Ambassadors.Allows(req.From, req.Roles) {
		return out(Refusal, ResultRefused, nil)
	}
	if perr != nil {
		return out(perr.Error(), ResultInvalid, nil)
	}
	if err := d.check(cmd); err != nil {
		return out(err.Error(), ResultInvalid, nil)
	}
	switch cmd.Verb {
	case VerbSend:
		text, customer, result, err := d.send(ctx, req, cmd, now)
		if customer != "" {
			rec.Target = customer
		}
		return out(text, result, err)
	case VerbLink:
		text, result, err := d.link(ctx, req.From.Platform, cmd)
		return out(text, result, err)
	case VerbStats:
		text, err := d.stats(ctx, cmd, now)
		return out(text, ResultOK, err)
	case VerbQuotes:
		text, err := d.quotes(ctx, cmd, now)
		return out(text, ResultOK, err)
	case VerbDigest:
		text, textDir, result, err := d.digest(ctx, cmd, now)
		dir = textDir
		return out(text, result, err)
	case VerbDashboard:
		text, result, err := d.dashboard(ctx, req.From)
		return out(text, result, err)
	}
	return out(helpText(cmd.Topic), ResultOK, nil)
}

// target is what the command is about, as far as its text tells.
func (c Command) target() string {
	switch {
	case !c.Customer.IsZero():
		return c.Customer.String()
	case c.SurveyID != "":
		return c.SurveyID
	}
	return c.Digest
}

// check holds the command against the workspace: its survey must exist.
func (d *AmbassadorDesk) check(c Command) error {
	if c.SurveyID == "" {
		return nil
	}
	s := d.engine.settings
	if _, ok := s.Survey(c.SurveyID); ok {
		return nil
	}
	ids := make([]string, len(s.Surveys))
	for i, sv := range s.Surveys {
		ids[i] = sv.ID
	}
	e := &CommandError{Problem: fmt.Sprintf("unknown survey %q; the surveys are %s", shorten(c.SurveyID), strings.Join(ids, ", ")),
		Usage: c.Verb.Usage()}
	if id, ok := closest(c.SurveyID, ids); ok {
		fixed := c
		fixed.SurveyID = id
		e.Suggestion = fixed.String()
	}
	return e
}

// send invites a customer through the same Ingest as the API and says
// what became of it.
func (d *AmbassadorDesk) send(ctx context.Context, req CommandRequest, c Command, now time.Time) (reply, customerID string, _ CommandResult, _ error) {
	customer := Customer{}
	id, err := d.store.FindCustomer(ctx, c.Customer)
	switch {
	case err == nil:
		customer.ExternalID = id
	case !errors.Is(err, ErrNotFound):
		return "", "", "", fmt.Errorf("find customer %s: %w", c.Customer, err)
	case c.Customer.User.UserID != "":
		// A colleague mentioned for an employee survey, new to vocbot: known
		// from now on by their chat user, reachable there.
		customer.ExternalID = AmbassadorKey(c.Customer.User)
		customer.Identities = []Address{c.Customer.User}
	default:
		return unknownCustomer(c.Customer, req.From.Platform), "", ResultNotFound, nil
	}

	day := d.day(now)
	used, err := d.store.AmbassadorInvitations(ctx, req.From, day.Start, day.End)
	if err != nil {
		return "", "", "", fmt.Errorf("count today's sends: %w", err)
	}
	if quota := d.cfg.Ambassadors.quota(); used >= quota {
		return fmt.Sprintf("Not sent: you have used today's quota of %d invitations by command. It renews at midnight (%s).",
			quota, day.End.Location()), customer.ExternalID, ResultQuota, nil
	}

	key := AmbassadorKey(req.From)
	suffix := req.ID
	if suffix == "" || !idPattern.MatchString(key+":"+suffix) {
		suffix = randomSuffix()
	}
	tp := Touchpoint{
		Source:     AmbassadorSource,
		ExternalID: key + ":" + suffix,
		Type:       ManualTouchpoint,
		OccurredAt: now,
		SurveyID:   c.SurveyID,
		Customer:   customer,
		Attributes: map[string]string{"ambassador": key},
	}
	hash := sha256.Sum256([]byte(c.String() + "\x00" + customer.ExternalID))
	res, err := d.engine.Ingest(ctx, Ingestion{Touchpoint: tp, RequestHash: hex.EncodeToString(hash[:])})
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		return "Not sent: " + ve.Error() + ".", customer.ExternalID, ResultInvalid, nil
	case errors.Is(err, ErrIdempotencyKeyReused), errors.Is(err, ErrInProgress):
		return "Not sent: this message was already handled as another command.", customer.ExternalID, ResultInvalid, nil
	case err != nil:
		return "", "", "", err
	}
	reply, result := sendOutcome(c, customer.ExternalID, res)
	return reply, customer.ExternalID, result, nil
}

// sendOutcome says in words what happened to an invitation.
func sendOutcome(c Command, customer string, res Ingested) (string, CommandResult) {
	inv := res.Invitation
	who := c.SurveyID + " to " + customer
	if c.Customer.ExternalID == "" {
		who += " (" + c.Customer.String() + ")"
	}
	result := ResultOK
	var text string
	switch {
	case inv.Status == Skipped:
		text, result = fmt.Sprintf("Skipped %s: %s.", who, inv.Detail), ResultSkipped
	case inv.WebURL != "":
		// The link on a line of its own: the audit log keeps the first.
		text = fmt.Sprintf("Web link for %s: %s. Send it to the customer:\n%s", who, inv.Detail, inv.WebURL)
	case strings.HasPrefix(inv.Detail, "sending now"):
		text = fmt.Sprintf("Sent %s: %s.", who, inv.Detail)
	default:
		text = fmt.Sprintf("Scheduled %s: %s.", who, inv.Detail)
	}
	if res.Replayed {
		text += " (This command was received before; nothing new was sent.)"
		result = ResultReplayed
	}
	return text, result
}

func unknownCustomer(ref CustomerRef, from Platform) string {
	if ref.TelegramUsername != "" && from == Slack {
		// Slack sends mentions as plain "@name" unless the command escapes them.
		return fmt.Sprintf("Slack sent %s as plain text, not as a mention: ask your Slack admin to turn on \"Escape channels, users, and links\" for the /survey command (docs/slack.md), or use the customer id.", ref)
	}
	if ref.TelegramUsername != "" {
		return fmt.Sprintf("No customer with the Telegram username %s is known to vocbot. Use their customer id instead.", ref)
	}
	return fmt.Sprintf("No customer %q is known to vocbot. Check the id; a customer becomes known with their first touchpoint (API or import).", ref.String())
}

// day is the workspace's current local day, the quota's period.
func (d *AmbassadorDesk) day(now time.Time) scoring.Window {
	loc := d.location()
	y, m, dd := now.In(loc).Date()
	return scoring.Trailing(time.Date(y, m, dd+1, 12, 0, 0, 0, loc), loc, 1) // today, however DST moves its midnight
}

// link issues a deep link that connects the customer's Telegram chat.
func (d *AmbassadorDesk) link(ctx context.Context, from Platform, c Command) (string, CommandResult, error) {
	if d.cfg.TelegramBot == "" {
		return "Deep links need the Telegram bot, which is not configured: ask your vocbot operator to set VOCBOT_TELEGRAM_TOKEN.",
			ResultUnavailable, nil
	}
	id, err := d.store.FindCustomer(ctx, c.Customer)
	if errors.Is(err, ErrNotFound) {
		return unknownCustomer(c.Customer, from), ResultNotFound, nil
	}
	if err != nil {
		return "", "", fmt.Errorf("find customer %s: %w", c.Customer, err)
	}
	token, expires, err := d.engine.store.CreateLinkToken(ctx, id, d.cfg.LinkTTL)
	if errors.Is(err, ErrNotFound) {
		return unknownCustomer(c.Customer, from), ResultNotFound, nil
	}
	if err != nil {
		return "", "", fmt.Errorf("create link token for %s: %w", id, err)
	}
	return fmt.Sprintf("Link for %s, valid until %s:\n%s\nSend it to the customer: when they open it and press Start, their Telegram chat is linked.",
		id, expires.UTC().Format("2006-01-02 15:04 UTC"), TelegramLink(d.cfg.TelegramBot, token)), ResultOK, nil
}

// dashboard issues a sign-in link for the ambassador. The link is a
// credential: it is on the reply's second line, so the audit log (which
// keeps the first) never holds it, and it is refused in a Telegram group,
// where the reply would be seen by everyone in the chat.
func (d *AmbassadorDesk) dashboard(ctx context.Context, from Address) (string, CommandResult, error) {
	if d.cfg.Dashboard == nil {
		return "The dashboard is not reachable from outside: ask your vocbot operator to set VOCBOT_PUBLIC_URL.", ResultUnavailable, nil
	}
	if from.Platform == Telegram && from.ChatID != "" && from.ChatID != from.UserID {
		return "A sign-in link is for you only: send /survey dashboard to the bot in a private chat, not in a group.", ResultRefused, nil
	}
	url, expires, err := d.cfg.Dashboard.SignInLink(ctx, AmbassadorKey(from), DashboardLinkTTL)
	if err != nil {
		return "", "", fmt.Errorf("dashboard sign-in link: %w", err)
	}
	return fmt.Sprintf("Your dashboard sign-in link, for you only, valid once until %s:\n%s",
		expires.UTC().Format("2006-01-02 15:04 UTC"), url), ResultOK, nil
}

// TelegramLink is the t.me deep link that presents token to bot.
func TelegramLink(bot, token string) string {
	return "https://t.me/" + strings.TrimPrefix(bot, "@") + "?start=" + token
}

// customerHelp says how to name a customer. Telegram @usernames are read
// but vocbot learns none yet (Telegram updates do not bring them to the
// Engine), so help does not offer them.
const customerHelp = "A customer is their id in your systems (cus_42), or a Slack or Discord mention of a colleague (employee surveys)."

// helpText lists the commands, or explains one.
func helpText(topic Verb) string {
	var b strings.Builder
	if topic != "" {
		for _, e := range verbs {
			if e.verb == topic {
				fmt.Fprintf(&b, "%s\n%s.", e.usage, capitalize(e.what))
			}
		}
		if topic == VerbSend || topic == VerbLink {
			b.WriteString("\n" + customerHelp)
		}
		return b.String()
	}
	b.WriteString("vocbot commands for CX ambassadors:")
	for _, e := range verbs {
		fmt.Fprintf(&b, "\n%s – %s", e.usage, e.what)
	}
	b.WriteString("\n" + customerHelp)
	b.WriteString("\nIn an alert's channel, anyone there may also use:" +
		"\n/survey reply a<id> <text> – send your reply to the unhappy customer, in their chat" +
		"\n/survey resolve a<id> <reason> – close the alert with your reason")
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// shortText keeps a command as typed short enough for the audit log.
func shortText(s string) string {
	s = trimMarks(s)
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return s
}

func randomSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return hex.EncodeToString(b)
}
