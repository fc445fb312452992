// Package calc is `vocbot score`: a calculator over the scoring package, the
// same numbers the digest shows, for counts pasted from anywhere. It parses
// the subcommand's flags, computes, and formats text or JSON; it needs no
// configuration, no database and no files.
package calc

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vocbot/vocbot/scoring"
)

// scoreSubcommand is one of nps, csat, ces, compare.
type scoreSubcommand struct {
	name, usage, summary string
	run                  func(w io.Writer, args []string) error
}

func scoreSubcommands() []scoreSubcommand {
	return []scoreSubcommand{
		{"nps", "--promoters P --passives Q --detractors D | --scores 10,9,7,...", "Net Promoter Score with its adjusted-Wald 95% interval", scoreNPS},
		{"csat", "--counts c1,c2,c3,c4,c5 | --scores 5,4,2,...", "CSAT (top-2-box) with its Wilson 95% interval, and the mean", scoreCSAT},
		{"ces", "--counts c1,...,c7 [--scale ces1] | --scores ...", "CES 2.0 mean, % agree, % disagree, net; --scale ces1 for legacy 1–5 effort", scoreCES},
		{"compare", "--a P,Q,D --b P,Q,D", "is NPS A different from NPS B? (adjusted-Wald z test)", scoreCompare},
	}
}

// Run runs "vocbot score <subcommand> [flags]" with args after "score",
// printing to w. A command line to correct is a *UsageError; after --help
// it returns ErrHelp.
func Run(args []string, w io.Writer) error {
	subs := scoreSubcommands()
	if len(args) == 0 {
		return usagef("score needs a subcommand: nps, csat, ces or compare; run 'vocbot score --help'")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(w, "Usage: vocbot score <subcommand> [flags] [--json]")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "NPS, CSAT and CES from counts, with 95% intervals and change tests: the same")
		fmt.Fprintln(w, "arithmetic as the digest. --json prints one JSON object with unrounded numbers.")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Subcommands:")
		for _, s := range subs {
			fmt.Fprintf(w, "  %-8s %s\n           %s\n", s.name, s.summary, s.usage)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Run 'vocbot score <subcommand> --help' for its flags.")
		return ErrHelp
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(w, args[1:])
		}
	}
	return usagef("unknown score subcommand %q: use nps, csat, ces or compare; run 'vocbot score --help'", args[0])
}

func scoreNPS(w io.Writer, args []string) error {
	fs := newFlagSet(w, "score nps", "",
		"Net Promoter Score from the number of promoters (answers 9–10), passives (7–8) and\n"+
			"detractors (0–6), or from the 0–10 answers themselves, with the 95% adjusted-Wald\n"+
			"interval. Omitted counts are 0. Example: vocbot score nps --promoters 9 --passives 6 --detractors 5")
	var c struct{ promoters, passives, detractors answerCount }
	fs.Var(&c.promoters, "promoters", "number of promoters `P` (answers 9–10)")
	fs.Var(&c.passives, "passives", "number of passives `Q` (answers 7–8)")
	fs.Var(&c.detractors, "detractors", "number of detractors `D` (answers 0–6)")
	scores := fs.String("scores", "", "the 0–10 answers as a comma-separated `LIST` (instead of the counts), e.g. 10,9,7,3")
	asJSON := fs.Bool("json", false, "print one JSON object with unrounded numbers")
	if err := parseScoreFlags(fs, args); err != nil {
		return err
	}
	byCounts := c.promoters.set || c.passives.set || c.detractors.set
	byScores := flagGiven(fs, "scores")
	var counts scoring.NPSCounts
	switch {
	case byCounts && byScores:
		return usagef("score nps: give either --scores or --promoters/--passives/--detractors, not both")
	case byScores:
		list, err := parseWholeNumbers(fs.Name(), "--scores", *scores)
		if err != nil {
			return err
		}
		if counts, err = scoring.NPSFromScores(list); err != nil {
			return usagef("score nps: --scores: %v", err)
		}
	case byCounts:
		counts = scoring.NPSCounts{Promoters: c.promoters.n, Passives: c.passives.n, Detractors: c.detractors.n}
	default:
		return usagef("score nps: give the counts (--promoters P --passives Q --detractors D) or the answers (--scores 10,9,7,...); run 'vocbot score nps --help'")
	}
	if *asJSON {
		return printScoreJSON(w, npsResult(counts))
	}
	return writeNPSText(w, "", counts)
}

