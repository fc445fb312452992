package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

func TestFindCustomer(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := touchpoint("evt_1", "cus_42", 1001)
		in.Touchpoint.Customer.Identities = append(in.Touchpoint.Customer.Identities, surveys.Address{Platform: surveys.Slack, UserID: "U0DANA"})
		if _, err := f.engine.Ingest(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.engine.Ingest(ctx, touchpoint("evt_2", "cus_gone", 1002)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Forget(ctx, "cus_gone"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			ref  surveys.CustomerRef
			want string // "" for not found
		}{
			{"by id", surveys.CustomerRef{ExternalID: "cus_42"}, "cus_42"},
			{"unknown id", surveys.CustomerRef{ExternalID: "cus_43"}, ""},
			{"forgotten", surveys.CustomerRef{ExternalID: "cus_gone"}, ""},
			{"by Slack user", surveys.CustomerRef{User: surveys.Address{Platform: surveys.Slack, UserID: "U0DANA"}}, "cus_42"},
			{"by Telegram user", surveys.CustomerRef{User: surveys.Address{Platform: surveys.Telegram, UserID: "1001"}}, "cus_42"},
			{"same id on another platform", surveys.CustomerRef{User: surveys.Address{Platform: surveys.Discord, UserID: "1001"}}, ""},
			{"forgotten chat", surveys.CustomerRef{User: surveys.Address{Platform: surveys.Telegram, UserID: "1002"}}, ""},
			{"Telegram usernames are not stored", surveys.CustomerRef{TelegramUsername: "dana_k"}, ""},
		}
		for _, tt := range tests {
			got, err := f.store.FindCustomer(ctx, tt.ref)
			switch {
			case tt.want == "" && !errors.Is(err, surveys.ErrNotFound):
				t.Errorf("%s: FindCustomer = %q, %v; want ErrNotFound", tt.name, got, err)
			case tt.want != "" && (err != nil || got != tt.want):
				t.Errorf("%s: FindCustomer = %q, %v; want %q", tt.name, got, err, tt.want)
			}
		}
	})
}

func TestAmbassadorInvitations(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		amb := surveys.Address{Platform: surveys.Slack, UserID: "U1"}
		other := surveys.Address{Platform: surveys.Slack, UserID: "U12"} // U1 is a prefix of U12
		send := func(from surveys.Address, suffix, customer string, chat int64, at time.Time) {
			t.Helper()
			in := touchpoint(surveys.AmbassadorKey(from)+":"+suffix, customer, chat)
			in.Touchpoint.Source, in.Touchpoint.Type, in.Touchpoint.SurveyID = surveys.AmbassadorSource, surveys.ManualTouchpoint, "nps"
			in.Touchpoint.OccurredAt = at
			if _, err := f.engine.Ingest(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		send(amb, "a", "cus_1", 2001, day.Add(time.Hour))
		send(amb, "b", "cus_1", 2001, day.Add(2*time.Hour)) // skipped: fatigue
		send(amb, "c", "cus_2", 2002, day.Add(-time.Hour))  // the day before
		send(other, "d", "cus_3", 2003, day.Add(time.Hour))
		api := touchpoint("slack:U1:e", "cus_4", 2004) // same id, but from the API
		api.Touchpoint.SurveyID = "nps"
		if _, err := f.engine.Ingest(ctx, api); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			from surveys.Address
			want int
		}{{amb, 1}, {other, 1}, {surveys.Address{Platform: surveys.Telegram, UserID: "U1"}, 0}} {
			got, err := f.store.AmbassadorInvitations(ctx, tt.from, day, day.Add(24*time.Hour))
			if err != nil || got != tt.want {
				t.Errorf("AmbassadorInvitations(%s) = %d, %v; want %d", tt.from, got, err, tt.want)
			}
		}
	})
}
