package discord_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/vocbot/vocbot/bots/discord"
	"github.com/vocbot/vocbot/bots/discord/discordtest"
	"github.com/vocbot/vocbot/surveys"
)

// printer is a surveys.Inbox that prints what reaches vocbot.
type printer struct{}

func (printer) Handle(_ context.Context, in surveys.Incoming) error {
	fmt.Printf("%s pressed %s for %s\n", in.From.UserID, in.Value, in.Ref)
	return nil
}

func (printer) Command(_ context.Context, req surveys.CommandRequest) (surveys.CommandReply, error) {
	fmt.Printf("/survey %s with roles %v\n", req.Text, req.Roles)
	return surveys.CommandReply{Text: "NPS 40"}, nil
}

// A survey goes out as a DM, the customer presses 9, and an ambassador
// asks for stats: all against the fake Discord, over HTTP interactions.
func Example() {
	ctx := context.Background()
	fake := discordtest.NewServer(discordtest.Options{})
	defer fake.Close()
	fake.AddUser(discordtest.User{ID: "300000000000000001", Name: "dana"})

	bot, err := discord.New(ctx, discord.Config{Token: fake.Token(), AppID: fake.AppID(), APIURL: fake.URL(), PublicKey: fake.PublicKey()})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	bot.Mount(mux, printer{})

	p := surveys.Prompt{Text: "How likely is it that you would recommend Acme to a friend or colleague?", Ref: "s1234"}
	for v := range 11 {
		p.Choices = append(p.Choices, surveys.Choice{Label: fmt.Sprint(v), Value: fmt.Sprint(v)})
	}
	ref, err := bot.Send(ctx, surveys.Address{Platform: surveys.Discord, UserID: "300000000000000001"}, p)
	if err != nil {
		panic(err)
	}
	dm, _ := fake.DM("300000000000000001")
	fmt.Println("sent to the DM:", len(ref) > len(dm) && string(ref[:len(dm)]) == dm)

	user := &discordtest.Client{Server: fake}
	msg := fake.Messages(dm)[0]
	if _, err := user.PressLabel(ctx, discordtest.Handler(mux), discordtest.Invoker{UserID: "300000000000000001"}, msg.ID, "9"); err != nil {
		panic(err)
	}
	res, err := user.Command(ctx, discordtest.Handler(mux),
		discordtest.Invoker{UserID: "300000000000000002", ChannelID: "400000000000000001", GuildID: "500000000000000001", Roles: []string{"600000000000000001"}},
		"survey", "stats", discordtest.Option{Name: "survey", Value: "nps"})
	if err != nil {
		panic(err)
	}
	fmt.Println("ambassador sees:", res.Response.Content, "(only them:", res.Response.Ephemeral, ")")
	// Output:
	// sent to the DM: true
	// 300000000000000001 pressed 9 for s1234
	// /survey stats nps with roles [600000000000000001]
	// ambassador sees: NPS 40 (only them: true )
}