func scoreCSAT(w io.Writer, args []string) error {
	fs := newFlagSet(w, "score csat", "",
		"CSAT: the share of 4s and 5s on the 1–5 satisfaction scale (top-2-box) with its 95% Wilson\n"+
			"interval, and the mean satisfaction with its t interval.\n"+
			"Example: vocbot score csat --counts 2,3,10,40,45  (numbers of 1s, 2s, 3s, 4s, 5s)")
	counts := fs.String("counts", "", "how many answered 1, 2, 3, 4 and 5, as a comma-separated `LIST`")
	scores := fs.String("scores", "", "the 1–5 answers as a comma-separated `LIST` (instead of --counts)")
	asJSON := fs.Bool("json", false, "print one JSON object with unrounded numbers")
	if err := parseScoreFlags(fs, args); err != nil {
		return err
	}
	l, err := likertInput(fs, scoring.CSAT, *counts, *scores)
	if err != nil {
		return err
	}
	if *asJSON {
		return printScoreJSON(w, csatResult(l))
	}
	return writeCSATText(w, l)
}

func scoreCES(w io.Writer, args []string) error {
	fs := newFlagSet(w, "score ces", "",
		"CES 2.0 (\"[X] made it easy for me to handle my issue\", 1 = strongly disagree … 7 = strongly\n"+
			"agree): mean with its t interval, % agree (5–7) and % disagree (1–3) with Wilson intervals,\n"+
			"and net = agree − disagree. --scale ces1 reads the legacy 1–5 effort question instead\n"+
			"(lower is better): mean and % low effort (1–2). The two scales are never mixed.\n"+
			"Example: vocbot score ces --counts 2,1,3,5,9,15,15")
	counts := fs.String("counts", "", "how many answered 1 … 7 (1 … 5 with --scale ces1), as a comma-separated `LIST`")
	scores := fs.String("scores", "", "the answers as a comma-separated `LIST` (instead of --counts)")
	scale := fs.String("scale", "ces2", "answer `SCALE`: ces2 (1–7 agreement) or ces1 (legacy 1–5 effort)")
	asJSON := fs.Bool("json", false, "print one JSON object with unrounded numbers")
	if err := parseScoreFlags(fs, args); err != nil {
		return err
	}
	id := scoring.ScaleID(*scale)
	if id != scoring.CES2 && id != scoring.CES1 {
		return usagef("score ces: --scale %q: use ces2 (1–7 agreement, the default) or ces1 (legacy 1–5 effort)", *scale)
	}
	l, err := likertInput(fs, id, *counts, *scores)
	if err != nil {
		return err
	}
	if *asJSON {
		if id == scoring.CES1 {
			return printScoreJSON(w, ces1Result(l))
		}
		return printScoreJSON(w, ces2Result(l))
	}
	return writeCESText(w, l)
}

func scoreCompare(w io.Writer, args []string) error {
	fs := newFlagSet(w, "score compare", "",
		"Test whether two NPS differ (two periods or two segments, with different answers): the\n"+
			"adjusted-Wald z test, its p-value and the 95% interval of the difference A − B.\n"+
			"Example: vocbot score compare --a 50,30,20 --b 40,30,30  (promoters,passives,detractors)")
	a := fs.String("a", "", "group A as `P,Q,D`: promoters,passives,detractors, e.g. 50,30,20")
	b := fs.String("b", "", "group B as `P,Q,D`, e.g. 40,30,30")
	asJSON := fs.Bool("json", false, "print one JSON object with unrounded numbers")
	if err := parseScoreFlags(fs, args); err != nil {
		return err
	}
	ca, err := npsTriple(fs, "a", *a)
	if err != nil {
		return err
	}
	cb, err := npsTriple(fs, "b", *b)
	if err != nil {
		return err
	}
	cmp, ok := scoring.CompareNPS(ca, cb, scoring.DefaultConfidence)
	if *asJSON {
		return printScoreJSON(w, compareResult(ca, cb, cmp, ok))
	}
	return writeCompareText(w, ca, cb, cmp, ok)
}

// Input parsing. Every error says what to type instead.

// answerCount is a flag holding a number of answers. A custom type, rather
// than flag.Int, so that "2.5" and "-3" get a message about counts instead
// of "parse error", and so that "given as 0" differs from "not given".
type answerCount struct {
	n   int
	set bool
}

func (c *answerCount) String() string { return strconv.Itoa(c.n) }

