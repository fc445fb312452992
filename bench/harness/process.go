// Package harness runs real vocbot processes for the reliability and
// performance suites in bench/: it builds the binaries once, starts `vocbot
// serve` and the platform fakes (cmd/vocbot-fakes) as separate processes,
// creates a fresh database per run, generates load through the public API,
// and prints one result table.
//
// The pieces are meant to be reused by any suite:
//
//   - Build compiles vocbot and the fakes program into a directory.
//   - Process is one child process with its log file; Kill is kill -9.
//   - Vocbot is a `vocbot serve` process with its base URL and API client.
//   - Cluster is several Vocbot replicas behind one round-robin Balancer.
//   - Fakes is the fakes process and its control API.
//   - Database is a fresh PostgreSQL database or SQLite file.
//   - Loader posts touchpoints in batches and retries until each is acknowledged.
//   - Table collects (scenario, engine, expected, observed, pass) rows.
package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Binaries are the programs a suite runs.
type Binaries struct {
	Vocbot string
	Fakes  string
}

// Build compiles vocbot and the fakes program from the module at root into dir.
func Build(ctx context.Context, root, dir string) (Binaries, error) {
	b := Binaries{Vocbot: filepath.Join(dir, "vocbot"), Fakes: filepath.Join(dir, "vocbot-fakes")}
	for out, pkg := range map[string]string{b.Vocbot: "./cmd/vocbot", b.Fakes: "./cmd/vocbot-fakes"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
		}
	}
	return b, nil
}

// Process is a child process whose stdout and stderr go to a log file.
type Process struct {
	Name    string
	LogPath string

	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error
}

// Start runs path with args and env (added to a minimal environment) and
// logs to dir/name.log (appending, so restarts keep earlier lines).
func Start(name, dir, path string, args []string, env map[string]string) (*Process, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log of %s: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, log: f, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL (kill -9) and waits for the process to end.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop sends SIGTERM and waits up to grace, then kills. It returns the
// exit error of a process that did not end cleanly.
func (p *Process) Stop(grace time.Duration) error {
	if p.Exited() {
		return p.err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
		p.Kill()
		return fmt.Errorf("%s did not stop within %s after SIGTERM; killed", p.Name, grace)
	}
}

// Logs is everything the process wrote so far.
func (p *Process) Logs() string {
	b, _ := os.ReadFile(p.LogPath)
	return string(b)
}

// Tail is the last n lines of the log, for failure messages.
func (p *Process) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(p.Logs(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Eventually polls cond every interval until it returns true or ctx ends or
// timeout passes; the error says what was awaited.
func Eventually(ctx context.Context, timeout, interval time.Duration, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: not within %s", what, timeout)
		case <-time.After(interval):
		}
	}
}

// ReadAll concatenates the files at paths (missing files are skipped).
func ReadAll(paths ...string) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = io.Copy(&b, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return b.String(), nil
}
