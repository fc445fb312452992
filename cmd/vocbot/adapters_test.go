package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/surveys"
)

func TestMissingCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "vocbot.yaml")
	yaml := `digests:
  - {id: daily, to: "slack:C0123ABC", at: "09:00"}
  - {id: weekly, to: "discord:123456789012345678", at: "09:00"}
alerts:
  - {to: "telegram:-1001234567890", on: detractor}
`
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", map[string]string{}, []string{
			"digest daily posts to slack:C0123ABC, but slack has no credentials: it will not be posted; set VOCBOT_SLACK_BOT_TOKEN",
			"digest weekly posts to discord:123456789012345678, but discord has no credentials: it will not be posted; set VOCBOT_DISCORD_TOKEN",
			"alerts go to telegram:-1001234567890, but telegram has no credentials: they will not be posted; set VOCBOT_TELEGRAM_TOKEN",
		}},
		{"slack and telegram set", map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xoxb-1-2-abc", "VOCBOT_TELEGRAM_TOKEN": "123:abc"}, []string{
			"digest weekly posts to discord:123456789012345678, but discord has no credentials: it will not be posted; set VOCBOT_DISCORD_TOKEN",
		}},
	}
	for _, tt := range tests {
		cfg, err := config.Load(mapEnv(tt.env), []string{"--config", file})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, missingCredentials(cfg, builtinPlatforms())); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	cfg, err := config.Load(mapEnv(map[string]string{"VOCBOT_SLACK_BOT_TOKEN": "xoxb-1-2-abc", "VOCBOT_TELEGRAM_TOKEN": "123:abc"}), []string{"--config", file})
	if err != nil {
		t.Fatal(err)
	}
	// A platform the list lacks is named as such.
	var withoutDiscord []platformEntry
	for _, e := range builtinPlatforms() {
		if e.name != surveys.Discord {
			withoutDiscord = append(withoutDiscord, e)
		}
	}
	want := []string{"digest weekly posts to discord:123456789012345678, but this build of vocbot has no discord adapter: it will not be posted"}
	if diff := cmp.Diff(want, missingCredentials(cfg, withoutDiscord)); diff != "" {
		t.Errorf("without a discord adapter (-want +got):\n%s", diff)
	}
	// A platform added to the list is one whose credentials count.
	fake := newFakePlatform(surveys.Discord)
	if got := missingCredentials(cfg, append(withoutDiscord, fake.entry())); len(got) != 0 {
		t.Errorf("with every platform on: %q, want nothing", got)
	}
}
