package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/vocbot/vocbot/bench/harness"
)

// fuzzTarget is one Fuzz* function and the package directory holding it.
type fuzzTarget struct{ dir, name string }

var fuzzFunc = regexp.MustCompile(`^func (Fuzz\w+)\(\w+ \*testing\.F\)`)

// findFuzzTargets greps every _test.go file under root for Fuzz functions.
func findFuzzTargets(root string) ([]fuzzTarget, error) {
	var out []fuzzTarget
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if m := fuzzFunc.FindStringSubmatch(sc.Text()); m != nil {
				rel, _ := filepath.Rel(root, filepath.Dir(path))
				out = append(out, fuzzTarget{dir: "./" + filepath.ToSlash(rel), name: m[1]})
			}
		}
		return sc.Err()
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].dir != out[j].dir {
			return out[i].dir < out[j].dir
		}
		return out[i].name < out[j].name
	})
	return out, err
}

// runFuzz runs each target for d, one after another, and adds a row per
// target. A crasher is written by go test into the package's
// testdata/fuzz/<Target>/ directory and named in the row.
func runFuzz(ctx context.Context, s *suite, d time.Duration, parallel int) {
	targets, err := findFuzzTargets(s.root)
	if err != nil || len(targets) == 0 {
		s.table.Fail("fuzz", "-", fmt.Errorf("no Fuzz targets found under %s: %v", s.root, err))
		return
	}
	s.logf("fuzz: %d targets, %s each", len(targets), d)
	for _, t := range targets {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-fuzz", "^"+t.name+"$",
			"-fuzztime", d.String(), "-parallel", fmt.Sprint(parallel), t.dir)
		cmd.Dir = s.root
		out, err := cmd.CombinedOutput()
		observed := fmt.Sprintf("ran %s", time.Since(start).Round(time.Second))
		if err != nil {
			logPath := filepath.Join(s.dir, "fuzz-"+t.name+".log")
			_ = os.WriteFile(logPath, out, 0o644)
			observed = "FAILED: " + crasherLine(string(out)) + " (full output: " + logPath + ")"
		} else if m := regexp.MustCompile(`execs: (\d+)`).FindAllStringSubmatch(string(out), -1); len(m) > 0 {
			observed = fmt.Sprintf("%s execs in %s", m[len(m)-1][1], d)
		}
		s.table.Check("fuzz: "+t.dir+" "+t.name, "-", "no crasher in "+d.String(), err == nil, "%s", observed)
	}
}

// crasherLine picks the lines that say what failed and where the input is.
func crasherLine(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "testdata/fuzz") || strings.Contains(l, "panic:") || strings.Contains(l, "Error") ||
			strings.Contains(l, "failure") || strings.Contains(l, "_test.go:") || strings.HasPrefix(l, "fuzzing process") {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		keep = lines[max(0, len(lines)-3):]
	}
	return strings.Join(keep, " ⏎ ")
}

// fuzzScenario is the fuzz step of the full fault suite.
func fuzzScenario(ctx context.Context, s *suite) {
	runFuzz(ctx, s, s.sizes.FuzzTime, 1)
}

// fuzzCommand is `go run ./bench fuzz`: every target, one table.
func fuzzCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fuzz", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("fuzztime", 10*time.Second, "how long to fuzz each target")
	parallel := fs.Int("parallel", 1, "fuzzing workers per target (the machine is shared; raise it on a free one)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "vocbot-fuzz-")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	s := &suite{root: root, dir: dir, table: &harness.Table{}, out: stdout}
	start := time.Now()
	runFuzz(ctx, s, *d, *parallel)
	fmt.Fprintf(stdout, "\nfuzz targets, %s each, took %s\n\n", *d, time.Since(start).Round(time.Second))
	s.table.Print(stdout)
	if n := s.table.Failed(); n > 0 {
		fmt.Fprintf(stdout, "%d of %d targets FAILED; crashers are in the packages' testdata/fuzz/, outputs in %s\n", n, len(s.table.Rows()), dir)
		return 1
	}
	os.RemoveAll(dir)
	return 0
}