func (c *answerCount) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return errors.New("want a number of answers: a whole number, 0 or more")
	}
	c.n, c.set = n, true
	return nil
}

// parseScoreFlags is parseFlags plus a check for stray arguments, which are
// usually answers typed without --scores.
func parseScoreFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q; give answers as --scores 10,9,7 and counts as flags; run 'vocbot %s --help'", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// flagGiven reports whether the flag was given on the command line, even if
// with its default value.
func flagGiven(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// parseWholeNumbers reads a comma-separated list of whole numbers. An empty
// string is an empty list (no answers); empty items are mistakes.
func parseWholeNumbers(cmd, flagName, s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, usagef("%s: %s: item %d is empty; separate numbers with single commas, like 10,9,7", cmd, flagName, i+1)
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			if _, ferr := strconv.ParseFloat(p, 64); ferr == nil {
				return nil, usagef("%s: %s: item %d (%q) is not a whole number; answers and counts are integers", cmd, flagName, i+1, p)
			}
			return nil, usagef("%s: %s: item %d (%q) is not a number", cmd, flagName, i+1, p)
		}
		out[i] = n
	}
	return out, nil
}

// likertInput builds a distribution from --counts or --scores (exactly one).
func likertInput(fs *flag.FlagSet, scale scoring.ScaleID, counts, scores string) (scoring.Likert, error) {
	lo, hi, _ := scale.Range()
	byCounts, byScores := flagGiven(fs, "counts"), flagGiven(fs, "scores")
	switch {
	case byCounts && byScores:
		return scoring.Likert{}, usagef("%s: give either --counts or --scores, not both", fs.Name())
	case byScores:
		list, err := parseWholeNumbers(fs.Name(), "--scores", scores)
		if err != nil {
			return scoring.Likert{}, err
		}
		l, err := scoring.LikertFromScores(scale, list)
		if err != nil {
			return scoring.Likert{}, usagef("%s: --scores: %v", fs.Name(), err)
		}
		return l, nil
	case !byCounts:
		return scoring.Likert{}, usagef("%s: give --counts with %d numbers (how many answered %d, %d, … %d) or --scores; run 'vocbot %s --help'",
			fs.Name(), scale.Points(), lo, lo+1, hi, fs.Name())
	}
	list, err := parseWholeNumbers(fs.Name(), "--counts", counts)
	if err != nil {
		return scoring.Likert{}, err
	}
	if len(list) != scale.Points() {
		hint := ""
		if scale == scoring.CES2 && len(list) == scoring.CES1.Points() {
			hint = "; for the legacy 1–5 effort scale add --scale ces1"
		}
		return scoring.Likert{}, usagef("%s: --counts needs %d numbers, one per answer %d to %d (%s); got %d%s",
			fs.Name(), scale.Points(), lo, hi, scale.Name(), len(list), hint)
	}
	l := scoring.Likert{Scale: scale, Counts: list}
	if err := l.Validate(); err != nil {
		return scoring.Likert{}, usagef("%s: --counts: %v", fs.Name(), err)
	}
	return l, nil
}

// npsTriple reads "P,Q,D" for compare's --a and --b.
func npsTriple(fs *flag.FlagSet, name, s string) (scoring.NPSCounts, error) {
	if !flagGiven(fs, name) {
		return scoring.NPSCounts{}, usagef("%s: --%s is required, as promoters,passives,detractors (e.g. --%s 50,30,20)", fs.Name(), name, name)
	}
	list, err := parseWholeNumbers(fs.Name(), "--"+name, s)
	if err != nil {
		return scoring.NPSCounts{}, err
	}
	if len(list) != 3 {
		return scoring.NPSCounts{}, usagef("%s: --%s needs 3 numbers, promoters,passives,detractors; got %d", fs.Name(), name, len(list))
	}
	c := scoring.NPSCounts{Promoters: list[0], Passives: list[1], Detractors: list[2]}
	if err := c.Validate(); err != nil {
		return scoring.NPSCounts{}, usagef("%s: --%s: %v", fs.Name(), name, err)
	}
	return c, nil
}

// JSON output: the documented field names, unrounded numbers, null for
// "no score". Fields beyond the contract are additions, never renames.

type npsJSON struct {
	Metric     string      `json:"metric"`
	N          int         `json:"n"`
	Promoters  int         `json:"promoters"`
	Passives   int         `json:"passives"`
	Detractors int         `json:"detractors"`
	Score      *float64    `json:"score"`
	Display    string      `json:"display"`
	CI95       *[2]float64 `json:"ci95"`
	Method     string      `json:"method"`
}

