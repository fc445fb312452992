package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The walker reads a node tree into the schema's structs (schema.go) by their
// yaml tags, strictly like yaml.Decoder.KnownFields, and leaf values by
// their types' UnmarshalYAML. It does what go-yaml's decoder does not: it
// keeps going after a value's own error (go-yaml stops at the first one an
// UnmarshalYAML returns), names each problem's key path ("digests[0].days[2]")
// in vocbot's words, suggests the key a misspelt one meant, and expands
// merge keys and aliases within a budget. yaml.Node.Decode, which would
// give the lines, has no KnownFields at all. TestSchemaIsPlainYAML checks
// that go-yaml itself reads the same structs.

// position records where a struct came from, for the checks that follow the
// walk: which keys were given (null ones count as absent), which of them
// could not be read, and their value nodes. A struct of the schema has it as
// its field Pos.
type position struct {
	node *yaml.Node
	keys map[string]*yaml.Node
	bad  map[string]bool
	// index is the struct's place in its list, counting items that could
	// not be read, for key paths such as surveys[2].
	index int
}

// has reports whether key was given a value.
func (p position) has(key string) bool { return p.keys[key] != nil }

// ok reports whether key was given a value that was read without a problem.
func (p position) ok(key string) bool { return p.has(key) && !p.bad[key] }

// at is key's value node, nil when it was not given.
func (p position) at(key string) *yaml.Node { return p.keys[key] }

var positionType = reflect.TypeFor[position]()

// schemaField is one key of a schema struct.
type schemaField struct {
	key   string
	index int
}

// schemaFields lists the keys of a schema struct in declaration order.
func schemaFields(t reflect.Type) []schemaField {
	var out []schemaField
	for i := range t.NumField() {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		out = append(out, schemaField{key: key, index: i})
	}
	return out
}

func fieldKeys(fields []schemaField) []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return keys
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// value reads n, an alias already resolved, into v. It reports false when n
// could not be read at all; problems further down are reported but leave
// the rest standing.
func (d *decoder) value(n *yaml.Node, path string, v reflect.Value) bool {
	if v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			var ne *nodeError
			if errors.As(err, &ne) {
				d.errorf(ne.node, join(path, ne.path), "%s", ne.msg)
				return false
			}
			d.errorf(n, path, "%s", err.Error())
			return false
		}
		return true
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.structure(n, path, v)
	case reflect.Slice:
		return d.list(n, path, v)
	case reflect.Map:
		return d.mapping(n, path, v)
	case reflect.String:
		s, err := scalarText(n)
		if err != nil {
			d.errorf(n, path, "%s", err.Error())
			return false
		}
		v.SetString(s)
		return true
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.errorf(n, path, "expected true or false, got %s", quoteScalar(n))
			return false
		}
		v.SetBool(b)
		return true
	case reflect.Int, reflect.Int64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			d.errorf(n, path, "expected a whole number, got %s", quoteScalar(n))
			return false
		}
		var i int64
		if err := n.Decode(&i); err != nil || v.OverflowInt(i) {
			d.errorf(n, path, "%s is too large", n.Value)
			return false
		}
		v.SetInt(i)
		return true
	}
	// The schema is fixed, and TestExampleLoads reads every key of it
	// (TestExampleCoversSchema): this is a bug in schema.go, not in the file.
	panic("config: the schema has a field of type " + v.Type().String() + " the walker cannot read")
}

// structure reads a mapping into a schema struct, refusing unknown and
// repeated keys.
func (d *decoder) structure(n *yaml.Node, path string, v reflect.Value) bool {
	fields := schemaFields(v.Type())
	if n.Kind != yaml.MappingNode {
		if path == "" {
			d.errorf(n, "", "the file must be a mapping of keys such as surveys: and digests:, not %s", describe(n))
		} else {
			d.errorf(n, path, "expected a mapping (keys %s), got %s", strings.Join(fieldKeys(fields), ", "), describe(n))
		}
		return false
	}
	pos := position{node: n, keys: map[string]*yaml.Node{}, bad: map[string]bool{}}
	if f, ok := v.Type().FieldByName("Pos"); ok && f.Type == positionType {
		defer func() { v.FieldByIndex(f.Index).Set(reflect.ValueOf(pos)) }()
	}
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
		i := -1
		for _, f := range fields {
			if f.key == k.Value {
				i = f.index
			}
		}
		if i < 0 {
			d.errorf(k, sub, "unknown key%s", suggest(k.Value, fieldKeys(fields)))
			continue
		}
		if isNull(p.value) {
			continue
		}
		pos.keys[k.Value] = p.value
		if !d.value(p.value, sub, v.Field(i)) {
			pos.bad[k.Value] = true
		}
	}
	return true
}

// list reads a sequence into a slice; items that cannot be read are left
// out.
func (d *decoder) list(n *yaml.Node, path string, v reflect.Value) bool {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a list, got %s", describe(n))
		return false
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, it := range n.Content {
		if !d.tick(it) {
			break
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if !d.value(resolve(it), fmt.Sprintf("%s[%d]", path, i), elem) {
			continue
		}
		if p, ok := elem.Addr().Interface().(placed); ok {
			p.place(i)
		} else if elem.Kind() == reflect.Struct {
			if f := elem.FieldByName("Pos"); f.IsValid() && f.Type() == positionType {
				f.Addr().Interface().(*position).index = i
			}
		}
		out = reflect.Append(out, elem)
	}
	v.Set(out)
	return true
}

// placed is a list item type that keeps its place in the list, for key
// paths in the checks after the walk.
type placed interface{ place(i int) }

// shaped is a type that tells what it expects in its own words.
type shaped interface{ shape() string }

// nouned is a mapping key type with a name for its keys.
type nouned interface{ noun() string }

// mapping reads a mapping into a map; entries that cannot be read are left
// out. Unlike a struct's, a map's null values are read too, so their type
// can say what is missing.
func (d *decoder) mapping(n *yaml.Node, path string, v reflect.Value) bool {
	if n.Kind != yaml.MappingNode {
		shape := "a mapping"
		if s, ok := v.Interface().(shaped); ok {
			shape = s.shape()
		}
		d.errorf(n, path, "expected %s, got %s", shape, describe(n))
		return false
	}
	noun := "key"
	if k, ok := reflect.Zero(v.Type().Key()).Interface().(nouned); ok {
		noun = k.noun()
	}
	m := reflect.MakeMap(v.Type())
	seen := map[string]int{}
	for _, p := range d.pairs(n, path, 0) {
		k := p.key
		sub := join(path, keyName(k.Value))
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "a key must be a %s, not %s", noun, describe(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, sub, "repeated %s (also on line %d); keep one", noun, line)
			continue
		}
		seen[k.Value] = k.Line
		key := reflect.New(v.Type().Key()).Elem()
		if !d.value(k, sub, key) {
			continue
		}
		val := reflect.New(v.Type().Elem()).Elem()
		if !d.value(p.value, sub, val) {
			continue
		}
		m.SetMapIndex(key, val)
	}
	v.Set(m)
	return true
}
