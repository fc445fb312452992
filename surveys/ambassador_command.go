package surveys

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// The ambassadors' /survey command grammar, one for every platform: Slack
// passes what follows "/survey", Telegram the whole message, Discord its
// options joined as text; ParseCommand reads all three the same way.
//
//	/survey send <survey> <customer>
//	/survey stats [survey] [7d|28d|90d] [by <attribute>]
//	/survey quotes [survey] [detractors|promoters]
//	/survey link <customer>
//	/survey digest [digest]
//	/survey dashboard
//	/survey help [subcommand]
//
// A customer is the company's own id (cus_42), a Telegram @username, or a
// Slack (<@U0123>, <@U0123|dana>) or Discord (<@8123…>) mention, for
// employee surveys.

// Verb is what an ambassador's command does.
type Verb string

// The subcommands of /survey.
const (
	VerbSend   Verb = "send"
	VerbStats  Verb = "stats"
	VerbQuotes Verb = "quotes"
	VerbLink   Verb = "link"
	VerbDigest Verb = "digest"
	VerbHelp   Verb = "help"
	// VerbDashboard asks for a one-time sign-in link to the dashboard.
	VerbDashboard Verb = "dashboard"
)

// verbs in the order help lists them, each with its usage line.
var verbs = []struct {
	verb  Verb
	usage string
	what  string
}{
	{VerbSend, "/survey send <survey> <customer>", "invite a customer now (opt-out, fatigue and quiet hours still apply)"},
	{VerbStats, "/survey stats [survey] [7d|28d|90d] [by <attribute>]", "scores with 95% intervals and n, and the change against the window before"},
	{VerbQuotes, "/survey quotes [survey] [detractors|promoters]", "recent customer quotes, personal data redacted"},
	{VerbLink, "/survey link <customer>", "a Telegram link that connects the customer's chat"},
	{VerbDigest, "/survey digest [digest]", "preview today's digest here"},
	{VerbDashboard, "/survey dashboard", "a one-time link that signs you in to the web dashboard, for you only"},
	{VerbHelp, "/survey help [subcommand]", "this help"},
}

// Usage is the usage line of v ("" for an unknown verb).
func (v Verb) Usage() string {
	for _, e := range verbs {
		if e.verb == v {
			return e.usage
		}
	}
	return ""
}

// Stats windows, in days.
var statsWindows = []int{7, 28, 90}

// DefaultStatsWindow is the window of /survey stats without one: the
// digest's headline window.
const DefaultStatsWindow = 28

// Quote filters of /survey quotes.
const (
	QuotesDetractors = "detractors"
	QuotesPromoters  = "promoters"
)

// Command is one parsed /survey command.
type Command struct {
	Verb Verb
	// SurveyID: required by send; optional for stats and quotes ("" for all).
	SurveyID string
	// Customer: send and link.
	Customer CustomerRef
	// Days is the stats window (7, 28 or 90); 0 in other commands.
	Days int
	// By is the attribute stats are broken down by ("" for none;
	// "touchpoint" is the touchpoint type).
	By string
	// Filter is "", QuotesDetractors or QuotesPromoters.
	Filter string
	// Digest names the digest to preview ("" for the first configured);
	// Topic is the subcommand help was asked about.
	Digest string
	Topic  Verb
}

// CustomerRef is how an ambassador names a customer: exactly one of the
// company's id, a Telegram @username (without the @), or a chat user
// (Platform and UserID set) mentioned on Slack or Discord.
type CustomerRef struct {
	ExternalID       string
	TelegramUsername string
	User             Address
}

// IsZero reports whether no customer was named.
func (r CustomerRef) IsZero() bool {
	return r.ExternalID == "" && r.TelegramUsername == "" && r.User == Address{}
}

// String writes the reference as it is typed.
func (r CustomerRef) String() string {
	switch {
	case r.TelegramUsername != "":
		return "@" + r.TelegramUsername
	case r.User.UserID != "":
		return "<@" + r.User.UserID + ">"
	}
	return r.ExternalID
}

// String is the command in its canonical form; ParseCommand reads it back
// as the same Command.
func (c Command) String() string {
	parts := []string{"/survey", string(c.Verb)}
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	switch c.Verb {
	case VerbSend:
		add(c.SurveyID)
		add(c.Customer.String())
	case VerbLink:
		add(c.Customer.String())
	case VerbStats:
		add(c.SurveyID)
		if c.Days != 0 {
			add(fmt.Sprintf("%dd", c.Days))
		}
		if c.By != "" {
			add("by")
			add(c.By)
		}
	case VerbQuotes:
		add(c.SurveyID)
		add(c.Filter)
	case VerbDigest:
		add(c.Digest)
	case VerbHelp:
		add(string(c.Topic))
	}
	return strings.Join(parts, " ")
}

