package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// schema lists the keys each mapping of the file may have, by path pattern
// ("surveys[]" is any survey). decodeFile checks against it, and the tests
// check that vocbot.example.yaml and docs/configuration.md cover all of it.
var schema = map[string][]string{
	"":              {"product", "timezone", "default_locale", "surveys", "touchpoints", "fatigue", "digests", "alerts", "ambassadors", "enps", "digits"},
	"surveys[]":     {"id", "metric", "question", "follow_up", "expires_after", "reminder_after"},
	"touchpoints[]": {"type", "survey", "delay", "sample", "quiet_hours"},
	"fatigue":       {"min_gap"},
	"digests[]":     {"id", "to", "at", "timezone", "days", "surveys", "quotes", "locale", "breakdowns", "post_when_empty"},
	"alerts[]":      {"to", "on"},
	"ambassadors":   {"slack_users", "discord_roles", "telegram_users", "daily_quota"},
	"enps":          {"anonymity_threshold", "comment_threshold"},
	"digits":        {"ar", "fa"},
}

// alertEvents are the values of alerts[].on.
var alertEvents = []AlertOn{Detractor}

const (
	// maxNodes bounds the work of walking the file: anchors and merge keys
	// can make a small file expand exponentially ("billion laughs").
	maxNodes = 100_000
	// maxMergeDepth bounds merges of merges (and catches a mapping merging
	// itself).
	maxMergeDepth = 8
)

// decodeFile reads the YAML document data, named name in messages, into c,
// which holds the defaults. It reports every problem as "name:line: path: what
// to do", sorted by line.
func decodeFile(name string, data []byte, c *Config) []error {
	root, err := parseYAML(name, data)
	if err != nil {
		return []error{errors.New(printable(err.Error()))}
	}
	if root == nil {
		return nil
	}
	d := &fileDecoder{budget: maxNodes, surveyIndex: map[string]int{}}
	for i, s := range c.Surveys {
		d.surveyIndex[s.ID] = i
	}
	d.config(root, c)
	sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].line < d.errs[j].line })
	var errs []error
	for _, e := range d.errs {
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, e.line, e.msg))
	}
	return errs
}

// yamlLine matches go-yaml's syntax errors, "yaml: line 3: did not find …".
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data into a node tree and returns its root, nil for an
// empty document. Syntax errors become one line, "name:line: problem".
func parseYAML(name string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// go-yaml panics on a few malformed inputs instead of failing; a bad
		// file must give an error, never take the process down.
		if p := recover(); p != nil {
			root, err = nil, fmt.Errorf("%s: not valid YAML (%s)", name, oneLine(fmt.Sprint(p)))
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(name, data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(name, data, err)
	default:
		return nil, fmt.Errorf("%s:%d: a second YAML document; keep the configuration in one (remove the ---)", name, extra.Line)
	}
	root = &doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		root = doc.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	return root, nil
}

// parserProblems are go-yaml's parser (not scanner) errors. go-yaml reports
// their line counting from 0, and leaves the line out when it is 0; scanner
// errors count from 1.
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// unknownAnchor is go-yaml's one error without a line.
var unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// syntaxError rewrites a go-yaml error as "name:line: problem", with the
// line made 1-based, and a hint for the most common cause, a tab in the
// indentation.
func syntaxError(name string, data []byte, err error) error {
	msg := oneLine(err.Error())
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		line := 1 + bytes.Count(data[:max(0, bytes.Index(data, []byte("*"+m[1])))], []byte("\n"))
		return fmt.Errorf("%s:%d: *%s refers to no anchor; define &%s before it", name, line, m[1], m[1])
	}
	problem, line := strings.TrimPrefix(msg, "yaml: "), 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		problem = m[2]
		line, _ = strconv.Atoi(m[1])
	}
	if slices.Contains(parserProblems, problem) {
		line++
	}
	line = max(line, 1)
	lines := bytes.Split(data, []byte("\n"))
	if line <= len(lines) && bytes.HasPrefix(bytes.TrimLeft(lines[line-1], " "), []byte("\t")) {
		problem += " (a tab in the indentation? YAML indents with spaces)"
	}
	return fmt.Errorf("%s:%d: %s", name, line, problem)
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// fileDecoder walks the node tree, collecting errors with their lines.
type fileDecoder struct {
	errs      []lineError
	budget    int
	exhausted bool
	// surveys indexes Config.Surveys by id, so references are checked in
	// constant time however long the lists.
	surveyIndex map[string]int
}

