package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/vocbot/vocbot"

// ours trims the module prefix: "github.com/vocbot/vocbot/bots/telegram" → "bots/telegram".
func ours(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rest, ok := strings.CutPrefix(path, module+"/")
	return rest, ok
}

// area is the row of docs/architecture.md's table a package belongs to:
// "bots/telegram/telegramtest" → "bots/telegram", "storage/storagetest" → "storage".
func area(pkg string) string {
	parts := strings.Split(pkg, "/")
	if parts[0] == "bots" && len(parts) > 1 {
		return "bots/" + parts[1]
	}
	return parts[0]
}

// allowed is the import rules table of docs/architecture.md. A package may always
// import packages of its own area (a fake, a test helper). Adapters may also
// use scoring: "all arithmetic lives in one scoring package shared by every
// adapter" (the renderers format its numbers and RTL isolates).
func allowed(from, to string) bool {
	fa, ta := area(from), area(to)
	if fa == ta {
		return true
	}
	switch {
	case fa == "cmd":
		return true
	case fa == "storage":
		return ta == "surveys" || ta == "scoring"
	case strings.HasPrefix(fa, "bots/"):
		return ta == "surveys" || ta == "scoring"
	case fa == "surveys":
		return ta == "scoring"
	case fa == "web":
		// The HTTP face: the domain and its arithmetic, never storage,
		// configuration or a bot (it gets what it needs through interfaces).
		return ta == "surveys" || ta == "scoring"
	case fa == "chart":
		// Drawing takes plain data; FromDigest reads surveys' digest type.
		return ta == "surveys" || ta == "scoring"
	case fa == "demo":
		// The demo's world: the domain, storage (its history) and the
		// platform fakes, never an adapter, web or config: it reaches
		// vocbot only as a user would, through the commands main gives it.
		return ta == "surveys" || ta == "scoring" || ta == "storage" ||
			strings.HasPrefix(ta, "bots/") && strings.HasSuffix(to, "test")
	}
	return false // scoring, config and anything new import nothing of ours
}

// forbiddenThirdParty: the domain core and the arithmetic stay free of I/O
// frameworks, so they can be read and tested without any of them.
var forbiddenThirdParty = map[string][]string{
	"surveys": {"gorm.io/", "net/http", "github.com/riverqueue/", "github.com/slack-go/", "github.com/bwmarrin/discordgo", "github.com/go-telegram-bot-api/", "github.com/jackc/"},
	"scoring": {"gorm.io/", "net/http", "github.com/riverqueue/", "github.com/slack-go/", "github.com/bwmarrin/discordgo", "github.com/go-telegram-bot-api/", "github.com/jackc/", "os", "database/sql"},
	"web":     {"gorm.io/", "github.com/riverqueue/", "github.com/slack-go/", "github.com/bwmarrin/discordgo", "github.com/go-telegram-bot-api/", "github.com/jackc/", "database/sql"},
	"config":  {"gorm.io/", "net/http", "github.com/riverqueue/"},
	"demo":    {"gorm.io/", "github.com/riverqueue/", "github.com/slack-go/", "github.com/bwmarrin/discordgo", "github.com/go-telegram-bot-api/", "github.com/jackc/", "database/sql"},
	"chart":   {"gorm.io/", "net/http", "github.com/riverqueue/", "github.com/slack-go/", "github.com/bwmarrin/discordgo", "github.com/go-telegram-bot-api/", "github.com/jackc/", "os", "database/sql"},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Error      *struct{ Err string }
}

func TestImportDirection(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-e", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	seen := 0
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Error != nil {
			t.Errorf("%s: %s", p.ImportPath, p.Error.Err)
		}
		from, _ := ours(p.ImportPath)
		seen++
		for _, imp := range p.Imports {
			if to, ok := ours(imp); ok {
				if !allowed(from, to) {
					t.Errorf("%s imports %s: docs/architecture.md's import rules forbid %s → %s", from, to, area(from), area(to))
				}
				continue
			}
			for _, bad := range forbiddenThirdParty[area(from)] {
				if imp == bad || strings.HasPrefix(imp, bad) && strings.HasSuffix(bad, "/") {
					t.Errorf("%s imports %s: %s must stay free of it (docs/architecture.md)", from, imp, area(from))
				}
			}
		}
	}
	if seen < 5 {
		t.Fatalf("go list returned %d packages; the test is not looking at the module", seen)
	}
}

func TestAllowedMatchesArchitectureTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to string
		want     bool
	}{
		{"cmd/vocbot", "storage", true},
		{"storage", "surveys", true},
		{"storage", "config", false},
		{"bots/telegram", "surveys", true},
		{"bots/telegram", "bots/slack", false},
		{"bots/telegram", "storage", false},
		{"bots/telegram/telegramtest", "bots/telegram", true},
		{"surveys", "scoring", true},
		{"web", "surveys", true},
		{"web", "storage", false},
		{"web", "config", false},
		{"web", "bots/telegram", false},
		{"surveys", "storage", false},
		{"surveys/surveystest", "surveys", true},
		{"scoring", "surveys", false},
		{"config", "surveys", false},
		{"storage/storagetest", "storage", true},
		{"chart", "surveys", true},
		{"chart", "storage", false},
		{"surveys", "chart", false},
		{"bots/telegram", "chart", false},
		{"cmd/vocbot", "chart", true},
		{"cmd/vocbot", "web", true},
		{"web", "surveys", true},
		{"web", "scoring", true},
		{"web", "storage", false},
		{"web", "config", false},
		{"web", "bots/telegram", false},
		{"surveys", "web", false},
		{"storage", "web", false},
		{"scoring/calc", "scoring", true},
		{"scoring/calc", "surveys", false},
		{"demo", "storage", true},
		{"demo", "bots/slack/slacktest", true},
		{"demo", "bots/slack", false},
		{"demo", "web", false},
		{"demo", "config", false},
		{"demo", "cmd/vocbot", false},
		{"storage", "demo", false},
	}
	for _, tt := range tests {
		if got := allowed(tt.from, tt.to); got != tt.want {
			t.Errorf("allowed(%s → %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