func npsResult(c scoring.NPSCounts) npsJSON {
	out := npsJSON{Metric: "nps", N: c.N(), Promoters: c.Promoters, Passives: c.Passives, Detractors: c.Detractors,
		Display: noScoreText, Method: scoring.AdjustedWald.String()}
	if s, ok := c.Score(); ok {
		out.Score = &s
		r, _ := c.Rounded()
		out.Display = strconv.Itoa(r)
	}
	out.CI95 = optionalInterval(c.CI(scoring.DefaultConfidence, scoring.AdjustedWald))
	return out
}

type csatJSON struct {
	Metric     string      `json:"metric"`
	N          int         `json:"n"`
	Score      *float64    `json:"score"`
	Mean       *float64    `json:"mean"`
	CI95       *[2]float64 `json:"ci95"`
	Method     string      `json:"method"`
	Display    string      `json:"display"`
	Counts     []int       `json:"counts"`
	MeanCI95   *[2]float64 `json:"mean_ci95"`
	MeanMethod string      `json:"mean_method"`
}

func csatResult(l scoring.Likert) csatJSON {
	out := csatJSON{Metric: "csat", N: l.N(), Score: optional(l.Percent(scoring.Promoter)), Mean: optional(l.Mean()),
		CI95: optionalInterval(l.PercentCI(scoring.Promoter, scoring.DefaultConfidence)), Method: scoring.WilsonScore.String(),
		Display: percentText(l, scoring.Promoter), Counts: l.Counts,
		MeanCI95: optionalInterval(l.MeanCI(scoring.DefaultConfidence)), MeanMethod: scoring.StudentT.String()}
	return out
}

type ces2JSON struct {
	Metric       string      `json:"metric"`
	Scale        string      `json:"scale"`
	N            int         `json:"n"`
	Mean         *float64    `json:"mean"`
	Agree        *float64    `json:"agree"`
	Disagree     *float64    `json:"disagree"`
	Net          *float64    `json:"net"`
	Counts       []int       `json:"counts"`
	MeanCI95     *[2]float64 `json:"mean_ci95"`
	AgreeCI95    *[2]float64 `json:"agree_ci95"`
	DisagreeCI95 *[2]float64 `json:"disagree_ci95"`
	MeanMethod   string      `json:"mean_method"`
	ShareMethod  string      `json:"share_method"`
}

func ces2Result(l scoring.Likert) ces2JSON {
	conf := scoring.DefaultConfidence
	return ces2JSON{Metric: "ces", Scale: string(l.Scale), N: l.N(), Mean: optional(l.Mean()),
		Agree: optional(l.Percent(scoring.Promoter)), Disagree: optional(l.Percent(scoring.Detractor)), Net: optional(l.Net()),
		Counts: l.Counts, MeanCI95: optionalInterval(l.MeanCI(conf)),
		AgreeCI95: optionalInterval(l.PercentCI(scoring.Promoter, conf)), DisagreeCI95: optionalInterval(l.PercentCI(scoring.Detractor, conf)),
		MeanMethod: scoring.StudentT.String(), ShareMethod: scoring.WilsonScore.String()}
}

type ces1JSON struct {
	Metric        string      `json:"metric"`
	Scale         string      `json:"scale"`
	N             int         `json:"n"`
	Mean          *float64    `json:"mean"`
	LowEffort     *float64    `json:"low_effort"`
	Counts        []int       `json:"counts"`
	MeanCI95      *[2]float64 `json:"mean_ci95"`
	LowEffortCI95 *[2]float64 `json:"low_effort_ci95"`
	MeanMethod    string      `json:"mean_method"`
	ShareMethod   string      `json:"share_method"`
}

func ces1Result(l scoring.Likert) ces1JSON {
	conf := scoring.DefaultConfidence
	return ces1JSON{Metric: "ces", Scale: string(l.Scale), N: l.N(), Mean: optional(l.Mean()),
		LowEffort: optional(l.Percent(scoring.Promoter)), Counts: l.Counts,
		MeanCI95: optionalInterval(l.MeanCI(conf)), LowEffortCI95: optionalInterval(l.PercentCI(scoring.Promoter, conf)),
		MeanMethod: scoring.StudentT.String(), ShareMethod: scoring.WilsonScore.String()}
}

