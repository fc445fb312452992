package surveys_test

import (
	"fmt"

	"github.com/vocbot/vocbot/surveys"
)

// Every adapter hands ParseCommand what the ambassador typed: Slack the text
// after /survey, Telegram the whole message.
func ExampleParseCommand() {
	for _, text := range []string{
		"send nps cus_42",
		"/survey@acme_bot stats nps 7d by agent",
		"send enps <@U0123ABC|dana>",
		"sned nps cus_42",
		"stats 30d",
	} {
		c, err := surveys.ParseCommand(text)
		if err != nil {
			fmt.Printf("%q: %v\n\n", text, err)
			continue
		}
		fmt.Printf("%q: %s\n\n", text, c)
	}
	// Output:
	// "send nps cus_42": /survey send nps cus_42
	//
	// "/survey@acme_bot stats nps 7d by agent": /survey stats nps 7d by agent
	//
	// "send enps <@U0123ABC|dana>": /survey send enps <@U0123ABC>
	//
	// "sned nps cus_42": unknown subcommand "sned". Did you mean /survey send nps cus_42?
	// Usage:
	// /survey send <survey> <customer>
	// /survey stats [survey] [7d|28d|90d] [by <attribute>]
	// /survey quotes [survey] [detractors|promoters]
	// /survey link <customer>
	// /survey digest [digest]
	// /survey dashboard
	// /survey help [subcommand]
	//
	// "stats 30d": "30d" is not a window; use 7d, 28d or 90d. Did you mean 28d?
	// Usage: /survey stats [survey] [7d|28d|90d] [by <attribute>]
}

// Slack and Telegram ambassadors are people; on Discord a role qualifies.
func ExampleAmbassadors_Allows() {
	a := surveys.Ambassadors{SlackUsers: []string{"U0123"}, TelegramUsers: []string{"111111"}, DiscordRoles: []string{"700000000000000001"}}
	fmt.Println(a.Allows(surveys.Address{Platform: surveys.Slack, UserID: "U0123"}, nil))
	fmt.Println(a.Allows(surveys.Address{Platform: surveys.Telegram, ChatID: "-100777", UserID: "222222"}, nil))
	fmt.Println(a.Allows(surveys.Address{Platform: surveys.Discord, UserID: "800000000000000001"}, []string{"700000000000000001"}))
	// Output:
	// true
	// false
	// true
}