type lineError struct {
	line int
	msg  string
}

func (d *fileDecoder) errorf(n *yaml.Node, path, format string, a ...any) {
	if d.exhausted {
		return // the walk was cut short; what follows would be noise
	}
	msg := fmt.Sprintf(format, a...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.errs = append(d.errs, lineError{line: n.Line, msg: printable(msg)})
}

// tick spends one unit of the walking budget; false means it ran out (and
// says so once).
func (d *fileDecoder) tick(n *yaml.Node) bool {
	if d.budget--; d.budget >= 0 {
		return true
	}
	if !d.exhausted {
		d.errorf(n, "", "more than %d values here (counting what anchors and merges expand to); is this the right file?", maxNodes)
		d.exhausted = true
	}
	return false
}

// resolve follows aliases to the anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's kind for "expected …, got …" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return "text"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "true/false"
		case "!!null":
			return "nothing"
		}
		return "a value tagged " + keyName(n.ShortTag())
	}
	return "something else"
}

// keyName shortens a key from the file for a key path in a message.
func keyName(key string) string {
	if r := []rune(key); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return key
}

// printable escapes control characters, so text from the file (a key, a
// tag) cannot break a message's one line.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

type pair struct{ key, value *yaml.Node }

// pairs lists the key/value pairs of mapping n with merge keys (<<: *anchor)
// applied: keys written in n win over merged ones, earlier merges over later.
func (d *fileDecoder) pairs(n *yaml.Node, path string, depth int) []pair {
	var own, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !d.tick(n.Content[i]) {
			return own
		}
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!merge" {
			own = append(own, pair{k, v})
			continue
		}
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, s := range sources {
			s = resolve(s)
			switch {
			case s.Kind != yaml.MappingNode:
				d.errorf(k, join(path, "<<"), "merge a mapping or a list of mappings, e.g. <<: *defaults")
			case depth >= maxMergeDepth:
				d.errorf(k, join(path, "<<"), "merges nest more than %d deep (or a mapping merges itself)", maxMergeDepth)
			default:
				merged = append(merged, d.pairs(s, path, depth+1)...)
			}
		}
	}
	if len(merged) == 0 {
		return own
	}
	have := map[string]bool{}
	for _, p := range own {
		have[p.key.Value] = true
	}
	for _, p := range merged {
		if !have[p.key.Value] {
			have[p.key.Value] = true
			own = append(own, p)
		}
	}
	return own
}

// fields checks that n is a mapping with no key outside known and none
// repeated, and returns the non-null values by key.
func (d *fileDecoder) fields(n *yaml.Node, path string, known []string) (map[string]*yaml.Node, bool) {
	if n.Kind != yaml.MappingNode {
		if path == "" {
			d.errorf(n, "", "the file must be a mapping of keys such as surveys: and digests:, not %s", describe(n))
		} else {
			d.errorf(n, path, "expected a mapping (keys %s), got %s", strings.Join(known, ", "), describe(n))
		}
		return nil, false
	}
	out := map[string]*yaml.Node{}
	seen := map[string]int{}
	for _, p := range d.pairs(n, path, 0) {
		k := p.key
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "a key must be a plain name, not %s", describe(k))
			continue
		}
		sub := join(path, keyName(k.Value))
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, sub, "repeated key (also on line %d); keep one", line)
			continue
		}
		seen[k.Value] = k.Line
		if path == "" && strings.HasPrefix(k.Value, "x-") {
			continue // extension keys, a place for anchors, as in Compose files
		}
		if !slices.Contains(known, k.Value) {
			d.errorf(k, sub, "unknown key%s", suggest(k.Value, known))
			continue
		}
		if !isNull(p.value) {
			out[k.Value] = p.value
		}
	}
	return out, true
}

// suggest proposes the known key closest to a misspelt one, or lists them.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		// A short key is near everything; only suggest what is clearly close.
		if dist := editDistance(strings.ToLower(key), k); dist < bestDist && dist < len(key)-1 {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		return "; did you mean " + best + "?"
	}
	return "; valid keys here: " + strings.Join(known, ", ")
}