type compareJSON struct {
	Metric      string      `json:"metric"`
	A           npsJSON     `json:"a"`
	B           npsJSON     `json:"b"`
	Delta       *float64    `json:"delta"`
	SE          *float64    `json:"se"`
	Z           *float64    `json:"z"`
	P           *float64    `json:"p"`
	CI95        *[2]float64 `json:"ci95"`
	Significant bool        `json:"significant"`
	Method      string      `json:"method"`
}

func compareResult(a, b scoring.NPSCounts, c scoring.Comparison, ok bool) compareJSON {
	out := compareJSON{Metric: "nps-compare", A: npsResult(a), B: npsResult(b), Method: scoring.AdjustedWald.String()}
	if ok {
		out.Delta, out.SE, out.Z, out.P = &c.Diff, &c.SE, &c.Z, &c.P
		out.CI95 = &[2]float64{c.Lo, c.Hi}
		out.Significant = c.Significant
	}
	return out
}

func printScoreJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func optional(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &v
}

func optionalInterval(iv scoring.Interval, ok bool) *[2]float64 {
	if !ok {
		return nil
	}
	return &[2]float64{iv.Lo, iv.Hi}
}

// Text output: rounded for reading. Integers go through the scoring
// package's rounding (half away from zero, never "-0"); negative numbers get
// a real minus sign.

// noScoreText is what a missing score looks like, in text and in JSON's display.
const noScoreText = "—"

func intervalMethodLabel(m scoring.Method) string {
	switch m {
	case scoring.AdjustedWald:
		return "adjusted Wald"
	case scoring.WilsonScore:
		return "Wilson"
	}
	return m.String()
}

// minusSigned formats a whole number with U+2212 for negatives.
func minusSigned(v int) string {
	if v < 0 {
		return "−" + strconv.Itoa(-v)
	}
	return strconv.Itoa(v)
}

// roundedText rounds a float for display.
func roundedText(x float64) string { return minusSigned(int(scoring.Round(x))) }

// tenthsText rounds a mean or its bound to one decimal.
func tenthsText(x float64) string { return strconv.FormatFloat(scoring.Round(x*10)/10, 'f', 1, 64) }

func percentText(l scoring.Likert, b scoring.Bucket) string {
	if r, ok := scoring.RoundPercent(l.Count(b), l.N()); ok {
		return strconv.Itoa(r)
	}
	return noScoreText
}

// smallNNote explains, for a small n, what a digest would show.
func smallNNote(n int) string {
	th := scoring.DefaultThresholds(scoring.NPS)
	switch th.Level(n) {
	case scoring.CountsOnly:
		return fmt.Sprintf("fewer than %d answers: digests show counts only, no score", th.Score)
	case scoring.LowN:
		return fmt.Sprintf("low n (under %d): digests add a low-n badge and no trend arrow", th.Full)
	}
	return ""
}

