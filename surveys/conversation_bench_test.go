package surveys_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// discardSender stands in for a platform that answers at once.
type discardSender struct{}

func (discardSender) Send(context.Context, surveys.Address, surveys.Prompt) (surveys.MessageRef, error) {
	return "m", nil
}

func (discardSender) Edit(context.Context, surveys.Address, surveys.MessageRef, surveys.Prompt) error {
	return nil
}

// BenchmarkConversationAnswers measures button presses recorded per second
// by 8 customers answering at once, each answering their own open NPS survey:
// dedupe, invitation lock, response, alert job for detractors, prompt edit
// and follow-up. p50/p99 are the latency of Handle, from the Incoming to
// the committed response and the replies handed to the Sender.
func BenchmarkConversationAnswers(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storagetest.Open(b, engine)
			f := newConvFixture(b, db)
			f.engine.SetSenders(map[surveys.Platform]surveys.Sender{surveys.Telegram: discardSender{}})
			ids := benchInvitations(b, f, b.N)

			const customers = 8
			var next atomic.Int64
			var mu sync.Mutex
			var wg sync.WaitGroup
			latencies := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for range customers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					local := make([]time.Duration, 0, b.N/customers+1)
					defer func() {
						mu.Lock()
						latencies = append(latencies, local...)
						mu.Unlock()
					}()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						in := surveys.Incoming{
							ID:    fmt.Sprintf("bench:%d", i),
							From:  tgChat(int(i) + 1),
							Ref:   surveys.Ref{InvitationID: ids[i], Question: surveys.QuestionScore}.String(),
							Value: fmt.Sprint(i % 11),
						}
						t0 := time.Now()
						if err := f.engine.Handle(context.Background(), in); err != nil {
							b.Error(err)
							return
						}
						local = append(local, time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if n := f.responses(); n != b.N {
				b.Fatalf("%d responses recorded for %d answers", n, b.N)
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "answers/s")
			b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// benchInvitations ingests n touchpoints for n customers (chats 1…n) in
// batches and marks their invitations sent; it returns their ids by chat.
func benchInvitations(b *testing.B, f *convFixture, n int) []int64 {
	b.Helper()
	ids := make([]int64, 0, n)
	for lo := 0; lo < n; lo += 500 {
		var batch []surveys.Ingestion
		for i := lo; i < min(n, lo+500); i++ {
			batch = append(batch, surveys.Ingestion{
				Touchpoint: surveys.Touchpoint{Source: "bench", ExternalID: fmt.Sprintf("evt_%d", i), Type: "order_delivered",
					Customer: surveys.Customer{ExternalID: fmt.Sprintf("cus_%d", i), Locale: "he", Identities: []surveys.Address{tgChat(i + 1)}}},
				RequestHash: fmt.Sprint(i),
			})
		}
		res, errs, err := f.engine.IngestBatch(context.Background(), batch)
		if err != nil {
			b.Fatal(err)
		}
		for i, r := range res {
			if errs[i] != nil || r.Invitation.Status != surveys.Scheduled {
				b.Fatalf("touchpoint %d: %+v, %v", lo+i, r.Invitation, errs[i])
			}
			ids = append(ids, r.Invitation.ID)
		}
	}
	f.exec(`UPDATE invitations SET status = 'sent', sent_at = $1, message_ref = 'm'`, f.clock.Now())
	return ids
}
