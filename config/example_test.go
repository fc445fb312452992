package config

import (
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
	c, err := Load(envMap(map[string]string{"VOCBOT_CONFIG": examplePath}), nil)
	if err != nil {
		t.Fatalf("vocbot.example.yaml does not load:\n%v", err)
	}
	if len(c.Touchpoints) == 0 || len(c.Digests) == 0 || len(c.Alerts) == 0 || c.Ambassadors.Empty() {
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

// envNames are the documented variables, in the documentation's order.
var envNames = []string{
	"VOCBOT_CONFIG", "VOCBOT_DATABASE_URL", "VOCBOT_HTTP_ADDR", "VOCBOT_PUBLIC_URL", "VOCBOT_API_TOKENS",
	"VOCBOT_WEBHOOK_SECRET", "VOCBOT_TELEGRAM_TOKEN", "VOCBOT_TELEGRAM_API_URL", "VOCBOT_TELEGRAM_MODE",
	"VOCBOT_TELEGRAM_WEBHOOK_SECRET", "VOCBOT_SLACK_BOT_TOKEN", "VOCBOT_SLACK_SIGNING_SECRET",
	"VOCBOT_SLACK_APP_TOKEN", "VOCBOT_SLACK_API_URL", "VOCBOT_DISCORD_TOKEN", "VOCBOT_DISCORD_APP_ID",
	"VOCBOT_DISCORD_PUBLIC_KEY", "VOCBOT_DISCORD_API_URL", "VOCBOT_LOG_LEVEL", "VOCBOT_LOG_FORMAT",
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
	for _, name := range envNames {
		if !slices.Contains(read, name) || !slices.Contains(read, name+"_FILE") {
			t.Errorf("Load does not read %s and %s_FILE", name, name)
		}
		if !strings.Contains(out, "\n  "+name+": ") {
			t.Errorf("WriteEffective does not print %s", name)
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
	for _, name := range envNames {
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