func writeNPSText(w io.Writer, label string, c scoring.NPSCounts) error {
	n := c.N()
	if n == 0 {
		_, err := fmt.Fprintf(w, "%sNPS %s (no responses)\n", label, noScoreText)
		return err
	}
	r, _ := c.Rounded()
	ci, _ := c.CI(scoring.DefaultConfidence, scoring.AdjustedWald)
	var b strings.Builder
	fmt.Fprintf(&b, "%sNPS %s (95%% CI %s to %s, n = %d, %s)\n", label, minusSigned(r), roundedText(ci.Lo), roundedText(ci.Hi), n, intervalMethodLabel(ci.Method))
	pct := func(k int) string { p, _ := scoring.RoundPercent(k, n); return strconv.Itoa(p) }
	fmt.Fprintf(&b, "%spromoters %d (%s%%), passives %d (%s%%), detractors %d (%s%%)\n", labelIndent(label),
		c.Promoters, pct(c.Promoters), c.Passives, pct(c.Passives), c.Detractors, pct(c.Detractors))
	if note := smallNNote(n); note != "" && label == "" {
		fmt.Fprintln(&b, note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func labelIndent(label string) string { return strings.Repeat(" ", len(label)) }

func writeCSATText(w io.Writer, l scoring.Likert) error {
	n := l.N()
	if n == 0 {
		_, err := fmt.Fprintf(w, "CSAT %s (no responses)\n", noScoreText)
		return err
	}
	var b strings.Builder
	ci, _ := l.PercentCI(scoring.Promoter, scoring.DefaultConfidence)
	fmt.Fprintf(&b, "CSAT %s%% (95%% CI %s to %s, n = %d, Wilson): answered 4 or 5\n",
		percentText(l, scoring.Promoter), roundedText(ci.Lo), roundedText(ci.Hi), n)
	writeMeanLine(&b, "mean satisfaction", l)
	fmt.Fprintf(&b, "answers 1–5: %s\n", commaInts(l.Counts))
	if note := smallNNote(n); note != "" {
		fmt.Fprintln(&b, note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCESText(w io.Writer, l scoring.Likert) error {
	n := l.N()
	name := l.Scale.Name()
	if n == 0 {
		_, err := fmt.Fprintf(w, "%s %s (no responses)\n", name, noScoreText)
		return err
	}
	var b strings.Builder
	share := func(label string, bk scoring.Bucket) string {
		ci, _ := l.PercentCI(bk, scoring.DefaultConfidence)
		return fmt.Sprintf("%s %s%% (95%% CI %s to %s)", label, percentText(l, bk), roundedText(ci.Lo), roundedText(ci.Hi))
	}
	if l.Scale == scoring.CES1 {
		writeMeanLine(&b, "legacy CES effort (1–5, lower is better): mean", l)
		fmt.Fprintf(&b, "%s\n", share("low effort (1–2)", scoring.Promoter))
		fmt.Fprintf(&b, "answers 1–5: %s\n", commaInts(l.Counts))
	} else {
		writeMeanLine(&b, name+" mean", l)
		net, _ := scoring.RoundPercent(l.Count(scoring.Promoter)-l.Count(scoring.Detractor), n)
		fmt.Fprintf(&b, "%s, %s, net %s\n", share("agree (5–7)", scoring.Promoter), share("disagree (1–3)", scoring.Detractor), minusSigned(net))
		fmt.Fprintf(&b, "answers 1–7: %s\n", commaInts(l.Counts))
	}
	if note := smallNNote(n); note != "" {
		fmt.Fprintln(&b, note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMeanLine(b *strings.Builder, label string, l scoring.Likert) {
	m, _ := l.RoundedMean(1)
	mean := strconv.FormatFloat(m, 'f', 1, 64)
	if ci, ok := l.MeanCI(scoring.DefaultConfidence); ok {
		fmt.Fprintf(b, "%s %s (95%% CI %s to %s, n = %d, t)\n", label, mean, tenthsText(ci.Lo), tenthsText(ci.Hi), l.N())
	} else {
		fmt.Fprintf(b, "%s %s (n = %d, too few answers for an interval)\n", label, mean, l.N())
	}
}

func commaInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func writeCompareText(w io.Writer, a, b scoring.NPSCounts, c scoring.Comparison, ok bool) error {
	if err := writeNPSText(w, "A: ", a); err != nil {
		return err
	}
	if err := writeNPSText(w, "B: ", b); err != nil {
		return err
	}
	if !ok {
		_, err := fmt.Fprintf(w, "change A − B: %s (a group has no responses)\n", noScoreText)
		return err
	}
	d := int(scoring.Round(c.Diff))
	sign := minusSigned(d)
	if d > 0 {
		sign = "+" + sign
	}
	p := fmt.Sprintf("p = %.3f", c.P)
	if c.P < 0.001 {
		p = "p < 0.001"
	}
	verdict := "not significant at the 5% level: the difference could be chance"
	if c.Significant {
		verdict = "significant at the 5% level"
	}
	_, err := fmt.Fprintf(w, "change A − B: %s points on adjusted values (95%% CI %s to %s), z = %.2f, %s\n%s\n",
		sign, roundedText(c.Lo), roundedText(c.Hi), c.Z, p, verdict)
	return err
}

// UsageError is a command line the user must correct (exit code 2). The
// message says what to type instead.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &UsageError{msg: fmt.Sprintf(format, a...)} }

// ErrHelp is returned after --help was printed.
var ErrHelp = errors.New("help requested")

// newFlagSet returns a flag set whose --help prints usage to w and whose
// errors are returned, not printed and exited on (as every vocbot command).
func newFlagSet(w io.Writer, name, argsUsage, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: vocbot %s\n\n%s\n", strings.TrimSpace(name+" [flags] "+argsUsage), description)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "\nFlags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on every error; print only on --help
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return ErrHelp
	}
	if err != nil {
		return usagef("%s: %v; run 'vocbot %s --help'", fs.Name(), err, fs.Name())
	}
	return nil
}
