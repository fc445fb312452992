package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitQueueIdle polls serve's /metrics until no job is available or running
// (vocbot_queue_depth counts them in the database at scrape time): whatever
// the test triggered has then been worked, and what was not queued will not
// be. This replaces sleeping "long enough" before asserting that something
// did not happen.
func waitQueueIdle(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		busy, err := queuedJobs(base)
		if err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still available or running after 30 s", busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func queuedJobs(base string) (int, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	busy := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "vocbot_queue_depth{") ||
			!(strings.Contains(line, `state="available"`) || strings.Contains(line, `state="running"`)) {
			continue
		}
		f := strings.Fields(line)
		n, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, err
		}
		busy += int(n)
	}
	return busy, sc.Err()
}
