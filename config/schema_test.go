package config

import (
	"reflect"
	"strings"
)

// schemaKeys lists the keys of each mapping of the file by path pattern
// ("surveys[]" is any survey), read from the schema's structs, in order.
func schemaKeys() (patterns []string, keys map[string][]string) {
	keys = map[string][]string{}
	var walk func(t reflect.Type, pattern string)
	walk = func(t reflect.Type, pattern string) {
		patterns = append(patterns, pattern)
		for _, f := range schemaFields(t) {
			keys[pattern] = append(keys[pattern], f.key)
			child := strings.TrimPrefix(pattern+"."+f.key, ".")
			ft := t.Field(f.index).Type
			if ft.Kind() == reflect.Slice {
				ft, child = ft.Elem(), child+"[]"
			}
			if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(unmarshalerType) {
				walk(ft, child)
			}
		}
	}
	walk(reflect.TypeFor[fileConfig](), "")
	return patterns, keys
}
