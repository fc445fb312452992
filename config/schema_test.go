package config

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
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

// TestSchemaIsPlainYAML checks that the schema structs are ordinary tagged
// structs go-yaml itself decodes strictly (KnownFields) with the same value
// types: the example loads that way, and a misspelt key is refused.
func TestSchemaIsPlainYAML(t *testing.T) {
	t.Parallel()
	data, err := exampleFile()
	if err != nil {
		t.Fatal(err)
	}
	strict := func(data []byte) (fileConfig, error) {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		var f fileConfig
		err := dec.Decode(&f)
		return f, err
	}
	f, err := strict(data)
	if err != nil {
		t.Fatalf("go-yaml refuses the example: %v", err)
	}
	if len(f.Surveys) == 0 || f.Digests[0].At.String() != "09:00" || f.Digests[0].To.String() != "slack:C0123ABC" ||
		len(f.Ambassadors.DiscordUsers) != 1 || time.Duration(f.Fatigue.MinGap) != 30*24*time.Hour {
		t.Errorf("go-yaml read the example as %+v", f)
	}
	if _, err := strict([]byte("surveys:\n  - id: a\n    folow_up: true\n")); err == nil || !strings.Contains(err.Error(), "folow_up") {
		t.Errorf("go-yaml with KnownFields: err = %v, want the unknown key named", err)
	}
	if _, err := strict([]byte("touchpoints:\n  - type: Order:Delivered\n")); err == nil || !strings.Contains(err.Error(), "not a type the API accepts") {
		t.Errorf("go-yaml: err = %v, want the touchpoint type refused", err)
	}
}

// TestEffectiveShowsDiscordSettings checks that config check prints the
// Discord server and user ids as text that loads back as ids.
func TestEffectiveShowsDiscordSettings(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "vocbot.yaml", "ambassadors:\n  discord_users: [812345678901234567]\n")
	c, err := Load(envMap(map[string]string{"VOCBOT_DISCORD_GUILD_ID": "987654321098765432", "VOCBOT_CONFIG": path}), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := effective(t, c)
	for _, line := range []string{`  VOCBOT_DISCORD_GUILD_ID: "987654321098765432"`, `  discord_users: ["812345678901234567"]`} {
		if !strings.Contains(out, "\n"+line+"\n") {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
}

// BenchmarkDecodeExample measures reading vocbot.example.yaml, every key of
// the schema, into a Config.
func BenchmarkDecodeExample(b *testing.B) {
	data, err := exampleFile()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if errs := decodeFile("vocbot.example.yaml", data, Default()); errs != nil {
			b.Fatal(errs)
		}
	}
}
