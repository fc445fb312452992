package main

// Docker cannot run in this test suite, so these tests read docker-compose.yml,
// .env.example and the Dockerfile and check what `docker compose up` relies on:
// the services start in order, their health checks can run inside their
// images, every variable the compose file interpolates is documented, and the
// image is built the way CI builds the binary.

import (
	"bufio"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// repoFile reads a file at the repository root.
func repoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

// composeFile is the part of the Compose specification vocbot's file uses.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image           string            `yaml:"image"`
	Restart         string            `yaml:"restart"`
	StopGracePeriod string            `yaml:"stop_grace_period"`
	Build           any               `yaml:"build"`
	Environment     map[string]string `yaml:"environment"`
	EnvFile         []struct {
		Path     string `yaml:"path"`
		Required *bool  `yaml:"required"`
	} `yaml:"env_file"`
	Ports     []string `yaml:"ports"`
	Volumes   []string `yaml:"volumes"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test        []string `yaml:"test"`
		Interval    string   `yaml:"interval"`
		Timeout     string   `yaml:"timeout"`
		Retries     int      `yaml:"retries"`
		StartPeriod string   `yaml:"start_period"`
	} `yaml:"healthcheck"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(repoFile(t, "docker-compose.yml")))
	dec.KnownFields(true) // a misspelt key is an error here, as it is for docker compose
	var c composeFile
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

// envExample returns the variables .env.example sets and those it only
// mentions in a commented-out assignment ("# VOCBOT_X=").
func envExample(t *testing.T) (set map[string]string, commented map[string]bool) {
	t.Helper()
	set, commented = map[string]string{}, map[string]bool{}
	assign := regexp.MustCompile(`^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$`)
	sc := bufio.NewScanner(strings.NewReader(repoFile(t, ".env.example")))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		m := assign.FindStringSubmatch(line)
		switch {
		case m != nil && m[1] == "":
			if strings.Contains(m[3], " #") {
				t.Errorf(".env.example:%d: put the comment on its own line; not every .env reader strips inline comments", n)
			}
			set[m[2]] = m[3]
		case m != nil:
			commented[m[2]] = true
		case line != "" && !strings.HasPrefix(line, "#"):
			t.Errorf(".env.example:%d: %q is neither NAME=value nor a comment", n, line)
		}
	}
	return set, commented
}

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	if got, want := slices.Sorted(maps.Keys(c.Services)), []string{"postgres", "vocbot"}; !cmp.Equal(got, want) {
		t.Fatalf("services = %v, want %v", got, want)
	}
	for name, s := range c.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("service %s has neither image nor build", name)
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 || (s.Healthcheck.Test[0] != "CMD" && s.Healthcheck.Test[0] != "CMD-SHELL") {
			t.Errorf("service %s: healthcheck.test must be [CMD, ...] or [CMD-SHELL, ...], got %+v", name, s.Healthcheck)
		} else if s.Healthcheck.Retries < 1 || s.Healthcheck.Interval == "" || s.Healthcheck.Timeout == "" {
			t.Errorf("service %s: healthcheck needs interval, timeout and retries, got %+v", name, *s.Healthcheck)
		}
	}

	pg := c.Services["postgres"]
	if !strings.HasPrefix(pg.Image, "postgres:") {
		t.Errorf("postgres image = %q, want an official postgres:<version> image", pg.Image)
	}
	if hc := pg.Healthcheck; hc != nil && !slices.Contains(hc.Test, "pg_isready") {
		t.Errorf("postgres healthcheck %v does not run pg_isready", hc.Test)
	}

	vb := c.Services["vocbot"]
	if vb.Build != "." {
		t.Errorf("vocbot build = %v, want . (the Dockerfile at the repository root)", vb.Build)
	}
	if got := vb.DependsOn["postgres"].Condition; got != "service_healthy" {
		t.Errorf("vocbot depends_on postgres condition = %q, want service_healthy (migrations need a ready database)", got)
	}
	if vb.Healthcheck != nil {
		// The check runs inside vocbot's image: it must ask /readyz on the port
		// vocbot listens on, with a program the image has.
		test := vb.Healthcheck.Test
		port := listenPort(t, vb.Environment["VOCBOT_HTTP_ADDR"])
		if want := "http://127.0.0.1:" + port + "/readyz"; !slices.Contains(test, want) {
			t.Errorf("vocbot healthcheck %v does not ask %s", test, want)
		}
		final := dockerStages(t)[len(dockerStages(t))-1]
		if prog := test[1]; !imageHas(final.from, prog) {
			t.Errorf("vocbot healthcheck runs %q, which the final image %q does not have", prog, final.from)
		}
	}
	for _, f := range vb.EnvFile {
		if f.Path != ".env" || f.Required == nil || *f.Required {
			t.Errorf("vocbot env_file %+v, want path .env with required: false (the ${VAR:?} messages then say what to do)", f)
		}
	}
	if !slices.Contains(strings.Split(repoFile(t, ".gitignore"), "\n"), ".env") {
		t.Errorf(".gitignore does not list .env, where the compose file's secrets live")
	}
}

