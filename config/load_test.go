package config

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cmpLocations compares time zones by name; *time.Location has unexported
// fields cmp refuses to look into.
var cmpLocations = cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })

// envMap is a getenv backed by a map, so tests never touch the process
// environment and can run in parallel.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes content to name in a fresh temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadYAML loads content as the configuration file, with no environment.
func loadYAML(t *testing.T, content string) (*Config, error) {
	t.Helper()
	path := writeFile(t, "vocbot.yaml", content)
	return Load(envMap(nil), []string{"--config", path})
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	// The package directory has no vocbot.yaml, so this is the no-file case.
	got, err := Load(envMap(nil), nil)
	if err != nil {
		t.Fatalf("Load with empty env: %v", err)
	}
	if diff := cmp.Diff(Default(), got, cmpLocations); diff != "" {
		t.Errorf("Load with empty env differs from Default (-want +got):\n%s", diff)
	}

	builtin := func(id string, m Metric) Survey {
		return Survey{ID: id, Metric: m, Question: map[string]string{}, FollowUp: true, ExpiresAfter: 72 * time.Hour}
	}
	want := &Config{
		DatabaseURL:   "sqlite://./vocbot.db",
		HTTP:          HTTP{Addr: ":8080"},
		Telegram:      Telegram{APIURL: "https://api.telegram.org/bot%s/%s", Mode: "polling"},
		Slack:         Slack{APIURL: "https://slack.com/api/"},
		Discord:       Discord{APIURL: "https://discord.com"},
		Log:           Log{Level: slog.LevelInfo, Format: "auto"},
		Timezone:      time.UTC,
		DefaultLocale: "en",
		Surveys:       []Survey{builtin("nps", MetricNPS), builtin("csat", MetricCSAT), builtin("ces", MetricCES), builtin("enps", MetricENPS)},
		Fatigue:       Fatigue{MinGap: 720 * time.Hour},
		Ambassadors:   Ambassadors{DailyQuota: 50},
		ENPS:          ENPS{AnonymityThreshold: 5, CommentThreshold: 8},
		Digits:        Digits{Arabic: "native", Persian: "native"},
	}
	if diff := cmp.Diff(want, got, cmpLocations); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	for _, f := range got.Features() {
		if f.On {
			t.Errorf("feature %s is on with an empty environment", f)
		}
	}
}

func TestLoadArgs(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "custom.yaml", "product: FromFlag\n")
	envPath := writeFile(t, "env.yaml", "product: FromEnv\n")
	missing := filepath.Join(t.TempDir(), "missing.yaml")

	tests := []struct {
		name        string
		env         map[string]string
		args        []string
		wantProduct string
		wantErr     string
		wantUsage   bool
	}{
		{name: "no args no file", wantProduct: ""},
		{name: "--config PATH", args: []string{"--config", path}, wantProduct: "FromFlag"},
		{name: "--config=PATH", args: []string{"--config=" + path}, wantProduct: "FromFlag"},
		{name: "-config PATH", args: []string{"-config", path}, wantProduct: "FromFlag"},
		{name: "VOCBOT_CONFIG", env: map[string]string{"VOCBOT_CONFIG": envPath}, wantProduct: "FromEnv"},
		{name: "flag overrides VOCBOT_CONFIG", env: map[string]string{"VOCBOT_CONFIG": envPath}, args: []string{"--config", path}, wantProduct: "FromFlag"},
		{name: "VOCBOT_CONFIG_FILE holds the path", env: map[string]string{"VOCBOT_CONFIG_FILE": writeFile(t, "p", envPath+"\n")}, wantProduct: "FromEnv"},
		{
			name:    "VOCBOT_CONFIG_FILE unreadable",
			env:     map[string]string{"VOCBOT_CONFIG_FILE": envPath + "x"},
			wantErr: "VOCBOT_CONFIG_FILE=" + envPath + "x: cannot read it: no such file or directory",
		},
		{
			name:    "VOCBOT_CONFIG_FILE pointed at the YAML",
			env:     map[string]string{"VOCBOT_CONFIG_FILE": writeFile(t, "y.yaml", "product: A\nsurveys: []\n")},
			wantErr: "the file must hold the path of the YAML file, not the YAML; to name the YAML file set VOCBOT_CONFIG=",
		},
		{name: "missing flag file", args: []string{"--config", missing}, wantErr: missing + " (from --config): the file does not exist"},
		{name: "missing env file", env: map[string]string{"VOCBOT_CONFIG": missing}, wantErr: missing + " (from VOCBOT_CONFIG): the file does not exist"},
		{name: "directory", args: []string{"--config", t.TempDir()}, wantErr: "(from --config): cannot read it: is a directory"},
		{name: "unknown arg", args: []string{"--verbose"}, wantErr: `unexpected argument "--verbose"; only --config PATH is accepted here`, wantUsage: true},
		{name: "positional arg", args: []string{"extra"}, wantErr: `unexpected argument "extra"`, wantUsage: true},
		{name: "missing value", args: []string{"--config"}, wantErr: "--config needs a path", wantUsage: true},
		{name: "empty value", args: []string{"--config="}, wantErr: "--config needs a path", wantUsage: true},
		{name: "twice", args: []string{"--config", path, "--config", path}, wantErr: "--config is given twice", wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(envMap(tt.env), tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error = %v, want it to contain %q", err, tt.wantErr)
				}
				if got := errors.Is(err, ErrUsage); got != tt.wantUsage {
					t.Errorf("errors.Is(err, ErrUsage) = %v, want %v", got, tt.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Product != tt.wantProduct {
				t.Errorf("Product = %q, want %q", c.Product, tt.wantProduct)
			}
		})
	}
}

