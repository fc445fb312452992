package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

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
// to do", sorted by position in the file.
func decodeFile(name string, data []byte, c *Config) []error {
	root, err := parseYAML(name, data)
	if err != nil {
		return []error{errors.New(printable(err.Error()))}
	}
	if root == nil {
		return nil
	}
	d := &decoder{budget: maxNodes}
	var f fileConfig
	if d.value(root, "", reflect.ValueOf(&f).Elem()) {
		d.apply(&f, c)
	}
	// Stable: problems at the same place keep the order they were found in.
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
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

// decoder walks the node tree into the schema's structs (decode.go), then
// checks and applies what it read (check.go), collecting every problem with
// its place in the file.
type decoder struct {
	errs      []lineError
	budget    int
	exhausted bool
}

type lineError struct {
	line, col int
	msg       string
}

func (d *decoder) errorf(n *yaml.Node, path, format string, a ...any) {
	if d.exhausted {
		return // the walk was cut short; what follows would be noise
	}
	msg := fmt.Sprintf(format, a...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.errs = append(d.errs, lineError{line: n.Line, col: n.Column, msg: printable(msg)})
}

// tick spends one unit of the walking budget; false means it ran out (and
// says so once).
func (d *decoder) tick(n *yaml.Node) bool {
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
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
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