// CommandError is a command that could not be read: what is wrong, the
// closest valid spelling when there is one, and the usage to follow.
type CommandError struct {
	Problem    string
	Suggestion string // e.g. "/survey stats"; "" when nothing is close
	Usage      string // one usage line, or every line for an unknown subcommand
}

func (e *CommandError) Error() string {
	var b strings.Builder
	b.WriteString(e.Problem)
	if e.Suggestion != "" {
		fmt.Fprintf(&b, ". Did you mean %s?", e.Suggestion)
	}
	switch {
	case strings.HasPrefix(e.Usage, "\n"):
		b.WriteString("\nUsage:")
		b.WriteString(e.Usage)
	case e.Usage != "":
		b.WriteString("\nUsage: ")
		b.WriteString(e.Usage)
	}
	return b.String()
}

// IsAmbassadorCommand reports whether a chat message is a /survey command
// ("/survey …" or "/survey@bot …"), which adapters route to the ambassador
// commands instead of the customer conversation.
func IsAmbassadorCommand(text string) bool {
	_, ok := cutSurveyPrefix(trimMarks(text))
	return ok
}

func trimMarks(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isInvisibleMark(r) })
}

// cutSurveyPrefix removes a leading "/survey" or "/survey@bot".
func cutSurveyPrefix(text string) (string, bool) {
	const cmd = "/survey"
	if len(text) < len(cmd) || !strings.EqualFold(text[:len(cmd)], cmd) {
		return text, false
	}
	rest := text[len(cmd):]
	if strings.HasPrefix(rest, "@") {
		end := strings.IndexFunc(rest, unicode.IsSpace)
		if end < 0 {
			end = len(rest)
		}
		if !botSuffix.MatchString(rest[:end]) {
			return text, false
		}
		rest = rest[end:]
	}
	if rest != "" {
		if r := []rune(rest)[0]; !unicode.IsSpace(r) {
			return text, false // "/surveys", "/survey_x": another command
		}
	}
	return trimMarks(rest), true
}

