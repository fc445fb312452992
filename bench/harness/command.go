package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Run is one finished command: how long it took, how much memory it held at
// its peak, and what it printed on stderr.
type Run struct {
	Elapsed time.Duration
	// PeakRSS is the process's resident high-water mark in bytes: the last
	// VmHWM read from /proc/<pid>/status while it ran (polled every 20 ms),
	// or the kernel's ru_maxrss at exit if that is higher.
	PeakRSS int64
	Stderr  string
}

// RunCommand runs path with args and env (added to a minimal environment),
// stdout to stdout (nil: discarded), and measures it.
func RunCommand(ctx context.Context, path string, args []string, env map[string]string, stdout io.Writer) (Run, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if stdout == nil {
		stdout = io.Discard
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Run{}, err
	}
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var hwm int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := VmHWM(cmd.Process.Pid); err == nil && v > hwm {
				hwm = v
			}
			select {
			case <-done:
				peak <- hwm
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	r := Run{Elapsed: time.Since(start), PeakRSS: <-peak, Stderr: stderr.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss*1024 > r.PeakRSS {
		r.PeakRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w\n%s", path, strings.Join(args, " "), err, tail(r.Stderr, 10))
	}
	return r, nil
}

// VmHWM reads a process's peak resident set size in bytes.
func VmHWM(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for pid %d", pid)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
