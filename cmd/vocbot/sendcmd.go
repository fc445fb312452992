package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// sendSource marks touchpoints created by 'vocbot send'.
const sendSource = "cli"

func sendCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "send", "--survey ID --customer ID", "Invite one customer to a survey now, with the same rules as the API:\n"+
		"opt-out, fatigue and quiet hours still apply, and the reason is printed when it is skipped.\n"+
		"The customer must be reachable: linked earlier, or given with --telegram-chat-id, --slack-user-id or --discord-user-id.\n"+
		"'vocbot serve' delivers it.")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	survey := fs.String("survey", "", "survey id, e.g. nps (required)")
	customer := fs.String("customer", "", "the customer's id in your systems, e.g. cus_42 (required)")
	chat := fs.String("telegram-chat-id", "", "the customer's Telegram chat id")
	slackUser := fs.String("slack-user-id", "", "the customer's Slack user id")
	discordUser := fs.String("discord-user-id", "", "the customer's Discord user id")
	locale := fs.String("locale", "", "the customer's language (en, he, fa, ar, ru)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("send takes only flags, got %q", fs.Args())
	}
	if *survey == "" || *customer == "" {
		return usagef("send needs --survey and --customer, e.g. vocbot send --survey nps --customer cus_42")
	}
	tp := surveys.Touchpoint{
		Source:   sendSource,
		Type:     "manual",
		SurveyID: *survey,
		Customer: surveys.Customer{ExternalID: *customer, Locale: *locale},
	}
	if *chat != "" {
		tp.Customer.Identities = append(tp.Customer.Identities, surveys.Address{Platform: surveys.Telegram, ChatID: *chat, UserID: *chat})
	}
	if *slackUser != "" {
		tp.Customer.Identities = append(tp.Customer.Identities, surveys.Address{Platform: surveys.Slack, UserID: *slackUser})
	}
	if *discordUser != "" {
		tp.Customer.Identities = append(tp.Customer.Identities, surveys.Address{Platform: surveys.Discord, UserID: *discordUser})
	}
	st, err := openStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.engine.Ingest(ctx, surveys.Ingestion{Touchpoint: tp, RequestHash: fmt.Sprintf("cli-%d", time.Now().UnixNano())})
	if err != nil {
		return fmt.Errorf("send %s to %s: %w", *survey, *customer, err)
	}
	inv := res.Invitation
	if inv.Status == surveys.Skipped {
		fmt.Fprintf(env.stdout, "not sent: %s (%s)\n", inv.SkipReason, inv.Detail)
		return nil
	}
	fmt.Fprintf(env.stdout, "invitation %d: %s %s via %s, %s\n", inv.ID, inv.SurveyID, inv.CustomerID, inv.To.Platform, inv.Detail)
	if inv.WebURL != "" {
		fmt.Fprintf(env.stdout, "web link (send it to the customer): %s\n", inv.WebURL)
	}
	return nil
}
