package slack_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/vocbot/vocbot/bots/slack"
	"github.com/vocbot/vocbot/bots/slack/slacktest"
	"github.com/vocbot/vocbot/surveys"
)

// printer is a surveys.Handler that prints what reaches the Engine.
type printer struct{}

func (printer) Handle(_ context.Context, in surveys.Incoming) error {
	fmt.Printf("%s pressed %s for %s\n", in.From.UserID, in.Value, in.Ref)
	return nil
}

// A survey goes out as a DM, the customer presses 9, and the press reaches
// the Engine, all against the fake Slack.
func Example() {
	ctx := context.Background()
	fake := slacktest.NewServer(slacktest.Options{})
	defer fake.Close()
	fake.AddUser(slacktest.User{ID: "U0DANA", Name: "dana"})

	bot, err := slack.New(slack.Config{BotToken: slacktest.DefaultToken, SigningSecret: "s3cret", APIURL: fake.URL})
	if err != nil {
		panic(err)
	}
	p := surveys.Prompt{Text: "How likely is it that you would recommend Acme to a friend or colleague?", Ref: "s1234"}
	for v := range 11 {
		p.Choices = append(p.Choices, surveys.Choice{Label: fmt.Sprint(v), Value: fmt.Sprint(v)})
	}
	ref, err := bot.Send(ctx, surveys.Address{Platform: surveys.Slack, UserID: "U0DANA"}, p)
	if err != nil {
		panic(err)
	}
	fmt.Println("sent", strings.SplitN(string(ref), ":", 2)[0])

	msg := fake.Messages(slacktest.DM("U0DANA"))[0]
	nine, _ := msg.Button("9")
	slackSide := &slacktest.Client{SigningSecret: "s3cret"}
	res, err := slackSide.Press(ctx, slacktest.Handler(bot.InteractivityHandler(printer{})), "U0DANA", msg, nine)
	if err != nil {
		panic(err)
	}
	fmt.Println("Slack got", res.StatusCode)
	// Output:
	// sent D0DANA
	// U0DANA pressed 9 for s1234
	// Slack got 200
}