// editDistance is the Levenshtein distance, for short keys only.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// list checks that n is a sequence and returns its items, aliases resolved.
func (d *fileDecoder) list(n *yaml.Node, path string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a list, got %s", describe(n))
		return nil
	}
	items := make([]*yaml.Node, 0, len(n.Content))
	for _, it := range n.Content {
		if !d.tick(it) {
			break
		}
		items = append(items, resolve(it))
	}
	return items
}

// str reads a scalar as text. Numbers are taken as written (an id may be
// 123); true/false and null are refused, being almost always a mistake.
func (d *fileDecoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str", "!!int", "!!float", "!!timestamp":
			return n.Value, true
		case "!!bool":
			d.errorf(n, path, "expected text, got %s; put it in quotes if you mean the word", n.Value)
			return "", false
		}
	}
	d.errorf(n, path, "expected text, got %s", describe(n))
	return "", false
}

func (d *fileDecoder) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b, true
		}
	}
	d.errorf(n, path, "expected true or false, got %s", quoteScalar(n))
	return false, false
}

func (d *fileDecoder) integer(n *yaml.Node, path string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, true
		}
		d.errorf(n, path, "%s is too large", n.Value)
		return 0, false
	}
	d.errorf(n, path, "expected a whole number, got %s", quoteScalar(n))
	return 0, false
}

func (d *fileDecoder) number(n *yaml.Node, path string) (float64, bool) {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		var f float64
		if err := n.Decode(&f); err == nil {
			return f, true
		}
	}
	d.errorf(n, path, "expected a number, got %s", quoteScalar(n))
	return 0, false
}

// quoteScalar shows a scalar's text for a message, or its kind otherwise.
func quoteScalar(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
		v := n.Value
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return strconv.Quote(v)
	}
	return describe(n)
}

func (d *fileDecoder) duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}
	v, err := parseDuration(s)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return 0, false
	}
	return v, true
}

// config decodes the top-level mapping. Sections are read in dependency
// order, not file order: references to surveys need the surveys first, and
// digests default to the top-level time zone and locale.
func (d *fileDecoder) config(root *yaml.Node, c *Config) {
	f, ok := d.fields(root, "", schema[""])
	if !ok {
		return
	}
	if n := f["product"]; n != nil {
		if s, ok := d.str(n, "product"); ok {
			if strings.ContainsAny(s, "\r\n") || len([]rune(s)) > 100 {
				d.errorf(n, "product", "write the product or company name on one line, at most 100 characters")
			} else {
				c.Product = s
			}
		}
	}
	if n := f["timezone"]; n != nil {
		if loc, ok := d.location(n, "timezone"); ok {
			c.Timezone = loc
		}
	}
	if n := f["default_locale"]; n != nil {
		if s, ok := d.locale(n, "default_locale"); ok {
			c.DefaultLocale = s
		}
	}
	if n := f["surveys"]; n != nil {
		d.surveys(n, c)
	}
	if n := f["touchpoints"]; n != nil {
		d.touchpoints(n, c)
	}
	if n := f["fatigue"]; n != nil {
		if g, ok := d.fields(n, "fatigue", schema["fatigue"]); ok && g["min_gap"] != nil {
			if v, ok := d.duration(g["min_gap"], "fatigue.min_gap"); ok {
				c.Fatigue.MinGap = v
			}
		}
	}
	if n := f["digests"]; n != nil {
		d.digests(n, c)
	}
	if n := f["alerts"]; n != nil {
		d.alerts(n, c)
	}
	if n := f["ambassadors"]; n != nil {
		d.ambassadors(n, c)
	}
	if n := f["enps"]; n != nil {
		d.enps(n, c)
	}
	if n := f["digits"]; n != nil {
		d.digits(n, c)
	}
}

func (d *fileDecoder) location(n *yaml.Node, path string) (*time.Location, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return nil, false
	}
	loc, err := loadLocation(s)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return nil, false
	}
	return loc, true
}

