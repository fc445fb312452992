package surveys_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

// dashboardLinks issues links the way the web face does, from the store's
// real tokens, under a fixed address.
type dashboardLinks struct{ store *storage.Store }

func (d dashboardLinks) SignInLink(ctx context.Context, who string, ttl time.Duration) (string, time.Time, error) {
	token, expires, err := d.store.CreateSignInToken(ctx, who, ttl)
	return "https://vocbot.example.com/signin/" + token, expires, err
}

func TestAmbassadorDashboard(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAmbFixture(t, db, surveys.AmbassadorConfig{})
		f.desk = surveys.NewAmbassadorDesk(f.engine, f.store, f.store, surveys.AmbassadorConfig{
			Ambassadors: surveys.Ambassadors{SlackUsers: []string{slackAmbassador.UserID}, TelegramUsers: []string{telegramAmbassador.UserID}},
			Dashboard:   dashboardLinks{f.store},
		})
		got := f.run(slackAmbassador, "/survey dashboard")
		first, link, _ := strings.Cut(got, "\n")
		if !strings.HasPrefix(first, "Your dashboard sign-in link, for you only, valid once until ") || !strings.HasPrefix(link, "https://vocbot.example.com/signin/") {
			t.Fatalf("got reply %q, want the link on its second line", got)
		}
		token := strings.TrimPrefix(link, "https://vocbot.example.com/signin/")
		if _, who, _, err := f.store.RedeemSignInToken(context.Background(), token, time.Hour); err != nil || who != "slack:"+slackAmbassador.UserID {
			t.Errorf("redeem the link: got %q, %v; want a session for the ambassador", who, err)
		}

		group := surveys.Address{Platform: surveys.Telegram, ChatID: "-100200", UserID: telegramAmbassador.UserID}
		if got := f.run(group, "/survey dashboard"); strings.Contains(got, "https://") || !strings.Contains(got, "private chat") {
			t.Errorf("in a Telegram group: got %q, want a refusal without a link", got)
		}
		if got := f.run(surveys.Address{Platform: surveys.Slack, UserID: "U0STRANGER"}, "/survey dashboard"); got != surveys.Refusal {
			t.Errorf("not an ambassador: got %q, want the refusal", got)
		}
		if got := f.run(slackAmbassador, "/survey dashboard now"); !strings.Contains(got, "one too many") {
			t.Errorf("with an argument: got %q, want a usage error", got)
		}

		var commands []surveys.AuditEntry
		for _, e := range f.audit() {
			if e.Action == "survey.dashboard" {
				commands = append(commands, e)
			}
			if strings.Contains(e.Detail, token) {
				t.Errorf("audit entry %q holds the link's token", e.Detail)
			}
		}
		if len(commands) != 3 || commands[0].Result != "ok" || commands[1].Result != "refused" || commands[2].Result != "refused" {
			t.Errorf("audited %+v, want three survey.dashboard entries: ok, refused (group), refused (stranger)", commands)
		}

		g := newAmbFixture(t, storagetest.Open(t, db.Engine()), surveys.AmbassadorConfig{})
		if got := g.run(slackAmbassador, "/survey dashboard"); !strings.Contains(got, "VOCBOT_PUBLIC_URL") {
			t.Errorf("without a public URL: got %q, want the way to configure it", got)
		}
	})
}