func TestComposePortsAndVolumes(t *testing.T) {
	c := loadCompose(t)
	expose := dockerInstr(dockerStages(t)[len(dockerStages(t))-1], "EXPOSE")
	for name, s := range c.Services {
		for _, p := range s.Ports {
			i := strings.LastIndex(p, ":")
			parts := []string{p[:max(i, 0)], p[i+1:]}
			if i <= 0 {
				t.Errorf("service %s port %q: want HOST:CONTAINER", name, p)
				continue
			}
			if name == "vocbot" {
				if want := listenPort(t, s.Environment["VOCBOT_HTTP_ADDR"]); parts[1] != want {
					t.Errorf("vocbot publishes container port %s, but listens on %s", parts[1], want)
				}
				if !slices.Contains(expose, parts[1]) {
					t.Errorf("vocbot publishes container port %s, the Dockerfile EXPOSEs %v", parts[1], expose)
				}
			}
		}
		for _, v := range s.Volumes {
			src, _, ok := strings.Cut(v, ":")
			if !ok {
				t.Errorf("service %s volume %q: want SOURCE:TARGET", name, v)
				continue
			}
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				continue // a bind mount
			}
			if _, ok := c.Volumes[src]; !ok {
				t.Errorf("service %s uses volume %q, which the top-level volumes do not declare", name, src)
			}
		}
	}
	if len(c.Volumes) == 0 {
		t.Errorf("no named volumes: the database would live in an anonymous volume")
	}
}

