package config

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The example file and the reference live at the repository root; the tests
// keep them complete and loadable as the schema grows.
var (
	examplePath = filepath.Join("..", "vocbot.example.yaml")
	docsPath    = filepath.Join("..", "docs", "configuration.md")
)

func exampleFile() ([]byte, error) { return os.ReadFile(examplePath) }

func TestExampleLoads(t *testing.T) {
	t.Parallel()
	// web_link_fallback needs its secret and the public URL.
	c, err := Load(envMap(map[string]string{"VOCBOT_CONFIG": examplePath, "VOCBOT_PUBLIC_URL": "https://vocbot.example.com",
		"VOCBOT_WEB_LINK_FALLBACK_SECRET": "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))}), nil)
	if err != nil {
		t.Fatalf("vocbot.example.yaml does not load:\n%v", err)
	}
	if len(c.Touchpoints) == 0 || len(c.Digests) == 0 || len(c.Alerts) == 0 || c.Ambassadors.Empty() || c.WebLinkFallback.URL == "" {
		t.Errorf("the example leaves a section empty: %+v", c)
	}
}

// TestExampleCoversSchema checks that vocbot.example.yaml sets every key
// the decoder knows, so it shows the whole schema.
func TestExampleCoversSchema(t *testing.T) {
	t.Parallel()
	data, err := exampleFile()
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	_, schema := schemaKeys()
	seen := map[string]map[string]bool{}
	var walk func(n *yaml.Node, pattern string)
	walk = func(n *yaml.Node, pattern string) {
		if _, known := schema[pattern]; !known || n.Kind != yaml.MappingNode {
			return
		}
		if seen[pattern] == nil {
			seen[pattern] = map[string]bool{}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			seen[pattern][key] = true
			child := strings.TrimPrefix(pattern+"."+key, ".")
			switch val.Kind {
			case yaml.MappingNode:
				walk(val, child)
			case yaml.SequenceNode:
				for _, item := range val.Content {
					walk(item, child+"[]")
				}
			}
		}
	}
	walk(doc.Content[0], "")
	for pattern, keys := range schema {
		for _, k := range keys {
			if !seen[pattern][k] {
				t.Errorf("vocbot.example.yaml never sets %s", strings.TrimPrefix(pattern+"."+k, "."))
			}
		}
	}
}

// TestEveryVariableIsRead checks that each documented variable is read
// (both ways) and printed by config check.
func TestEveryVariableIsRead(t *testing.T) {
	t.Parallel()
	var read []string
	getenv := func(k string) string {
		read = append(read, k)
		return ""
	}
	if _, err := Load(getenv, nil); err != nil {
		t.Fatal(err)
	}
	out := effective(t, Default())
	var names []string
	for _, v := range envVars() {
		name := v.name
		if slices.Contains(names, name) {
			t.Errorf("%s is listed twice", name)
		}
		names = append(names, name)
		if !slices.Contains(read, name) || !slices.Contains(read, name+"_FILE") {
			t.Errorf("Load does not read %s and %s_FILE", name, name)
		}
		if !strings.Contains(out, "\n  "+name+": ") {
			t.Errorf("WriteEffective does not print %s", name)
		}
	}
	for _, name := range read {
		if base := strings.TrimSuffix(name, "_FILE"); !slices.Contains(names, base) {
			t.Errorf("Load reads %s, which envVars (the reference and config check) lacks", base)
		}
	}
}

// TestDocsCoverEverything checks that docs/configuration.md mentions every
// variable and every key.
func TestDocsCoverEverything(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	docs := string(data)
	_, schema := schemaKeys()
	for _, v := range envVars() {
		name := v.name
		if !strings.Contains(docs, "`"+name+"`") {
			t.Errorf("docs/configuration.md does not mention `%s`", name)
		}
	}
	for pattern, keys := range schema {
		for _, k := range keys {
			full := strings.TrimPrefix(pattern+"."+k, ".")
			if !strings.Contains(docs, "`"+full+"`") {
				t.Errorf("docs/configuration.md does not mention `%s`", full)
			}
		}
	}
}
