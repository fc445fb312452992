package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
	"github.com/vocbot/vocbot/surveys/surveystest"
)

// A survey due beyond the job horizon is stored without its delivery job,
// on every ingestion path; the tick makes the job once it is due within the
// horizon, scheduled at the invitation's due time, and never a second one.
// An invitation that stopped being scheduled meanwhile gets none.
func TestFarSurveysWaitForTheTick(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db) // order_delivered: due in 2 h
		ctx := context.Background()
		lone, err := f.engine.Ingest(ctx, touchpoint("evt_q1", "cus_q1", 901))
		if err != nil {
			t.Fatal(err)
		}
		res, errs, err := f.engine.IngestBatch(ctx, []surveys.Ingestion{
			touchpoint("evt_q2", "cus_q2", 902), touchpoint("evt_q3", "cus_q3", 903), touchpoint("evt_q4", "cus_q4", 904)})
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		invs := []surveys.Invitation{lone.Invitation, res[0].Invitation, res[1].Invitation, res[2].Invitation}
		for _, inv := range invs {
			if inv.Status != surveys.Scheduled {
				t.Fatalf("invitation %+v, want scheduled", inv)
			}
		}
		jobs := func() int64 { return f.count(t, "river_job", "kind = ?", "send_survey") }
		if n, a := jobs(), f.count(t, "invitations", "awaiting_job"); n != 0 || a != 4 {
			t.Fatalf("after ingestion: %d send_survey jobs and %d invitations awaiting one, want 0 and 4", n, a)
		}

		if n, err := f.jobs.QueueDueSurveys(ctx, time.Now().Add(time.Hour)); err != nil || n != 0 || jobs() != 0 {
			t.Fatalf("a tick an hour before they are due took %d (%v) and made %d jobs, want none", n, err, jobs())
		}
		// The customer of the last one said /stop before it was due.
		skipped := invs[3].ID
		if err := db.Gorm().Exec(`UPDATE invitations SET status = 'skipped', skip_reason = 'opted_out' WHERE id = ?`, skipped).Error; err != nil {
			t.Fatal(err)
		}
		if n, err := f.jobs.QueueDueSurveys(ctx, time.Now().Add(3*time.Hour)); err != nil || n != 4 {
			t.Fatalf("the tick once they are due took %d (%v), want all 4", n, err)
		}
		if n, a := jobs(), f.count(t, "invitations", "awaiting_job"); n != 3 || a != 0 {
			t.Fatalf("after the tick: %d send_survey jobs and %d invitations awaiting one, want 3 and 0", n, a)
		}
		for _, inv := range invs {
			want := int64(1)
			if inv.ID == skipped {
				want = 0
			}
			if n := f.count(t, "river_job", jobOf(db), inv.ID); n != want {
				t.Errorf("invitation %d: %d jobs, want %d", inv.ID, n, want)
			}
			if inv.ID == skipped {
				continue
			}
			var job struct {
				State, Queue string
				ScheduledAt  time.Time
			}
			if err := db.Gorm().Raw(`SELECT state, queue, scheduled_at FROM river_job WHERE `+jobOf(db), inv.ID).Scan(&job).Error; err != nil {
				t.Fatal(err)
			}
			if job.State != "scheduled" || job.Queue != "telegram" || job.ScheduledAt.Sub(inv.DueAt).Abs() > time.Millisecond {
				t.Errorf("invitation %d due %s: job %+v, want scheduled on the telegram queue at the due time", inv.ID, inv.DueAt, job)
			}
		}
		if n, err := f.jobs.QueueDueSurveys(ctx, time.Now().Add(3*time.Hour)); err != nil || n != 0 || jobs() != 3 {
			t.Fatalf("a second tick took %d (%v) and left %d jobs, want 0 and 3", n, err, jobs())
		}
	})
}

// Two ticks at once (a leader handoff) over more invitations than one
// transaction takes: each invitation gets exactly one job.
func TestConcurrentTicksMakeEachJobOnce(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		const total = 2500
		for b := 0; b < total; b += 500 {
			var batch []surveys.Ingestion
			for i := b; i < b+500; i++ {
				batch = append(batch, touchpoint(fmt.Sprint("evt_c", i), fmt.Sprint("cus_c", i), int64(100_000+i)))
			}
			if _, errs, err := f.engine.IngestBatch(ctx, batch); err != nil || errs[0] != nil {
				t.Fatal(err, errs[0])
			}
		}
		var wg sync.WaitGroup
		taken := make([]int, 2)
		errs := make([]error, 2)
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := f.jobs.QueueDueSurveys(ctx, time.Now().Add(3*time.Hour))
					taken[w] += n
					if err != nil || n == 0 {
						errs[w] = err
						return
					}
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if taken[0]+taken[1] != total {
			t.Errorf("the ticks took %d + %d invitations, want %d in all", taken[0], taken[1], total)
		}
		if n := f.count(t, "river_job", "kind = ?", "send_survey"); n != total {
			t.Errorf("send_survey jobs: %d, want %d", n, total)
		}
		var dup int64
		key := "args ->> 'invitation_id'"
		if db.Engine() == storage.SQLite {
			key = "json_extract(args, '$.invitation_id')"
		}
		if err := db.Gorm().Raw(`SELECT count(*) FROM (SELECT ` + key + ` FROM river_job WHERE kind = 'send_survey' GROUP BY 1 HAVING count(*) > 1) d`).Scan(&dup).Error; err != nil {
			t.Fatal(err)
		}
		if dup != 0 {
			t.Errorf("%d invitations have more than one job", dup)
		}
	})
}

// The tick is River's periodic job in a started worker: a survey stored
// while no worker ran gets its job once one starts (the tick runs at once
// on a leader's start), with no one calling the tick. The worker's clock is
// three hours ahead, so the survey due in two is within its horizon.
func TestQueueSurveysTickRunsInTheWorker(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db) // not started; order_delivered: due in 2 h
		inv, err := f.engine.Ingest(context.Background(), touchpoint("evt_tick", "cus_tick", 950))
		if err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "river_job", jobOf(db), inv.Invitation.ID); n != 0 {
			t.Fatalf("%d jobs before any worker ran, want 0", n)
		}
		startDelivery(t, db, &surveystest.Sender{}, func(d *storage.Delivery) {
			d.Now = func() time.Time { return time.Now().Add(3 * time.Hour) }
		})
		for deadline := time.Now().Add(30 * time.Second); f.count(t, "river_job", jobOf(db), inv.Invitation.ID) == 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no send_survey job 30 s after a worker started")
			}
		}
	})
}