// TestComposeVariables: every ${VAR} the compose file interpolates is in
// .env.example: set there when the compose file has no default, at least
// mentioned (commented out) when it has one.
func TestComposeVariables(t *testing.T) {
	compose := repoFile(t, "docker-compose.yml")
	set, commented := envExample(t)
	ref := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}`)
	refs := ref.FindAllStringSubmatch(compose, -1)
	if len(refs) == 0 {
		t.Fatal("docker-compose.yml interpolates no variables; the test's pattern is wrong")
	}
	for _, m := range refs {
		name, op := m[1], m[2]
		_, isSet := set[name]
		switch {
		case strings.HasSuffix(op, "-"):
			if !isSet && !commented[name] {
				t.Errorf("${%s} has a default but .env.example does not mention it", name)
			}
		case !isSet:
			t.Errorf("${%s} has no default and .env.example does not set it", name)
		}
	}
	if strings.Contains(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(compose, ""), "$VOCBOT") {
		t.Errorf("use ${VAR}, not $VAR, so this test sees every variable")
	}

	// vocbot's database URL must point at the postgres service with its credentials.
	pg := loadCompose(t).Services["postgres"].Environment
	u, err := url.Parse(set["VOCBOT_DATABASE_URL"])
	if err != nil {
		t.Fatalf(".env.example VOCBOT_DATABASE_URL: %v", err)
	}
	pass, _ := u.User.Password()
	got := []string{u.Scheme, u.Hostname(), u.Port(), u.User.Username(), pass, strings.TrimPrefix(u.Path, "/")}
	want := []string{"postgres", "postgres", "5432", pg["POSTGRES_USER"], set["POSTGRES_PASSWORD"], pg["POSTGRES_DB"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf(".env.example VOCBOT_DATABASE_URL does not match the postgres service [scheme host port user password db] (-want +got):\n%s", diff)
	}
}

// TestEnvExampleNamesRealSettings: every VOCBOT_* in .env.example is a
// variable the configuration reference documents, so a typo cannot hide.
func TestEnvExampleNamesRealSettings(t *testing.T) {
	set, commented := envExample(t)
	ref := repoFile(t, "docs/configuration.md")
	for _, names := range []map[string]bool{commented, keysSet(set)} {
		for name := range names {
			if strings.HasPrefix(name, "VOCBOT_") && !strings.Contains(ref, "`"+name+"`") {
				t.Errorf(".env.example names %s, which docs/configuration.md does not document", name)
			}
		}
	}
	for _, name := range []string{"VOCBOT_TELEGRAM_TOKEN", "VOCBOT_SLACK_BOT_TOKEN", "VOCBOT_API_TOKENS"} {
		if !commented[name] {
			t.Errorf(".env.example should offer %s commented out (off until the user fills it in)", name)
		}
		if v, ok := set[name]; ok {
			t.Errorf(".env.example sets %s=%q; leave tokens commented out", name, v)
		}
	}
}

// dockerStage is one FROM … section of the Dockerfile with its instructions,
// continuation lines joined and comments dropped.
type dockerStage struct {
	from   string
	instrs [][2]string // {INSTRUCTION, rest}
}

func dockerStages(t *testing.T) []dockerStage {
	t.Helper()
	var stages []dockerStage
	var logical strings.Builder
	for line := range strings.SplitSeq(repoFile(t, "Dockerfile"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && logical.Len() == 0) {
			continue
		}
		if rest, ok := strings.CutSuffix(trimmed, "\\"); ok {
			logical.WriteString(rest + " ")
			continue
		}
		logical.WriteString(trimmed)
		instr, rest, _ := strings.Cut(strings.TrimSpace(logical.String()), " ")
		logical.Reset()
		instr, rest = strings.ToUpper(instr), strings.Join(strings.Fields(rest), " ")
		if instr == "FROM" {
			stages = append(stages, dockerStage{from: strings.Fields(rest)[0]})
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before the first FROM", instr)
		}
		stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, [2]string{instr, rest})
	}
	if len(stages) == 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	return stages
}

// dockerInstr returns the arguments of every instr in the stage.
func dockerInstr(s dockerStage, instr string) []string {
	var out []string
	for _, in := range s.instrs {
		if in[0] == instr {
			out = append(out, in[1])
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	stages := dockerStages(t)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stage(s), want a build stage and a small runtime stage", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.from, "golang:1.26") {
		t.Errorf("build stage FROM %s, want golang:1.26 (go.mod's Go version)", build.from)
	}

	// The binary is built the way CI builds it: static, reproducible paths, no symbol tables.
	var goBuild string
	for _, r := range dockerInstr(build, "RUN") {
		if strings.Contains(r, "go build") {
			goBuild = r
		}
	}
	for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", `-ldflags="-s -w`, "./cmd/vocbot"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("Dockerfile go build %q lacks %q", goBuild, want)
		}
	}
	if ci := repoFile(t, ".ci/run"); !strings.Contains(ci, `CGO_ENABLED=0 go build -trimpath -ldflags="-s -w`) {
		t.Errorf(".ci/run no longer builds with the Dockerfile's flags; keep the two the same")
	}

	users := dockerInstr(final, "USER")
	if len(users) == 0 || slices.Contains([]string{"root", "0", "0:0"}, users[len(users)-1]) {
		t.Errorf("runtime stage USER = %v, want a non-root user", users)
	}
	if got := dockerInstr(final, "VOLUME"); !slices.Contains(got, "/data") {
		t.Errorf("runtime stage VOLUME = %v, want /data (where the default SQLite file lives)", got)
	}
	env := strings.Join(dockerInstr(final, "ENV"), " ")
	if !strings.Contains(env, "VOCBOT_DATABASE_URL=sqlite:///data/") {
		t.Errorf("runtime ENV %q does not put the SQLite database in /data", env)
	}
	addr := regexp.MustCompile(`VOCBOT_HTTP_ADDR=(\S+)`).FindStringSubmatch(env)
	if addr == nil {
		t.Fatalf("runtime ENV %q does not set VOCBOT_HTTP_ADDR", env)
	}
	port := listenPort(t, addr[1])
	if got := dockerInstr(final, "EXPOSE"); !cmp.Equal(got, []string{port}) {
		t.Errorf("EXPOSE %v, want [%s] (VOCBOT_HTTP_ADDR)", got, port)
	}
	hc := dockerInstr(final, "HEALTHCHECK")
	if len(hc) != 1 || !strings.Contains(hc[0], "http://127.0.0.1:"+port+"/livez") {
		t.Errorf("HEALTHCHECK %v, want one that asks /livez on port %s", hc, port)
	} else if prog := strings.Fields(hc[0][strings.Index(hc[0], "CMD ")+4:])[0]; !imageHas(final.from, prog) {
		t.Errorf("HEALTHCHECK runs %q, which %s does not have", prog, final.from)
	}
	if got := dockerInstr(final, "ENTRYPOINT"); !cmp.Equal(got, []string{`["vocbot"]`}) {
		t.Errorf("ENTRYPOINT %v, want [\"vocbot\"]", got)
	}
	if got := dockerInstr(final, "CMD"); !cmp.Equal(got, []string{`["serve"]`}) {
		t.Errorf("CMD %v, want [\"serve\"]", got)
	}
}

// TestDockerignore: the build context leaves out what must not reach an image
// (history, local databases, secrets) but keeps what the build embeds.
func TestDockerignore(t *testing.T) {
	lines := map[string]bool{}
	for l := range strings.SplitSeq(repoFile(t, ".dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines[l] = true
		}
	}
	for _, want := range []string{".git", "*.db", ".env", "**/testdata"} {
		if !lines[want] {
			t.Errorf(".dockerignore lacks %q", want)
		}
	}
	for l := range lines {
		for _, keep := range []string{"go.mod", "go.sum", "*.go", "*.json", "*.sql", "cmd", "storage", "surveys"} {
			if strings.TrimPrefix(l, "/") == keep {
				t.Errorf(".dockerignore excludes %q, which the build needs", l)
			}
		}
	}
}

// imageHas reports whether a program is known to exist in a base image.
func imageHas(image, prog string) bool {
	name, _, _ := strings.Cut(image, ":")
	switch name {
	case "alpine", "busybox":
		// busybox applets
		return slices.Contains([]string{"wget", "sh", "nc"}, prog)
	case "postgres":
		return prog == "pg_isready"
	}
	return false
}

func listenPort(t *testing.T, addr string) string {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	if i < 0 || addr[i+1:] == "" || addr[i+1:] == "0" {
		t.Fatalf("listen address %q has no fixed port", addr)
	}
	return addr[i+1:]
}

func keysSet(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
