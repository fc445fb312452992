package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Touchpoint builds the JSON body of touchpoint i; its "id" must be stable
// so a retry is the same event.
type Touchpoint func(i int) map[string]any

// TelegramTouchpoint is an NPS touchpoint for a Telegram customer.
func TelegramTouchpoint(prefix string, chat func(i int) int64) Touchpoint {
	return func(i int) map[string]any {
		return map[string]any{
			"id":       fmt.Sprintf("%s_%d", prefix, i),
			"type":     "order_delivered",
			"survey":   "nps",
			"customer": map[string]any{"id": fmt.Sprintf("cus_%s_%d", prefix, i), "locale": "en", "telegram_chat_id": chat(i)},
		}
	}
}

// Loader posts touchpoints to vocbot and retries each until it is
// acknowledged (2xx for the item), so a crash or an outage in between
// loses nothing the caller may count. Acknowledged items are recorded.
type Loader struct {
	// Targets are the clients to spread requests over (round-robin).
	Targets []*Client
	// Batch is touchpoints per request to /v1/touchpoints/batch; 0 or 1
	// posts each alone to /v1/touchpoints with an Idempotency-Key.
	Batch int
	// Workers is how many requests are in flight; default 4.
	Workers int
	// Retry is the pause before resending a failed request; default 200 ms.
	Retry time.Duration

	next      atomic.Uint64
	mu        sync.Mutex
	acked     map[int]int // index → HTTP status of the item
	Attempts  atomic.Int64
	Failures  atomic.Int64 // requests that failed (network, 5xx, 409) and were retried
	Status5xx atomic.Int64
}

// Run posts items [from, to) built by tp and returns when each is
// acknowledged or ctx ends.
func (l *Loader) Run(ctx context.Context, from, to int, tp Touchpoint) error {
	if l.acked == nil {
		l.mu.Lock()
		if l.acked == nil {
			l.acked = map[int]int{}
		}
		l.mu.Unlock()
	}
	size := max(l.Batch, 1)
	work := make(chan [2]int)
	workers := l.Workers
	if workers <= 0 {
		workers = 4
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for span := range work {
				if err := l.post(ctx, span[0], span[1], tp); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
feed:
	for i := from; i < to; i += size {
		select {
		case work <- [2]int{i, min(i+size, to)}:
		case <-ctx.Done():
			break feed
		case err := <-errs:
			close(work)
			wg.Wait()
			return err
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	return ctx.Err()
}

// Acked is how many items were acknowledged.
func (l *Loader) Acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// AckedStatus is the acknowledged items by HTTP status (202 scheduled, 200 skipped).
func (l *Loader) AckedStatus() map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int]int{}
	for _, s := range l.acked {
		out[s]++
	}
	return out
}

func (l *Loader) target() *Client {
	return l.Targets[int(l.next.Add(1)-1)%len(l.Targets)]
}

func (l *Loader) pause(ctx context.Context) error {
	d := l.Retry
	if d <= 0 {
		d = 200 * time.Millisecond
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// post sends items [from, to) until every one is acknowledged.
func (l *Loader) post(ctx context.Context, from, to int, tp Touchpoint) error {
	pending := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		pending = append(pending, i)
	}
	for len(pending) > 0 {
		if ctx.Err() != nil {
			return nil
		}
		l.Attempts.Add(1)
		var err error
		if l.Batch <= 1 {
			pending, err = l.postOne(ctx, pending, tp)
		} else {
			pending, err = l.postBatch(ctx, pending, tp)
		}
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			l.Failures.Add(1)
			if err := l.pause(ctx); err != nil {
				return nil
			}
		}
	}
	return nil
}

func (l *Loader) ack(i, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked[i] = status
}

// postOne posts pending[0] alone; it returns what is still pending.
func (l *Loader) postOne(ctx context.Context, pending []int, tp Touchpoint) ([]int, error) {
	i := pending[0]
	body, _ := json.Marshal(tp(i))
	item := tp(i)
	code, resp, err := l.target().Do(ctx, http.MethodPost, "/v1/touchpoints", body,
		http.Header{"Idempotency-Key": {fmt.Sprint(item["id"])}})
	switch {
	case err != nil:
		return pending, nil
	case code == http.StatusOK || code == http.StatusAccepted:
		l.ack(i, code)
		return pending[1:], nil
	case code >= 500:
		l.Status5xx.Add(1)
		return pending, nil
	case code == http.StatusConflict:
		return pending, nil
	default:
		return nil, fmt.Errorf("touchpoint %d refused: %d %s", i, code, resp)
	}
}

// postBatch posts pending as one batch; it returns the items to resend.
func (l *Loader) postBatch(ctx context.Context, pending []int, tp Touchpoint) ([]int, error) {
	items := make([]map[string]any, len(pending))
	for j, i := range pending {
		items[j] = tp(i)
	}
	body, _ := json.Marshal(map[string]any{"touchpoints": items})
	code, resp, err := l.target().Do(ctx, http.MethodPost, "/v1/touchpoints/batch", body, nil)
	if err != nil {
		return pending, nil
	}
	if code >= 500 {
		l.Status5xx.Add(1)
		return pending, nil
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("batch refused: %d %s", code, resp)
	}
	var out struct {
		Results []struct {
			Index  int `json:"index"`
			Status int `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(resp, &out); err != nil || len(out.Results) != len(pending) {
		return nil, fmt.Errorf("batch answer not understood (%v): %s", err, resp)
	}
	var again []int
	for j, r := range out.Results {
		switch {
		case r.Status == http.StatusOK || r.Status == http.StatusAccepted:
			l.ack(pending[j], r.Status)
		case r.Status >= 500:
			again = append(again, pending[j])
		default:
			return nil, fmt.Errorf("touchpoint %d refused in a batch: %d", pending[j], r.Status)
		}
	}
	return again, nil
}
