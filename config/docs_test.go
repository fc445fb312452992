package config

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the generated tables of docs/configuration.md from schema.go and envvars.go")

// fieldDocs reads the doc comment of every field of every struct in
// schema.go, by type and field name.
func fieldDocs(t *testing.T) map[string]map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "schema.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]map[string]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		docs[ts.Name.Name] = map[string]string{}
		for _, f := range st.Fields.List {
			for _, name := range f.Names {
				docs[ts.Name.Name][name.Name] = strings.Join(strings.Fields(f.Doc.Text()), " ")
			}
		}
		return false
	})
	return docs
}

// docSection is one generated table of the reference.
type docSection struct {
	name string // "top level", "surveys", …: the marker's name
	body string
}

// quoted matches a default tag's 'code'.
var quoted = regexp.MustCompile(`'([^']*)'`)

// referenceTables renders a table per mapping of the schema, in schema
// order: key path, default (the default tag) and accepted values (the
// field's doc comment).
func referenceTables(t *testing.T) []docSection {
	t.Helper()
	docs := fieldDocs(t)
	var out []docSection
	var walk func(rt reflect.Type, pattern string)
	walk = func(rt reflect.Type, pattern string) {
		var b strings.Builder
		name, column := strings.TrimSuffix(pattern, "[]"), "accepted values"
		if pattern == "" {
			name, column = "top level", "meaning"
		}
		fmt.Fprintf(&b, "| key | default | %s |\n|---|---|---|\n", column)
		var children []func()
		for _, f := range schemaFields(rt) {
			sf := rt.Field(f.index)
			path := strings.TrimPrefix(pattern+"."+f.key, ".")
			doc := docs[rt.Name()][sf.Name]
			def := sf.Tag.Get("default")
			if doc == "" || def == "" {
				t.Errorf("schema.go: %s.%s (%s) needs a doc comment and a default tag", rt.Name(), sf.Name, path)
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", path, quoted.ReplaceAllString(def, "`$1`"), doc)
			ft := sf.Type
			child := path
			if ft.Kind() == reflect.Slice {
				ft, child = ft.Elem(), child+"[]"
			}
			if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(unmarshalerType) {
				children = append(children, func() { walk(ft, child) })
			}
		}
		out = append(out, docSection{name: name, body: b.String()})
		for _, c := range children {
			c()
		}
	}
	walk(reflect.TypeFor[fileConfig](), "")
	return out
}

// envTable renders the table of VOCBOT_* variables.
func envTable() docSection {
	var b strings.Builder
	b.WriteString("| variable | default | accepted values |\n|---|---|---|\n")
	for _, v := range envVars() {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.name, v.def, v.doc)
	}
	return docSection{name: "environment", body: b.String()}
}

// Markers around each generated table in docs/configuration.md.
func beginMarker(name string) string {
	return "<!-- table of " + name + ", generated from package config by go generate ./config -->\n"
}

const endMarker = "<!-- end of generated table -->\n"

// TestDocsReference checks that the tables of docs/configuration.md are what
// envvars.go and schema.go say; with -update (go generate ./config) it rewrites them.
// Everything outside the markers is written by hand.
func TestDocsReference(t *testing.T) {
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	sections := append([]docSection{envTable()}, referenceTables(t)...)
	names := map[string]bool{}
	for _, s := range sections {
		names[s.name] = true
		begin := beginMarker(s.name)
		i := strings.Index(doc, begin)
		if i < 0 {
			t.Errorf("docs/configuration.md lacks the table of %s; add a line\n%s%s where it belongs and run go generate ./config", s.name, begin, endMarker)
			continue
		}
		start := i + len(begin)
		n := strings.Index(doc[start:], endMarker)
		if n < 0 {
			t.Errorf("docs/configuration.md: the table of %s has no %q after it", s.name, endMarker)
			continue
		}
		if got := doc[start : start+n]; got != s.body {
			if *update {
				doc = doc[:start] + s.body + doc[start+n:]
				continue
			}
			t.Errorf("docs/configuration.md: the table of %s differs from package config; run go generate ./config (-docs +config):\n%s", s.name, cmp.Diff(got, s.body))
		}
	}
	for _, m := range regexp.MustCompile(`<!-- table of (.*), generated from package config`).FindAllStringSubmatch(doc, -1) {
		if !names[m[1]] {
			t.Errorf("docs/configuration.md has a table of %s, which package config no longer has", m[1])
		}
	}
	if *update && !t.Failed() && doc != string(data) {
		if err := os.WriteFile(docsPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/configuration.md")
	}
}
