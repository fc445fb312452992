package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

func tgAddress(chat string) surveys.Address {
	return surveys.Address{Platform: surveys.Telegram, ChatID: chat, UserID: chat}
}

func (f fixture) event(t *testing.T, id, chat string, ev surveys.Event) {
	t.Helper()
	if err := f.engine.Handle(context.Background(), surveys.Incoming{ID: id, From: tgAddress(chat), Event: ev}); err != nil {
		t.Fatalf("handle %s %s: %v", ev, id, err)
	}
}

func (f fixture) blockedCustomers(t *testing.T) int {
	t.Helper()
	n, err := f.store.BlockedCustomers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A customer blocks the bot: the survey scheduled for them becomes
// undeliverable, the next touchpoint is skipped as unreachable, the
// digest counts them; unblocking makes them reachable again, and a
// redelivered block changes nothing.
func TestBlockedCustomer(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ingest := func(id string) surveys.Invitation {
			t.Helper()
			res, err := f.engine.Ingest(ctx, touchpoint(id, "cus_1", 1001))
			if err != nil {
				t.Fatal(err)
			}
			return res.Invitation
		}
		first := ingest("evt_1")
		if first.Status != surveys.Scheduled {
			t.Fatalf("before the block: %+v, want scheduled", first)
		}

		f.event(t, "tg:1", "1001", surveys.EventBlocked)
		got, err := f.store.Invitation(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != surveys.Undeliverable || got.Detail != surveys.BlockedDetail {
			t.Errorf("scheduled invitation after the block: %s (%q), want undeliverable (%q)", got.Status, got.Detail, surveys.BlockedDetail)
		}
		skipped := ingest("evt_2")
		if skipped.Status != surveys.Skipped || skipped.SkipReason != surveys.SkipUnreachable || !strings.Contains(skipped.Detail, "blocked the bot on telegram") {
			t.Errorf("touchpoint after the block: %s %s (%q), want skipped as unreachable because of the block", skipped.Status, skipped.SkipReason, skipped.Detail)
		}
		if n := f.blockedCustomers(t); n != 1 {
			t.Errorf("blocked customers: %d, want 1", n)
		}
		// A second block (another update) keeps one blocked customer.
		f.event(t, "tg:2", "1001", surveys.EventBlocked)
		if n := f.blockedCustomers(t); n != 1 {
			t.Errorf("blocked customers after a second block: %d, want 1", n)
		}
		// A chat nobody linked: recorded, nothing else changes.
		f.event(t, "tg:3", "9999", surveys.EventBlocked)
		if n := f.blockedCustomers(t); n != 1 {
			t.Errorf("blocked customers after an unlinked chat's block: %d, want 1", n)
		}

		settings := testSettings()
		spec := surveys.DigestSpec{ID: "daily", Timezone: time.UTC}
		data, err := surveys.LoadDigestData(ctx, f.store, surveys.NewDigestQuery(spec, settings, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if data.Blocked != 1 {
			t.Errorf("digest data: %d blocked, want 1", data.Blocked)
		}
		card := surveys.BuildDigest(spec, settings, surveys.DigestThresholds{}, time.Now(), data).Card()
		if !strings.Contains(card.Footer, "Customers who blocked the bot: 1") {
			t.Errorf("digest footer %q does not count the blocked customer", card.Footer)
		}

		f.event(t, "tg:4", "1001", surveys.EventUnblocked)
		f.event(t, "tg:2", "1001", surveys.EventBlocked) // redelivered: ignored
		if n := f.blockedCustomers(t); n != 0 {
			t.Errorf("blocked customers after the unblock: %d, want 0", n)
		}
		if again := ingest("evt_3"); again.Status != surveys.Scheduled || again.To != tgAddress("1001") {
			t.Errorf("touchpoint after the unblock: %+v, want scheduled to telegram 1001", again)
		}
		if got, err := f.store.Invitation(ctx, first.ID); err != nil || got.Status != surveys.Undeliverable {
			t.Errorf("first invitation after the unblock: %+v, %v; want it still undeliverable", got, err)
		}
	})
}

// A customer who blocked the bot on Telegram but has a Slack identity is
// surveyed on Slack; a survey already sent is left alone.
func TestBlockedCustomerReachedElsewhere(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tp := touchpoint("evt_1", "cus_2", 2002)
		slack := surveys.Address{Platform: surveys.Slack, UserID: "U2002"}
		tp.Touchpoint.Customer.Identities = append(tp.Touchpoint.Customer.Identities, slack)
		f.event(t, "tg:1", "2002", surveys.EventBlocked) // not linked yet: nothing to mark
		res, err := f.engine.Ingest(ctx, tp)
		if err != nil {
			t.Fatal(err)
		}
		if res.Invitation.To.Platform != surveys.Telegram {
			t.Fatalf("before the block: to %s, want telegram", res.Invitation.To)
		}
		if err := db.Gorm().Exec(`UPDATE invitations SET status = 'sent' WHERE id = ?`, res.Invitation.ID).Error; err != nil {
			t.Fatal(err)
		}
		f.event(t, "tg:2", "2002", surveys.EventBlocked)
		if got, err := f.store.Invitation(ctx, res.Invitation.ID); err != nil || got.Status != surveys.Sent {
			t.Errorf("sent invitation after the block: %+v, %v; want still sent", got, err)
		}
		if err := db.Gorm().Exec(`DELETE FROM invitations WHERE id = ?`, res.Invitation.ID).Error; err != nil {
			t.Fatal(err) // no fatigue from the first survey
		}
		tp2 := tp
		tp2.Touchpoint.ExternalID, tp2.RequestHash = "evt_2", "hash-evt_2"
		res, err = f.engine.Ingest(ctx, tp2)
		if err != nil {
			t.Fatal(err)
		}
		if res.Invitation.Status != surveys.Scheduled || res.Invitation.To != slack {
			t.Errorf("after the Telegram block: %+v, want scheduled on Slack", res.Invitation)
		}
	})
}