func (d *fileDecoder) locale(n *yaml.Node, path string) (string, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return "", false
	}
	if err := checkLocale(s); err != nil {
		d.errorf(n, path, "%v", err)
		return "", false
	}
	return s, true
}

// id reads a required, unique id; seen maps ids to the line defining them.
func (d *fileDecoder) id(item *yaml.Node, f map[string]*yaml.Node, path, what, example string, seen map[string]int) (string, bool) {
	n := f["id"]
	if n == nil {
		d.errorf(item, path, "missing id; give the %s an id such as %s", what, example)
		return "", false
	}
	s, ok := d.str(n, path+".id")
	if !ok {
		return "", false
	}
	if err := checkID(s); err != nil {
		d.errorf(n, path+".id", "%v", err)
		return "", false
	}
	if line, dup := seen[s]; dup {
		d.errorf(n, path+".id", "%q is already the id of the %s on line %d; ids must be unique", s, what, line)
		return "", false
	}
	seen[s] = n.Line
	return s, true
}

func (d *fileDecoder) surveys(n *yaml.Node, c *Config) {
	seen := map[string]int{}
	for i, item := range d.list(n, "surveys") {
		path := fmt.Sprintf("surveys[%d]", i)
		f, ok := d.fields(item, path, schema["surveys[]"])
		if !ok {
			continue
		}
		id, ok := d.id(item, f, path, "survey", "nps-delivery", seen)
		if !ok {
			continue
		}
		builtin, isBuiltin := d.surveyIndex[id]
		s := newSurvey(id, "")
		if isBuiltin {
			// Redefining a built-in keeps its metric unless told otherwise:
			// "- id: nps" with a question is how its wording is changed.
			s.Metric = c.Surveys[builtin].Metric
		}
		if m := f["metric"]; m != nil {
			if v, ok := d.str(m, path+".metric"); ok {
				if !slices.Contains(metrics, Metric(v)) {
					d.errorf(m, path+".metric", "%q is not one of %s", v, oneOf(metrics))
				} else {
					s.Metric = Metric(v)
				}
			}
		} else if s.Metric == "" {
			d.errorf(item, path, "missing metric; use one of %s", oneOf(metrics))
		}
		if q := f["question"]; q != nil {
			d.question(q, path+".question", s.Question)
		}
		if b := f["follow_up"]; b != nil {
			if v, ok := d.boolean(b, path+".follow_up"); ok {
				s.FollowUp = v
			}
		}
		if e := f["expires_after"]; e != nil {
			if v, ok := d.duration(e, path+".expires_after"); ok {
				if v <= 0 {
					d.errorf(e, path+".expires_after", "must be more than 0, e.g. 72h")
				} else {
					s.ExpiresAfter = v
				}
			}
		}
		if r := f["reminder_after"]; r != nil {
			if v, ok := d.duration(r, path+".reminder_after"); ok {
				if v >= s.ExpiresAfter {
					d.errorf(r, path+".reminder_after", "%s is not before expires_after (%s); remind earlier, or remove reminder_after for no reminder", formatDuration(v), formatDuration(s.ExpiresAfter))
				} else {
					s.ReminderAfter = v
				}
			}
		}
		if isBuiltin {
			c.Surveys[builtin] = s
		} else {
			d.surveyIndex[id] = len(c.Surveys)
			c.Surveys = append(c.Surveys, s)
		}
	}
}

// question reads a survey's per-locale wording overrides into q.
func (d *fileDecoder) question(n *yaml.Node, path string, q map[string]string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping of locale to text, e.g. {en: \"…\", he: \"…\"}, got %s", describe(n))
		return
	}
	seen := map[string]int{}
	for _, p := range d.pairs(n, path, 0) {
		k := p.key
		sub := join(path, keyName(k.Value))
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "a key must be a locale, not %s", describe(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, sub, "repeated locale (also on line %d); keep one", line)
			continue
		}
		seen[k.Value] = k.Line
		if err := checkLocale(k.Value); err != nil {
			d.errorf(k, sub, "%v", err)
			continue
		}
		if isNull(p.value) {
			d.errorf(p.value, sub, "the wording is missing; write it or remove the line")
			continue
		}
		if s, ok := d.str(p.value, sub); ok {
			if strings.TrimSpace(s) == "" {
				d.errorf(p.value, sub, "the wording is empty; write it or remove the line")
				continue
			}
			q[k.Value] = s
		}
	}
}