func TestLoadCollectsEnvAndFileErrors(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "vocbot.yaml", "timezone: Nowhere/City\nproduct: [x]\n")
	_, err := Load(envMap(map[string]string{"VOCBOT_HTTP_ADDR": "8080", "VOCBOT_CONFIG": path}), nil)
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		`VOCBOT_HTTP_ADDR: "8080" is not host:port; write e.g. :8080 or 127.0.0.1:8080`,
		path + `:1: timezone: "Nowhere/City" is not a known time zone; use an IANA name such as Asia/Jerusalem or UTC`,
		path + `:2: product: expected text, got a list`,
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("error lines (-want +got):\n%s", diff)
	}
}

func TestLoadCapsErrors(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for range 30 {
		b.WriteString("- x\n")
	}
	_, err := loadYAML(t, "surveys:\n"+b.String())
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), maxErrors+1, err)
	}
	if got, want := lines[maxErrors], "(10 more problems not shown)"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
}

func TestLoadWebLinkNeedsPublicURL(t *testing.T) {
	t.Parallel()
	const file = "surveys:\n  - id: nps-web\n    metric: nps\n    web_link: true\n"
	path := writeFile(t, "vocbot.yaml", file)
	_, err := Load(envMap(nil), []string{"--config", path})
	if err == nil || !strings.Contains(err.Error(), `survey "nps-web" has web_link: true, which needs VOCBOT_PUBLIC_URL`) {
		t.Fatalf("Load with web_link and no VOCBOT_PUBLIC_URL: got %v, want an error naming the survey and VOCBOT_PUBLIC_URL", err)
	}
	c, err := Load(envMap(map[string]string{"VOCBOT_PUBLIC_URL": "https://vocbot.example.com"}), []string{"--config", path})
	if err != nil {
		t.Fatalf("Load with web_link and VOCBOT_PUBLIC_URL: %v", err)
	}
	var got bool
	for _, s := range c.Surveys {
		if s.ID == "nps-web" {
			got = s.WebLink
		}
	}
	if !got {
		t.Errorf("survey nps-web: got WebLink false, want true")
	}
}

func TestLoadWebLinkFallback(t *testing.T) {
	t.Parallel()
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	const hook = "web_link_fallback:\n  url: https://crm.example.com/hooks/vocbot?token=s3cr3t-query\n"
	public := "https://vocbot.example.com"
	tests := []struct {
		name string
		file string
		env  map[string]string
		want string // "" loads
	}{
		{"complete", hook, map[string]string{"VOCBOT_PUBLIC_URL": public, "VOCBOT_WEB_LINK_FALLBACK_SECRET": secret}, ""},
		{"secret from a file", hook, map[string]string{"VOCBOT_PUBLIC_URL": public, "VOCBOT_WEB_LINK_FALLBACK_SECRET_FILE": writeFile(t, "secret", secret+"\n")}, ""},
		{"no secret", hook, map[string]string{"VOCBOT_PUBLIC_URL": public}, "web_link_fallback.url is set but VOCBOT_WEB_LINK_FALLBACK_SECRET is not"},
		{"no public URL", hook, map[string]string{"VOCBOT_WEB_LINK_FALLBACK_SECRET": secret}, "web_link_fallback is set, which needs VOCBOT_PUBLIC_URL"},
		{"secret without the section", "product: Acme\n", map[string]string{"VOCBOT_PUBLIC_URL": public, "VOCBOT_WEB_LINK_FALLBACK_SECRET": secret}, "has no web_link_fallback.url"},
		{"bad secret", hook, map[string]string{"VOCBOT_PUBLIC_URL": public, "VOCBOT_WEB_LINK_FALLBACK_SECRET": "hunter2-not-whsec"}, "VOCBOT_WEB_LINK_FALLBACK_SECRET: must start with whsec_"},
		{"no url", "web_link_fallback: {}\n", map[string]string{"VOCBOT_PUBLIC_URL": public}, "web_link_fallback: missing url"},
		{"not a URL", "web_link_fallback:\n  url: crm.example.com/hooks\n", map[string]string{"VOCBOT_PUBLIC_URL": public, "VOCBOT_WEB_LINK_FALLBACK_SECRET": secret}, "web_link_fallback.url: \"crm.example.com/hooks\" is not an absolute http(s) URL"},
		{"unknown key", "web_link_fallback:\n  url: https://crm.example.com/h\n  secret: x\n", map[string]string{"VOCBOT_PUBLIC_URL": public, "VOCBOT_WEB_LINK_FALLBACK_SECRET": secret}, "web_link_fallback.secret: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"VOCBOT_CONFIG": writeFile(t, "vocbot.yaml", tt.file)}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := Load(envMap(env), nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want it to load", err)
				}
				if c.WebLinkFallback.URL != "https://crm.example.com/hooks/vocbot?token=s3cr3t-query" || string(c.WebLinkFallback.Key) != "0123456789abcdef0123456789abcdef" {
					t.Errorf("got %+v, want the url and the decoded key", c.WebLinkFallback)
				}
				var out strings.Builder
				if err := c.WriteEffective(&out); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(out.String(), "s3cr3t") || strings.Contains(out.String(), secret[6:]) {
					t.Errorf("config check shows a secret:\n%s", out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret[6:]) {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}
