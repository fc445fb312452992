package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// The alert job a detractor's answer writes (on PostgreSQL with the
// response's own INSERT, not through River's client) is the row River's
// insert writes for the same job: a River upgrade that changes what a job
// row holds fails here.
func TestAnswerAlertJobIsRiversRow(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		res, err := f.engine.Ingest(ctx, touchpoint("evt_alert", "cus_alert", 3001))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Gorm().Exec(`UPDATE invitations SET status = 'sent', sent_at = ? WHERE id = ?`, time.Now().UTC(), res.Invitation.ID).Error; err != nil {
			t.Fatal(err)
		}
		from := surveys.Address{Platform: surveys.Telegram, ChatID: "3001", UserID: "3001"}
		var recorded surveys.Response
		fresh, err := f.store.Converse(ctx, "tg:alert", func(tx surveys.ChatTx) error {
			p, err := tx.ReadPress(from, res.Invitation.ID)
			if err != nil {
				return err
			}
			if p.Invitation.ID != res.Invitation.ID || p.Answered || p.Customer.ExternalID != "cus_alert" {
				return fmt.Errorf("read %+v", p)
			}
			recorded, err = tx.AddResponse(surveys.Response{InvitationID: p.Invitation.ID, Metric: surveys.NPS, Score: 2,
				CommentState: surveys.CommentAwaiting, Locale: "en", AnsweredAt: time.Now()}, "tg:alert", true)
			return err
		})
		if err != nil || !fresh {
			t.Fatalf("answer: fresh %v, %v", fresh, err)
		}
		if err := f.jobs.InsertAlertWithRiver(ctx, db, recorded.ID+1000); err != nil {
			t.Fatal(err)
		}
		type jobRow struct {
			ResponseID   int64
			Kind, Queue  string
			State        string
			MaxAttempts  int
			Priority     int
			Metadata     string
			Tags         string
			Unique       bool
			Scheduled    bool
			ArgsKeys     int
			AttemptCount int
		}
		// River's SQLite driver puts a random nonce in the metadata of each
		// job it inserts, to tell a unique conflict.
		args, tags := "args ->> 'response_id'", "cast(tags AS text)"
		keys, metadata := "(SELECT count(*) FROM jsonb_object_keys(args))", "cast(metadata - 'river:unique_nonce' AS text)"
		if db.Engine() == storage.SQLite {
			args, tags = "json_extract(args, '$.response_id')", "json(tags)"
			keys, metadata = "(SELECT count(*) FROM json_each(args))", `json_remove(metadata, '$."river:unique_nonce"')`
		}
		var rows []jobRow
		if err := db.Gorm().Raw(`SELECT ` + args + ` AS response_id, kind, queue, state, max_attempts, priority,
  ` + metadata + ` AS metadata, ` + tags + ` AS tags, unique_key IS NOT NULL AS "unique",
  scheduled_at <= created_at AS scheduled, ` + keys + ` AS args_keys, attempt AS attempt_count
FROM river_job WHERE kind = 'send_alert' ORDER BY id`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d alert jobs, want the answer's and River's: %+v", len(rows), rows)
		}
		answer, river := rows[0], rows[1]
		if answer.ResponseID != recorded.ID || river.ResponseID != recorded.ID+1000 {
			t.Errorf("response ids %d and %d, want %d and %d", answer.ResponseID, river.ResponseID, recorded.ID, recorded.ID+1000)
		}
		answer.ResponseID, river.ResponseID = 0, 0
		if answer != river {
			t.Errorf("the answer's alert job\n%+v\ndiffers from River's\n%+v", answer, river)
		}
		if answer.Queue != storage.AlertQueue || answer.State != "available" {
			t.Errorf("alert job %+v, want available in %s", answer, storage.AlertQueue)
		}
	})
}