// surveyRef checks that a reference names a defined survey.
func (d *fileDecoder) surveyRef(n *yaml.Node, path string, c *Config) (string, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return "", false
	}
	if _, ok := d.surveyIndex[s]; !ok {
		ids := make([]string, len(c.Surveys))
		for i, sv := range c.Surveys {
			ids[i] = sv.ID
		}
		if len(ids) > 8 {
			ids = append(ids[:8], "…")
		}
		d.errorf(n, path, "no survey has id %q; defined: %s", s, strings.Join(ids, ", "))
		return "", false
	}
	return s, true
}

func (d *fileDecoder) touchpoints(n *yaml.Node, c *Config) {
	seen := map[string]int{}
	for i, item := range d.list(n, "touchpoints") {
		path := fmt.Sprintf("touchpoints[%d]", i)
		f, ok := d.fields(item, path, schema["touchpoints[]"])
		if !ok {
			continue
		}
		t := Touchpoint{Sample: 1}
		if tn := f["type"]; tn == nil {
			d.errorf(item, path, "missing type; name the touchpoint type the API receives, e.g. order_delivered")
		} else if s, ok := d.str(tn, path+".type"); ok {
			if err := checkTouchpointType(s); err != nil {
				d.errorf(tn, path+".type", "%v", err)
			} else if line, dup := seen[s]; dup {
				d.errorf(tn, path+".type", "%q already has a rule on line %d; one rule per type", s, line)
			} else {
				seen[s] = tn.Line
				t.Type = s
			}
		}
		if sn := f["survey"]; sn == nil {
			d.errorf(item, path, "missing survey; name the survey this touchpoint triggers")
		} else if s, ok := d.surveyRef(sn, path+".survey", c); ok {
			t.Survey = s
		}
		if dn := f["delay"]; dn != nil {
			if v, ok := d.duration(dn, path+".delay"); ok {
				t.Delay = v
			}
		}
		if sn := f["sample"]; sn != nil {
			if v, ok := d.number(sn, path+".sample"); ok {
				if !(v > 0 && v <= 1) {
					d.errorf(sn, path+".sample", "%s is not a share; use more than 0 and at most 1 (1 asks everyone)", sn.Value)
				} else {
					t.Sample = v
				}
			}
		}
		if qn := f["quiet_hours"]; qn != nil {
			if s, ok := d.str(qn, path+".quiet_hours"); ok {
				if q, err := parseQuietHours(s); err != nil {
					d.errorf(qn, path+".quiet_hours", "%v", err)
				} else {
					t.QuietHours = q
				}
			}
		}
		c.Touchpoints = append(c.Touchpoints, t)
	}
}

func (d *fileDecoder) target(item *yaml.Node, f map[string]*yaml.Node, path string) (Target, bool) {
	n := f["to"]
	if n == nil {
		d.errorf(item, path, "missing to; name the channel, e.g. slack:C0123ABC, discord:123456789012345678 or telegram:-1001234567890")
		return Target{}, false
	}
	s, ok := d.str(n, path+".to")
	if !ok {
		return Target{}, false
	}
	t, err := parseTarget(s)
	if err != nil {
		d.errorf(n, path+".to", "%v", err)
		return Target{}, false
	}
	return t, true
}

