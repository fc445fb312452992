package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/surveys"
)

// The gateway identifies, heartbeats, delivers DMs and interactions,
// ignores the bot's own messages, and resumes after a dropped connection
// without losing what happened in between.
func TestGateway(t *testing.T) {
	t.Parallel()
	fake, bot, _ := fixture(t, false)
	in := newInbox()
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	go func() { done <- bot.Receivers()[0].Run(ctx, in) }()
	wait := func(what string, cond func(discordtest.GatewayStats) bool) {
		t.Helper()
		if err := fake.Wait(ctxT(t), func() bool { return cond(fake.Gateway()) }); err != nil {
			t.Fatalf("%s: %v (%+v)", what, err, fake.Gateway())
		}
	}
	wait("identify and heartbeat", func(g discordtest.GatewayStats) bool { return g.Identifies == 1 && g.Heartbeats >= 1 })

	// The bot's own DM comes back as MESSAGE_CREATE and is ignored.
	if _, err := bot.Send(ctx, surveys.Address{Platform: surveys.Discord, UserID: customer}, npsPrompt("s5")); err != nil {
		t.Fatal(err)
	}
	typed, _ := fake.UserMessage(customer, "9")
	got := in.waitIncoming(t, 1)
	dm, _ := fake.DM(customer)
	want := surveys.Incoming{ID: "discord:msg:" + typed.ID, From: surveys.Address{Platform: surveys.Discord, ChatID: dm, UserID: customer}, Text: "9"}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("incoming %+v, want only %+v", got, want)
	}

	// A button press over the gateway is answered through the REST callback.
	m := fake.Messages(dm)[0]
	nine, _ := m.Button("9")
	res, err := (&discordtest.Client{Server: fake}).Press(ctxT(t), discordtest.Gateway(fake), discordtest.Invoker{UserID: customer}, m, nine.CustomID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Response == nil || res.Response.Type != 6 {
		t.Fatalf("gateway press: response %+v", res.Response)
	}
	const callback = "POST /interactions/{interaction}/{token}/callback"
	if err := fake.Wait(ctxT(t), func() bool { return fake.CallCount(callback) == 1 }); err != nil {
		t.Fatalf("callbacks: %d, want 1", fake.CallCount(callback))
	}
	if got := in.waitIncoming(t, 2); got[1].Value != "9" || got[1].Ref != "s5" {
		t.Errorf("press: %+v", got[1])
	}

	// Dropped: reconnect with resume, and what was sent meanwhile arrives.
	fake.DropGateway()
	later, _ := fake.UserMessage(customer, "the courier was late")
	wait("resume", func(g discordtest.GatewayStats) bool { return g.Resumes == 1 && g.Connected == 1 })
	got = in.waitIncoming(t, 3)
	if got[2].ID != "discord:msg:"+later.ID || got[2].Text != "the courier was late" {
		t.Errorf("after resume: %+v", got[2])
	}
	if g := fake.Gateway(); g.Identifies != 1 {
		t.Errorf("identified %d times, want once (resumed)", g.Identifies)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("gateway did not stop")
	}
	if err := fake.Wait(ctxT(t), func() bool { return fake.Gateway().Connected == 0 }); err != nil {
		t.Errorf("still connected after stop: %+v", fake.Gateway())
	}
}

func TestGatewayRefusedToken(t *testing.T) {
	t.Parallel()
	fake, bot, _ := fixture(t, false)
	bot.token = "wrong"
	err := bot.RunGateway(ctxT(t), newInbox())
	if err == nil || !strings.Contains(err.Error(), "VOCBOT_DISCORD_TOKEN") || strings.Contains(err.Error(), fake.Token()) {
		t.Errorf("got %v, want the token refused", err)
	}
}

func TestDecodeMessage(t *testing.T) {
	t.Parallel()
	_, bot, _ := fixture(t, false)
	user := &discordgo.User{ID: customer}
	for _, tc := range []struct {
		name string
		m    discordgo.Message
		ok   bool
	}{
		{"dm", discordgo.Message{ID: "1", ChannelID: "2", Author: user, Content: "9"}, true},
		{"guild", discordgo.Message{ID: "1", ChannelID: "2", GuildID: "3", Author: user, Content: "9"}, false},
		{"bot itself", discordgo.Message{ID: "1", ChannelID: "2", Author: &discordgo.User{ID: bot.UserID()}, Content: "9"}, false},
		{"another bot", discordgo.Message{ID: "1", ChannelID: "2", Author: &discordgo.User{ID: "7", Bot: true}, Content: "9"}, false},
		{"empty", discordgo.Message{ID: "1", ChannelID: "2", Author: user, Content: " "}, false},
		{"no author", discordgo.Message{ID: "1", ChannelID: "2", Content: "9"}, false},
	} {
		if _, ok := bot.decodeMessage(&tc.m); ok != tc.ok {
			t.Errorf("%s: ok %v, want %v", tc.name, ok, tc.ok)
		}
	}
}
