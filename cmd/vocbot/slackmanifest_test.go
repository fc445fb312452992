package main

// The Slack app manifest asks a workspace admin for OAuth scopes. Asking for
// more than vocbot uses makes admins refuse the app; asking for less breaks a
// feature at run time with missing_scope. This test reads which Web API
// methods the Slack adapter calls (from its source) and which events it
// subscribes to, and compares the scopes they need with the manifest's.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// slackCalls maps the slack-go client methods the adapter calls to the Web
// API methods behind them and the bot scopes those need
// (https://api.slack.com/methods). A call missing here fails the test: add
// it with its scopes, then the manifest follows.
var slackCalls = map[string]struct {
	methods []string
	scopes  []string
}{
	"AuthTestContext":      {[]string{"auth.test"}, nil},
	"PostMessageContext":   {[]string{"chat.postMessage"}, []string{"chat:write"}},
	"UpdateMessageContext": {[]string{"chat.update"}, []string{"chat:write"}},
	// Delivered reads back the DM or channel a survey went to: public
	// channels, private channels and DMs each have their own scope.
	"GetConversationHistoryContext": {[]string{"conversations.history"}, []string{"channels:history", "groups:history", "im:history"}},
	"OpenConversationContext":       {[]string{"conversations.open"}, []string{"im:write"}},
	"UploadFileContext":             {[]string{"files.getUploadURLExternal", "files.completeUploadExternal"}, []string{"files:write"}},
	// Only ever used with MsgOptionResponseURL: a POST to the slash
	// command's response_url, which needs no token and no scope.
	"SendMessageContext": {[]string{"response_url"}, nil},
}

// slackEventScopes are the scopes a subscribed bot event needs.
var slackEventScopes = map[string][]string{"message.im": {"im:history"}}

// adapterCalls lists the client methods called as <x>.api.<Method>(…) in
// bots/slack's non-test sources.
func adapterCalls(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "bots", "slack")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "api" {
				seen[sel.Sel.Name] = true
			}
			return true
		})
	}
	return slices.Sorted(maps.Keys(seen))
}

func TestSlackManifestScopesMatchTheCode(t *testing.T) {
	t.Parallel()
	calls := adapterCalls(t)
	if !slices.Contains(calls, "PostMessageContext") {
		t.Fatalf("found calls %v; the source scan missed chat.postMessage", calls)
	}
	need := map[string][]string{} // scope → why
	for _, c := range calls {
		info, ok := slackCalls[c]
		if !ok {
			t.Errorf("bots/slack calls %s: add it to slackCalls with the Web API method and scopes it needs", c)
			continue
		}
		for _, s := range info.scopes {
			need[s] = append(need[s], strings.Join(info.methods, "+"))
		}
	}

	var manifest struct {
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot  []string `yaml:"bot"`
				User []string `yaml:"user"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				IsEnabled  bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal([]byte(repoFile(t, "docs/slack-app-manifest.yaml")), &manifest); err != nil {
		t.Fatalf("docs/slack-app-manifest.yaml: %v", err)
	}
	for _, ev := range manifest.Settings.Events.BotEvents {
		scopes, ok := slackEventScopes[ev]
		if !ok {
			t.Errorf("the manifest subscribes to %s, which vocbot does not handle", ev)
		}
		for _, s := range scopes {
			need[s] = append(need[s], "event "+ev)
		}
	}
	if len(manifest.Features.SlashCommands) > 0 {
		need["commands"] = append(need["commands"], "slash command")
	}

	got := slices.Sorted(slices.Values(manifest.OAuth.Scopes.Bot))
	want := slices.Sorted(maps.Keys(need))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("manifest bot scopes (-needed by the code +in the manifest):\n%s\nwhy each is needed: %v", diff, need)
	}
	if len(manifest.OAuth.Scopes.User) > 0 {
		t.Errorf("the manifest asks for user scopes %v; vocbot acts only as its bot", manifest.OAuth.Scopes.User)
	}

	// The request URLs are the routes the adapter serves in HTTP mode.
	routes := map[string]string{"/slack/events": manifest.Settings.Events.RequestURL, "/slack/interactivity": manifest.Settings.Interactivity.RequestURL}
	for _, c := range manifest.Features.SlashCommands {
		routes["/slack/commands"] = c.URL
	}
	for path, u := range routes {
		if !strings.HasSuffix(u, path) {
			t.Errorf("manifest request URL %q, want one ending in %s", u, path)
		}
	}
	if !manifest.Settings.Interactivity.IsEnabled {
		t.Error("interactivity is off: survey buttons would do nothing")
	}
}