func (d *fileDecoder) digests(n *yaml.Node, c *Config) {
	seen := map[string]int{}
	for i, item := range d.list(n, "digests") {
		path := fmt.Sprintf("digests[%d]", i)
		f, ok := d.fields(item, path, schema["digests[]"])
		if !ok {
			continue
		}
		g := Digest{
			Timezone: c.Timezone,
			Days:     []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
			Quotes:   defaultQuotes,
			Locale:   c.DefaultLocale,
		}
		g.ID, _ = d.id(item, f, path, "digest", "daily-voc", seen)
		g.To, _ = d.target(item, f, path)
		if an := f["at"]; an == nil {
			d.errorf(item, path, "missing at; give the local time to post it, e.g. \"09:00\"")
		} else if s, ok := d.str(an, path+".at"); ok {
			if t, err := parseTimeOfDay(s); err != nil {
				d.errorf(an, path+".at", "%v", err)
			} else {
				g.At = t
			}
		}
		if tn := f["timezone"]; tn != nil {
			if loc, ok := d.location(tn, path+".timezone"); ok {
				g.Timezone = loc
			}
		}
		if dn := f["days"]; dn != nil {
			g.Days = d.days(dn, path+".days", g.Days)
		}
		if sn := f["surveys"]; sn != nil {
			var ids []string
			listed := map[string]bool{}
			items := d.list(sn, path+".surveys")
			if items != nil && len(items) == 0 {
				d.errorf(sn, path+".surveys", "no surveys; list at least one, or remove surveys for all of them")
			}
			for j, it := range items {
				sub := fmt.Sprintf("%s.surveys[%d]", path, j)
				if s, ok := d.surveyRef(it, sub, c); ok {
					if listed[s] {
						d.errorf(it, sub, "%q is listed twice", s)
						continue
					}
					listed[s] = true
					ids = append(ids, s)
				}
			}
			g.Surveys = ids
		}
		if qn := f["quotes"]; qn != nil {
			if v, ok := d.integer(qn, path+".quotes"); ok {
				if v < 0 || v > 10 {
					d.errorf(qn, path+".quotes", "%d is out of range; use 0 to 10", v)
				} else {
					g.Quotes = int(v)
				}
			}
		}
		if ln := f["locale"]; ln != nil {
			if s, ok := d.locale(ln, path+".locale"); ok {
				g.Locale = s
			}
		}
		if bn := f["breakdowns"]; bn != nil {
			listed := map[string]bool{}
			for j, it := range d.list(bn, path+".breakdowns") {
				sub := fmt.Sprintf("%s.breakdowns[%d]", path, j)
				s, ok := d.str(it, sub)
				switch {
				case !ok:
				case !attributeName.MatchString(s):
					d.errorf(it, sub, "%q is not a touchpoint attribute name; use 1–64 letters, digits and _.- as in the touchpoints' attributes", s)
				case listed[s]:
					d.errorf(it, sub, "%q is listed twice", s)
				default:
					listed[s] = true
					g.Breakdowns = append(g.Breakdowns, s)
				}
			}
		}
		if pn := f["post_when_empty"]; pn != nil {
			if v, ok := d.boolean(pn, path+".post_when_empty"); ok {
				g.PostWhenEmpty = v
			}
		}
		c.Digests = append(c.Digests, g)
	}
}

// attributeName is a touchpoint attribute key a digest may break down by.
var attributeName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// days reads a list of weekday names into week order.
func (d *fileDecoder) days(n *yaml.Node, path string, def []time.Weekday) []time.Weekday {
	items := d.list(n, path)
	if items == nil {
		return def
	}
	if len(items) == 0 {
		d.errorf(n, path, "no days; list at least one, or remove days for every day")
		return def
	}
	var set [7]bool
	for j, it := range items {
		sub := fmt.Sprintf("%s[%d]", path, j)
		s, ok := d.str(it, sub)
		if !ok {
			continue
		}
		wd, err := parseWeekday(s)
		if err != nil {
			d.errorf(it, sub, "%v", err)
			continue
		}
		if set[wd] {
			d.errorf(it, sub, "%s is listed twice", s)
		}
		set[wd] = true
	}
	var out []time.Weekday
	for wd, on := range set {
		if on {
			out = append(out, time.Weekday(wd))
		}
	}
	return out
}

func (d *fileDecoder) alerts(n *yaml.Node, c *Config) {
	seen := map[Alert]int{}
	for i, item := range d.list(n, "alerts") {
		path := fmt.Sprintf("alerts[%d]", i)
		f, ok := d.fields(item, path, schema["alerts[]"])
		if !ok {
			continue
		}
		a := Alert{On: Detractor}
		to, toOK := d.target(item, f, path)
		a.To = to
		if on := f["on"]; on != nil {
			if s, ok := d.str(on, path+".on"); ok {
				if !slices.Contains(alertEvents, AlertOn(s)) {
					d.errorf(on, path+".on", "%q is not one of %s", s, oneOf(alertEvents))
				} else {
					a.On = AlertOn(s)
				}
			}
		}
		if toOK {
			if line, dup := seen[a]; dup {
				d.errorf(item, path, "the alert on line %d already posts %s to %s", line, a.On, a.To)
				continue
			}
			seen[a] = item.Line
		}
		c.Alerts = append(c.Alerts, a)
	}
}