var (
	botSuffix        = regexp.MustCompile(`^@[A-Za-z0-9_]{1,64}$`)
	slackMention     = regexp.MustCompile(`^<@([UW][A-Z0-9]{2,20})(?:\|[^<>]*)?>$`)
	discordMention   = regexp.MustCompile(`^<@!?([0-9]{15,21})>$`)
	telegramUsername = regexp.MustCompile(`^@([A-Za-z][A-Za-z0-9_]{3,31})$`)
	attributeName    = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// ParseCommand reads an ambassador's command: the text after Slack's
// "/survey", or a whole message starting with "/survey". An empty command
// is help. Errors are *CommandError. Survey ids are checked against the
// workspace by Settings.CheckCommand, not here.
func ParseCommand(text string) (Command, error) {
	text = trimMarks(text)
	text, _ = cutSurveyPrefix(text)
	args := tokenize(text)
	if len(args) == 0 {
		return Command{Verb: VerbHelp}, nil
	}
	word := strings.ToLower(args[0])
	args = args[1:]
	switch Verb(word) {
	case VerbSend:
		return parseSend(args)
	case VerbStats:
		return parseStats(args)
	case VerbQuotes:
		return parseQuotes(args)
	case VerbLink:
		return parseLink(args)
	case VerbDigest:
		return parseDigest(args)
	case VerbHelp:
		return parseHelp(args)
	case VerbDashboard:
		if len(args) > 0 {
			return Command{}, usageError(VerbDashboard, "dashboard takes nothing; %q is one too many", shorten(args[0]))
		}
		return Command{Verb: VerbDashboard}, nil
	}
	e := &CommandError{Problem: fmt.Sprintf("unknown subcommand %q", shorten(word)), Usage: allUsages()}
	if v, ok := closest(word, verbNames()); ok {
		e.Suggestion = "/survey " + v
		// With the rest of the command when that reads: "/survey send nps cus_42".
		if c, err := ParseCommand(strings.Join(append([]string{v}, args...), " ")); err == nil && len(args) > 0 {
			e.Suggestion = c.String()
		}
	}
	return Command{}, e
}

// tokenize splits on white space, keeping a Slack mention with a display
// name ("<@U0123|dana smith>") as one token.
func tokenize(text string) []string {
	var out []string
	for text = strings.TrimSpace(text); text != ""; text = strings.TrimSpace(text) {
		if strings.HasPrefix(text, "<") {
			if end := strings.IndexByte(text, '>'); end > 0 {
				out = append(out, text[:end+1])
				text = text[end+1:]
				continue
			}
		}
		end := strings.IndexFunc(text, unicode.IsSpace)
		if end < 0 {
			end = len(text)
		}
		out = append(out, text[:end])
		text = text[end:]
	}
	return out
}

func usageError(v Verb, format string, a ...any) *CommandError {
	return &CommandError{Problem: fmt.Sprintf(format, a...), Usage: v.Usage()}
}

func parseSend(args []string) (Command, error) {
	switch {
	case len(args) == 0:
		return Command{}, usageError(VerbSend, "send needs a survey and a customer")
	case len(args) == 1:
		return Command{}, usageError(VerbSend, "send needs a survey and a customer; only %q was given", shorten(args[0]))
	case len(args) > 2:
		return Command{}, usageError(VerbSend, "send takes a survey and one customer; %q is one too many", shorten(args[2]))
	}
	if !surveyIDPattern.MatchString(args[0]) {
		return Command{}, usageError(VerbSend, "%q is not a survey id", shorten(args[0]))
	}
	ref, err := parseCustomer(args[1])
	if err != nil {
		return Command{}, usageError(VerbSend, "%v", err)
	}
	return Command{Verb: VerbSend, SurveyID: args[0], Customer: ref}, nil
}

func parseLink(args []string) (Command, error) {
	switch {
	case len(args) == 0:
		return Command{}, usageError(VerbLink, "link needs a customer")
	case len(args) > 1:
		return Command{}, usageError(VerbLink, "link takes one customer; %q is one too many", shorten(args[1]))
	}
	ref, err := parseCustomer(args[0])
	if err != nil {
		return Command{}, usageError(VerbLink, "%v", err)
	}
	return Command{Verb: VerbLink, Customer: ref}, nil
}

func parseStats(args []string) (Command, error) {
	c := Command{Verb: VerbStats}
	for i := 0; i < len(args); i++ {
		a := args[i]
		low := strings.ToLower(a)
		if days, ok := parseWindow(low); ok {
			if c.Days != 0 {
				return Command{}, usageError(VerbStats, "stats takes one window; %q is a second", shorten(a))
			}
			c.Days = days
			continue
		}
		if low == "by" {
			if c.By != "" {
				return Command{}, usageError(VerbStats, "stats takes one \"by\"")
			}
			if i+1 >= len(args) {
				return Command{}, usageError(VerbStats, "\"by\" needs an attribute, e.g. \"by agent\" or \"by touchpoint\"")
			}
			i++
			if !attributeName.MatchString(args[i]) {
				return Command{}, usageError(VerbStats, "%q is not an attribute name", shorten(args[i]))
			}
			c.By = args[i]
			continue
		}
		if looksLikeWindow(low) {
			e := usageError(VerbStats, "%q is not a window; use 7d, 28d or 90d", shorten(a))
			e.Suggestion = nearestWindow(low)
			return Command{}, e
		}
		if c.SurveyID != "" || c.Days != 0 || c.By != "" {
			e := usageError(VerbStats, "unexpected %q", shorten(a))
			if low != "by" && closeTo(low, "by") {
				e.Suggestion = "by " + strings.Join(args[i+1:], " ")
			}
			return Command{}, e
		}
		if !surveyIDPattern.MatchString(a) {
			return Command{}, usageError(VerbStats, "%q is not a survey id", shorten(a))
		}
		c.SurveyID = a
	}
	return c, nil
}

// parseWindow reads "7d", "28d" or "90d".
func parseWindow(s string) (int, bool) {
	for _, d := range statsWindows {
		if s == fmt.Sprintf("%dd", d) {
			return d, true
		}
	}
	return 0, false
}

// looksLikeWindow: digits, optionally with a unit letter ("30d", "4w", "7").
func looksLikeWindow(s string) bool {
	digits := strings.TrimRightFunc(s, unicode.IsLetter)
	if digits == "" || len(s)-len(digits) > 1 {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// nearestWindow is the window closest in days to what looksLikeWindow
// accepted ("30d" → "28d", "4w" → "28d").
func nearestWindow(s string) string {
	unit := 1
	switch {
	case strings.HasSuffix(s, "w"):
		unit = 7
	case strings.HasSuffix(s, "m"):
		unit = 30
	}
	n := 0
	for _, r := range strings.TrimRightFunc(s, unicode.IsLetter) {
		n = min(n*10+int(r-'0'), 100000)
	}
	n *= unit
	best := statsWindows[0]
	for _, d := range statsWindows {
		if abs(d-n) < abs(best-n) {
			best = d
		}
	}
	return fmt.Sprintf("%dd", best)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func parseQuotes(args []string) (Command, error) {
	c := Command{Verb: VerbQuotes}
	for _, a := range args {
		low := strings.ToLower(a)
		if low == QuotesDetractors || low == QuotesPromoters {
			if c.Filter != "" {
				return Command{}, usageError(VerbQuotes, "quotes takes detractors or promoters, not both")
			}
			c.Filter = low
			continue
		}
		if f, ok := closest(low, []string{QuotesDetractors, QuotesPromoters}); ok && (c.SurveyID != "" || len(low) > 5) {
			e := usageError(VerbQuotes, "%q is not detractors or promoters", shorten(a))
			e.Suggestion = f
			return Command{}, e
		}
		if c.SurveyID != "" || c.Filter != "" {
			return Command{}, usageError(VerbQuotes, "unexpected %q", shorten(a))
		}
		if !surveyIDPattern.MatchString(a) {
			return Command{}, usageError(VerbQuotes, "%q is not a survey id", shorten(a))
		}
		c.SurveyID = a
	}
	return c, nil
}

func parseDigest(args []string) (Command, error) {
	switch {
	case len(args) > 1:
		return Command{}, usageError(VerbDigest, "digest takes at most a digest id; %q is one too many", shorten(args[1]))
	case len(args) == 1:
		if !surveyIDPattern.MatchString(args[0]) {
			return Command{}, usageError(VerbDigest, "%q is not a digest id", shorten(args[0]))
		}
		return Command{Verb: VerbDigest, Digest: args[0]}, nil
	}
	return Command{Verb: VerbDigest}, nil
}

func parseHelp(args []string) (Command, error) {
	c := Command{Verb: VerbHelp}
	if len(args) == 0 {
		return c, nil
	}
	if v := Verb(strings.ToLower(args[0])); v.Usage() != "" {
		c.Topic = v
	}
	return c, nil // help never fails: unknown topics get the whole help
}

// surveyIDPattern is what a survey or digest id may look like.
var surveyIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// parseCustomer reads a customer reference.
func parseCustomer(s string) (CustomerRef, error) {
	if m := slackMention.FindStringSubmatch(s); m != nil {
		return CustomerRef{User: Address{Platform: Slack, UserID: m[1]}}, nil
	}
	if m := discordMention.FindStringSubmatch(s); m != nil {
		return CustomerRef{User: Address{Platform: Discord, UserID: m[1]}}, nil
	}
	if strings.HasPrefix(s, "<") {
		return CustomerRef{}, fmt.Errorf("%q is not a Slack or Discord user mention", shorten(s))
	}
	if strings.HasPrefix(s, "@") {
		m := telegramUsername.FindStringSubmatch(s)
		if m == nil {
			return CustomerRef{}, fmt.Errorf("%q is not a Telegram username (5–32 letters, digits and _)", shorten(s))
		}
		return CustomerRef{TelegramUsername: m[1]}, nil
	}
	if !idPattern.MatchString(s) {
		return CustomerRef{}, fmt.Errorf("%q is not a customer id (letters, digits and ._:@/+-)", shorten(s))
	}
	return CustomerRef{ExternalID: s}, nil
}

// shorten keeps echoed input short in replies.
func shorten(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}

func verbNames() []string {
	out := make([]string, len(verbs))
	for i, e := range verbs {
		out[i] = string(e.verb)
	}
	return out
}

func allUsages() string {
	lines := make([]string, len(verbs))
	for i, e := range verbs {
		lines[i] = e.usage
	}
	return "\n" + strings.Join(lines, "\n")
}

// closest is the candidate nearest to s by edit distance, if it is close:
// at most a third of its length away (and at least one edit allowed), or s
// is a prefix of it.
func closest(s string, candidates []string) (string, bool) {
	best, bestD := "", -1
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(s), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 {
		return "", false
	}
	if bestD <= max(1, len([]rune(best))/3) {
		return best, true
	}
	for _, c := range candidates {
		if len(s) >= 2 && strings.HasPrefix(strings.ToLower(c), strings.ToLower(s)) {
			return c, true
		}
	}
	return "", false
}

func closeTo(s, candidate string) bool {
	c, ok := closest(s, []string{candidate})
	return ok && c == candidate
}

// levenshtein is the edit distance between a and b, in runes, with a
// swap of two neighbours counting as one edit ("sned" is one from "send").
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return max(len(ra), len(rb)) // nothing that long is close to a name
	}
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
