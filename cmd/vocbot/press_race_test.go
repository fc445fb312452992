package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/slack"
	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/bots/telegram"
	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// pressRace is an engine over a real database with the real Telegram and
// Slack adapters talking to their fakes.
type pressRace struct {
	db       *storage.DB
	engine   *surveys.Engine
	settings *surveys.Settings
}

func newPressRace(t *testing.T, db *storage.DB) pressRace {
	t.Helper()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	settings := surveySettings(config.Default(), []surveys.Platform{surveys.Telegram, surveys.Slack})
	return pressRace{db: db, engine: surveys.NewEngine(settings, storage.NewStore(db, jobs), nil), settings: settings}
}

// sendUnrecorded ingests a survey for the customer, sends its prompt through
// sender and leaves the invitation as the delivery job does between the
// send and its record of it: "sending", no message reference stored.
func (f pressRace) sendUnrecorded(t *testing.T, customer string, to surveys.Address, sender surveys.Sender) surveys.MessageRef {
	t.Helper()
	ctx := context.Background()
	res, err := f.engine.Ingest(ctx, surveys.Ingestion{Touchpoint: surveys.Touchpoint{
		Source: "api", Type: "order_delivered", SurveyID: "nps",
		Customer: surveys.Customer{ExternalID: customer, Identities: []surveys.Address{to}},
	}, RequestHash: "race-" + customer})
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Invitation
	p, err := f.settings.ScorePrompt(inv)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := sender.Send(ctx, inv.To, p)
	if err != nil {
		t.Fatal(err)
	}
	q := `UPDATE invitations SET status = 'sending', message_ref = '' WHERE id = ?`
	if f.db.Engine() == storage.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	if _, err := f.db.SQL().Exec(q, inv.ID); err != nil {
		t.Fatal(err)
	}
	return ref
}

func (f pressRace) answered(t *testing.T, customer string) int {
	t.Helper()
	return countRows(t, f.db, `SELECT count(*) FROM responses r JOIN invitations i ON i.id = r.invitation_id
		JOIN customers c ON c.id = i.customer_id WHERE c.external_id = '`+customer+`' AND r.score = 9`)
}

// A customer presses a score button before the delivery job has stored the
// sent message's reference: the answer is recorded and the prompt still
// loses its buttons, because the press carries the message it came from.
func TestPressBeforeSendRecordedStillEditsPrompt(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		t.Run("telegram", func(t *testing.T) {
			f := newPressRace(t, db)
			tg := telegramtest.New("")
			t.Cleanup(tg.Close)
			tg.AddUser(7001, "en")
			bot, err := telegram.New(context.Background(), telegram.Config{Token: tg.Token(), APIURL: tg.APIURL(), CallbackSecret: []byte("race secret")})
			if err != nil {
				t.Fatal(err)
			}
			f.engine.SetSenders(map[surveys.Platform]surveys.Sender{surveys.Telegram: bot})
			ref := f.sendUnrecorded(t, "cus_tg_race", surveys.Address{Platform: surveys.Telegram, ChatID: "7001", UserID: "7001"}, bot)
			_, idText, _ := strings.Cut(string(ref), ":")
			msgID, err := strconv.Atoi(idText)
			if err != nil {
				t.Fatalf("message ref %q", ref)
			}

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- bot.Poll(ctx, f.engine) }()
			t.Cleanup(func() { cancel(); <-done })
			if _, err := tg.PressButton(7001, msgID, "9"); err != nil {
				t.Fatal(err)
			}
			wait, stop := context.WithTimeout(context.Background(), 20*time.Second)
			defer stop()
			err = tg.Wait(wait, func() bool {
				m := tg.Sent(7001)[0]
				return m.Edits > 0 && len(m.Keyboard) == 0
			})
			if err != nil {
				t.Fatalf("the prompt was not edited: %+v", tg.Sent(7001)[0])
			}
			if n := f.answered(t, "cus_tg_race"); n != 1 {
				t.Errorf("%d answers of 9 recorded, want 1", n)
			}
		})
		t.Run("slack", func(t *testing.T) {
			f := newPressRace(t, db)
			srv := slacktest.NewServer(slacktest.Options{PostInterval: -1})
			t.Cleanup(srv.Close)
			const user = "U0RACE1"
			srv.AddUser(slacktest.User{ID: user, Name: "dana", Locale: "en-US"})
			bot, err := slack.New(slack.Config{BotToken: slacktest.DefaultToken, SigningSecret: slackSecret, APIURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			f.engine.SetSenders(map[surveys.Platform]surveys.Sender{surveys.Slack: bot})
			f.sendUnrecorded(t, "cus_slack_race", surveys.Address{Platform: surveys.Slack, UserID: user}, bot)
			m := srv.Messages(slacktest.DM(user))[0]
			nine, ok := m.Button("9")
			if !ok {
				t.Fatalf("no button 9 in %+v", m.Buttons())
			}
			c := &slacktest.Client{SigningSecret: slackSecret}
			res, err := c.Press(t.Context(), slacktest.Handler(bot.InteractivityHandler(f.engine)), user, m, nine)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("press: status %d", res.StatusCode)
			}
			after := srv.Messages(slacktest.DM(user))[0]
			if !after.Edited || len(after.Buttons()) != 0 {
				t.Errorf("the prompt was not edited: edited=%v buttons=%d", after.Edited, len(after.Buttons()))
			}
			if n := f.answered(t, "cus_slack_race"); n != 1 {
				t.Errorf("%d answers of 9 recorded, want 1", n)
			}
		})
	})
}

// A Slack event whose text and id hold NUL (a broken or forged client) is
// answered 200 and recorded cleaned on both engines: never a 500 that
// would make Slack retry something that cannot succeed.
func TestSlackEventWithNULIsCleaned(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newPressRace(t, db)
		srv := slacktest.NewServer(slacktest.Options{PostInterval: -1})
		t.Cleanup(srv.Close)
		const user = "U0NUL01"
		srv.AddUser(slacktest.User{ID: user, Name: "dana", Locale: "en-US"})
		bot, err := slack.New(slack.Config{BotToken: slacktest.DefaultToken, SigningSecret: slackSecret, APIURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		f.engine.SetSenders(map[surveys.Platform]surveys.Sender{surveys.Slack: bot})
		f.sendUnrecorded(t, "cus_slack_nul", surveys.Address{Platform: surveys.Slack, UserID: user}, bot)
		c := &slacktest.Client{SigningSecret: slackSecret}
		for _, im := range []slacktest.IM{
			{EventID: "EvNUL\x001", User: user, Channel: slacktest.DM(user), Text: "9\x00"},
			{EventID: "EvNUL2", User: user, Channel: slacktest.DM(user), Text: "slow\x00 courier \xff"},
		} {
			_, res, err := c.MessageIM(t.Context(), slacktest.Handler(bot.EventsHandler(f.engine)), im)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("event %q: status %d, want 200", im.Text, res.StatusCode)
			}
		}
		if n := countRows(t, db, `SELECT count(*) FROM inbound_updates`); n != 2 {
			t.Errorf("%d inbound updates recorded, want 2", n)
		}
	})
}