func (d *fileDecoder) ambassadors(n *yaml.Node, c *Config) {
	f, ok := d.fields(n, "ambassadors", schema["ambassadors"])
	if !ok {
		return
	}
	a := &c.Ambassadors
	if ln := f["slack_users"]; ln != nil {
		for j, it := range d.list(ln, "ambassadors.slack_users") {
			sub := fmt.Sprintf("ambassadors.slack_users[%d]", j)
			if s, ok := d.str(it, sub); ok {
				if !slackID(s, "UW") {
					d.errorf(it, sub, "%q is not a Slack user id; copy it from the profile (⋮ → Copy member ID), e.g. U0123ABC", s)
					continue
				}
				a.SlackUsers = append(a.SlackUsers, s)
			}
		}
	}
	if ln := f["discord_roles"]; ln != nil {
		for j, it := range d.list(ln, "ambassadors.discord_roles") {
			sub := fmt.Sprintf("ambassadors.discord_roles[%d]", j)
			if s, ok := d.str(it, sub); ok {
				if !snowflake(s) {
					d.errorf(it, sub, "%q is not a Discord role id; with Developer Mode on, right-click the role → Copy Role ID", s)
					continue
				}
				a.DiscordRoles = append(a.DiscordRoles, s)
			}
		}
	}
	if ln := f["telegram_users"]; ln != nil {
		for j, it := range d.list(ln, "ambassadors.telegram_users") {
			sub := fmt.Sprintf("ambassadors.telegram_users[%d]", j)
			if s, ok := d.str(it, sub); ok {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil || id <= 0 {
					d.errorf(it, sub, "%q is not a Telegram user id; it is a positive number, e.g. 111111", s)
					continue
				}
				a.TelegramUsers = append(a.TelegramUsers, id)
			}
		}
	}
	if qn := f["daily_quota"]; qn != nil {
		if v, ok := d.integer(qn, "ambassadors.daily_quota"); ok {
			if v < 1 || v > 1_000_000 {
				d.errorf(qn, "ambassadors.daily_quota", "%d is out of range; use 1 or more invitations per ambassador per day", v)
			} else {
				a.DailyQuota = int(v)
			}
		}
	}
}

func (d *fileDecoder) enps(n *yaml.Node, c *Config) {
	f, ok := d.fields(n, "enps", schema["enps"])
	if !ok {
		return
	}
	if an := f["anonymity_threshold"]; an != nil {
		if v, ok := d.integer(an, "enps.anonymity_threshold"); ok {
			if v < 3 || v > 10 {
				d.errorf(an, "enps.anonymity_threshold", "%d is out of range; use 3 to 10", v)
			} else {
				c.ENPS.AnonymityThreshold = int(v)
				c.ENPS.CommentThreshold = max(c.ENPS.CommentThreshold, int(v))
			}
		}
	}
	if cn := f["comment_threshold"]; cn != nil {
		if v, ok := d.integer(cn, "enps.comment_threshold"); ok {
			if v < int64(c.ENPS.AnonymityThreshold) || v > 100 {
				d.errorf(cn, "enps.comment_threshold", "%d is out of range; use anonymity_threshold (%d) to 100", v, c.ENPS.AnonymityThreshold)
			} else {
				c.ENPS.CommentThreshold = int(v)
			}
		}
	}
}

func (d *fileDecoder) digits(n *yaml.Node, c *Config) {
	f, ok := d.fields(n, "digits", schema["digits"])
	if !ok {
		return
	}
	for key, dst := range map[string]*string{"ar": &c.Digits.Arabic, "fa": &c.Digits.Persian} {
		vn := f[key]
		if vn == nil {
			continue
		}
		if s, ok := d.str(vn, "digits."+key); ok {
			if s != "native" && s != "latin" {
				d.errorf(vn, "digits."+key, "%q is not one of native, latin", s)
				continue
			}
			*dst = s
		}
	}
}
