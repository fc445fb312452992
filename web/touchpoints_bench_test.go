package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vocbot/vocbot/storage/storagetest"
)

// The API's ingest hot paths end to end in one process: HTTP, JSON,
// validation, the engine's decisions and the database, PostgreSQL when
// VOCBOT_TEST_POSTGRES_URL is set. bench perf measures the same through a
// real vocbot serve against its references; these are for profiles
// (-cpuprofile) and for catching a regression in a loop.

// BenchmarkPostBatch posts batches of 1,000 touchpoints, one at a time.
func BenchmarkPostBatch(b *testing.B) {
	for _, e := range storagetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			f := newAPIFixture(b, storagetest.Open(b, e), nil)
			var n int
			for b.Loop() {
				var body bytes.Buffer
				body.WriteString(`{"touchpoints":[`)
				for k := range maxBatch {
					if k > 0 {
						body.WriteByte(',')
					}
					body.WriteString(tpBody(fmt.Sprint("bb", n), fmt.Sprint("cus_bb", n), 1_000_000+n))
					n++
				}
				body.WriteString("]}")
				benchPost(b, http.DefaultClient, f, "/v1/touchpoints/batch", body.Bytes(), "")
			}
			b.ReportMetric(float64(b.N*maxBatch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkPostTouchpoint posts single touchpoints from 16 concurrent
// callers, each with its own Idempotency-Key, as a helpdesk's webhooks
// arrive at peak.
func BenchmarkPostTouchpoint(b *testing.B) {
	for _, e := range storagetest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			f := newAPIFixture(b, storagetest.Open(b, e), nil)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			var n atomic.Int64
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					benchPost(b, client, f, "/v1/touchpoints", []byte(tpBody(fmt.Sprint("c", i), fmt.Sprint("cus_c", i), int(2_000_000+i))), fmt.Sprint("key-", i))
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// benchPost sends one authorized POST with client and fails the benchmark
// on anything but 200 or 202.
func benchPost(b *testing.B, client *http.Client, f apiFixture, path string, body []byte, key string) {
	req, err := http.NewRequest(http.MethodPost, f.url+path, bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		b.Errorf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
}
