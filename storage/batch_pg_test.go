package storage_test

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// On PostgreSQL the batch path writes the delivery jobs with its own SQL,
// in the statement that writes the invitations. Each job row must be the
// row River's own insert writes for the same invitation, unique key and
// unique states included, or River's unique index would not stop a second
// job for the invitation. Both a job due later (scheduled) and one due now
// (available) are compared, column by column.
func TestBatchJobsAreRiversRows(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		settings := testSettings()
		settings.Rules = append(settings.Rules, surveys.Rule{Type: "ticket_closed", SurveyID: "nps", Sample: 1},
			surveys.Rule{Type: "ticket_soon", SurveyID: "nps", Delay: storage.JobHorizon / 2, Sample: 1})
		jobs, err := storage.NewJobs(db, storage.JobsConfig{})
		if err != nil {
			t.Fatal(err)
		}
		engine := surveys.NewEngine(settings, storage.NewStore(db, jobs), nil)
		ctx := context.Background()
		later, now := touchpoint("evt_later", "cus_later", 5001), touchpoint("evt_now", "cus_now", 5002)
		later.Touchpoint.Type, now.Touchpoint.Type = "ticket_soon", "ticket_closed"
		res, errs, err := engine.IngestBatch(ctx, []surveys.Ingestion{later, now})
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		type jobRow struct {
			Args, Kind, Queue, State string
			MaxAttempts, Priority    int
			Metadata, Tags           string
			UniqueKey, UniqueStates  string
			Attempt                  int
			ScheduledAt              time.Time
		}
		// River's SQLite driver puts a random nonce in the metadata of a
		// unique job, to tell a conflict.
		cols := `cast(args AS text), kind, queue, state, max_attempts, priority, cast(metadata AS text),
  cast(tags AS text), encode(unique_key, 'hex'), cast(unique_states AS text), attempt, scheduled_at`
		if db.Engine() == storage.SQLite {
			cols = `json(args), kind, queue, state, max_attempts, priority, json_remove(metadata, '$."river:unique_nonce"'),
  json(tags), lower(hex(unique_key)), unique_states, attempt, scheduled_at`
		}
		read := func(invitationID int64) jobRow {
			t.Helper()
			rows, err := db.Gorm().Raw(`SELECT `+cols+` FROM river_job WHERE `+jobOf(db), invitationID).Rows()
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []jobRow
			for rows.Next() {
				var r jobRow
				if err := rows.Scan(&r.Args, &r.Kind, &r.Queue, &r.State, &r.MaxAttempts, &r.Priority, &r.Metadata, &r.Tags,
					&r.UniqueKey, &r.UniqueStates, &r.Attempt, &r.ScheduledAt); err != nil {
					t.Fatal(err)
				}
				out = append(out, r)
			}
			if len(out) != 1 {
				t.Fatalf("invitation %d has %d send_survey jobs, want 1", invitationID, len(out))
			}
			return out[0]
		}
		var ours []jobRow
		for _, r := range res {
			ours = append(ours, read(r.Invitation.ID))
		}
		if err := db.Gorm().Exec(`DELETE FROM river_job WHERE kind = 'send_survey'`).Error; err != nil {
			t.Fatal(err)
		}
		var states []string
		for i, r := range res {
			inv := r.Invitation
			if err := jobs.InsertSendSurveyWithRiver(ctx, db, inv.ID, inv.To.Platform, inv.DueAt); err != nil {
				t.Fatal(err)
			}
			ours, rivers := ours[i], read(inv.ID)
			// A job due now is scheduled at its insert time, which differs
			// between the two inserts. River sends times as text, which
			// PostgreSQL rounds to the microsecond; pgx's binary times are
			// truncated.
			if d := ours.ScheduledAt.Sub(rivers.ScheduledAt).Abs(); ours.State == "scheduled" && d > time.Microsecond {
				t.Errorf("invitation %d: scheduled at %s, River's %s", inv.ID, ours.ScheduledAt, rivers.ScheduledAt)
			}
			ours.ScheduledAt, rivers.ScheduledAt = time.Time{}, time.Time{}
			if ours != rivers {
				t.Errorf("invitation %d: the batch's job\n%+v\ndiffers from River's\n%+v", inv.ID, ours, rivers)
			}
			states = append(states, ours.State)
		}
		if len(states) != 2 || states[0] != "scheduled" || states[1] != "available" {
			t.Errorf("job states %v, want scheduled (due within the horizon) and available (due now)", states)
		}
	})
}

// The PostgreSQL batch path does not read the state of the customers it
// has just inserted: it knows it (their chats are the ones it linked,
// oldest first, and they have had no survey). What it knows must be what
// reading would have found: several chats, a chat already another
// customer's (not theirs), customers seen before (read, not known).
func TestNewCustomersStateIsWhatReadingFinds(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t, storage.Postgres) // skipped without PostgreSQL
	f := newFixture(t, db)
	ctx := context.Background()
	if _, err := f.engine.Ingest(ctx, touchpoint("evt_old", "cus_old", 7001)); err != nil {
		t.Fatal(err)
	}
	withChats := func(in surveys.Ingestion, chats ...surveys.Address) surveys.Ingestion {
		in.Touchpoint.Customer.Identities = chats
		return in
	}
	tg := func(chat string) surveys.Address {
		return surveys.Address{Platform: surveys.Telegram, ChatID: chat, UserID: chat}
	}
	slack := surveys.Address{Platform: surveys.Slack, ChatID: "D7002", UserID: "U7002"}
	ins := []surveys.Ingestion{
		withChats(touchpoint("evt_a", "cus_new_a", 0), tg("7002"), slack),
		withChats(touchpoint("evt_b", "cus_new_b", 0), tg("7001"), tg("7003")), // 7001 is cus_old's
		touchpoint("evt_old2", "cus_old", 7001),
		withChats(touchpoint("evt_c", "cus_new_c", 0)),
	}
	known, read, err := f.store.KnownAndReadStates(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := known["cus_old"]; ok || len(known) != 3 {
		t.Fatalf("known states for %v, want the three new customers only", slices.Sorted(maps.Keys(known)))
	}
	for ext, st := range known {
		if !reflect.DeepEqual(st, read[ext]) {
			t.Errorf("%s: known state\n%+v\nread state\n%+v", ext, st, read[ext])
		}
	}
	if a := known["cus_new_a"].Identities; len(a) != 2 || a[0] != tg("7002") || a[1] != slack {
		t.Errorf("cus_new_a's chats %v, want Telegram 7002 then Slack", a)
	}
	if b := known["cus_new_b"].Identities; len(b) != 1 || b[0] != tg("7003") {
		t.Errorf("cus_new_b's chats %v, want Telegram 7003 alone (7001 is cus_old's)", b)
	}
}
