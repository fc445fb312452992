package discord

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// surveyCommand is the ambassadors' application command.
const surveyCommand = "survey"

// customerCommands are the commands customers use in their DM with the
// bot, as the conversation understands them ("/stop"); Russian is the only
// one of vocbot's languages Discord localizes command descriptions in.
var customerCommands = []struct{ name, en, ru string }{
	{"stop", "Stop receiving surveys", "Больше не присылать опросы"},
	{"resume", "Receive surveys again", "Снова присылать опросы"},
	{"language", "Change the language", "Сменить язык"},
	{"delete_my_data", "Delete my data", "Удалить мои данные"},
	{"help", "How this bot works", "Как работает бот"},
}

// languages are offered by /language, each named in itself.
var languages = []struct{ code, name string }{
	{"en", "English"}, {"he", "עברית"}, {"fa", "فارسی"}, {"ar", "العربية"}, {"ru", "Русский"},
}

// An option of a /survey subcommand: how it is declared, and how its
// value is written into the command text the desk parses.
type option struct {
	name, description string
	required          bool
	choices           func(b *Bot) []*discordgo.ApplicationCommandOptionChoice
	keyword           string // written before the value ("by")
}

// subcommands of /survey, in the order of the command grammar. Options
// are written in this order, so "stats" with survey, window and by
// becomes "stats nps 28d by agent".
var subcommands = []struct {
	name, description string
	options           []option
}{
	{"send", "Invite a customer now (opt-out, fatigue and quiet hours still apply)", []option{
		{name: "survey", description: "Which survey", required: true, choices: surveyChoices},
		{name: "customer", description: "Customer id (cus_42) or a @mention", required: true},
	}},
	{"stats", "Scores with 95% intervals and n, and the change against the window before", []option{
		{name: "survey", description: "Which survey (all when empty)", choices: surveyChoices},
		{name: "window", description: "How many days back", choices: fixedChoices("7d", "28d", "90d")},
		{name: "by", description: "Break down by an attribute (touchpoint, agent, …)", keyword: "by"},
	}},
	{"quotes", "Recent customer quotes, personal data redacted", []option{
		{name: "survey", description: "Which survey (all when empty)", choices: surveyChoices},
		{name: "filter", description: "Only detractors or promoters", choices: fixedChoices("detractors", "promoters")},
	}},
	{"link", "A Telegram link that connects the customer's chat", []option{
		{name: "customer", description: "Customer id (cus_42)", required: true},
	}},
	{"digest", "Preview today's digest here", []option{
		{name: "digest", description: "Which digest (the first configured when empty)"},
	}},
	{"reply", "Reply to the customer of an alert", []option{
		{name: "alert", description: "The alert, e.g. a12", required: true},
		{name: "text", description: "What the customer receives", required: true},
	}},
	{"resolve", "Resolve an alert", []option{
		{name: "alert", description: "The alert, e.g. a12", required: true},
		{name: "reason", description: "Why it is resolved"},
	}},
	{"help", "How /survey works", []option{
		{name: "topic", description: "A subcommand", choices: fixedChoices("send", "stats", "quotes", "link", "digest")},
	}},
}

func fixedChoices(values ...string) func(*Bot) []*discordgo.ApplicationCommandOptionChoice {
	return func(*Bot) []*discordgo.ApplicationCommandOptionChoice {
		out := make([]*discordgo.ApplicationCommandOptionChoice, len(values))
		for i, v := range values {
			out[i] = &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v}
		}
		return out
	}
}

// maxChoices is Discord's limit on an option's choices; with more surveys
// the option takes any text.
const maxChoices = 25

func surveyChoices(b *Bot) []*discordgo.ApplicationCommandOptionChoice {
	if len(b.surveys) == 0 || len(b.surveys) > maxChoices {
		return nil
	}
	out := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(b.surveys))
	for _, s := range b.surveys {
		name := s.Name
		if name == "" {
			name = s.ID
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: shorten(name, 100), Value: s.ID})
	}
	return out
}

// commands are the application commands vocbot registers: the customer
// commands, usable in DMs with the bot, and /survey for ambassadors in
// servers (and in DMs, for ambassadors listed by user id).
func (b *Bot) commands() (customers []*discordgo.ApplicationCommand, survey *discordgo.ApplicationCommand) {
	// No integration_types: Discord then uses the installation contexts
	// the application has (guild, and user if enabled).
	dm := &[]discordgo.InteractionContextType{discordgo.InteractionContextBotDM}
	for _, c := range customerCommands {
		cmd := &discordgo.ApplicationCommand{
			Name: c.name, Description: c.en, Type: discordgo.ChatApplicationCommand,
			DescriptionLocalizations: &map[discordgo.Locale]string{discordgo.Russian: c.ru},
			Contexts:                 dm, Options: []*discordgo.ApplicationCommandOption{},
		}
		if c.name == "language" {
			choices := make([]*discordgo.ApplicationCommandOptionChoice, len(languages))
			for i, l := range languages {
				choices[i] = &discordgo.ApplicationCommandOptionChoice{Name: l.name, Value: l.code}
			}
			cmd.Options = []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "language", Description: "The language for surveys",
				DescriptionLocalizations: map[discordgo.Locale]string{discordgo.Russian: "Язык опросов"}, Choices: choices,
			}}
		}
		customers = append(customers, cmd)
	}
	subs := make([]*discordgo.ApplicationCommandOption, 0, len(subcommands))
	for _, sc := range subcommands {
		opts := make([]*discordgo.ApplicationCommandOption, 0, len(sc.options))
		for _, o := range sc.options {
			opt := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: o.name,
				Description: o.description, Required: o.required}
			if o.choices != nil {
				opt.Choices = o.choices(b)
			}
			opts = append(opts, opt)
		}
		subs = append(subs, &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand,
			Name: sc.name, Description: sc.description, Options: opts})
	}
	survey = &discordgo.ApplicationCommand{
		Name: surveyCommand, Description: "vocbot for CX ambassadors: send surveys, scores, quotes, alerts",
		Type: discordgo.ChatApplicationCommand, Options: subs,
	}
	if b.guildID == "" { // contexts are for global commands only
		survey.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	}
	return customers, survey
}

// RegisterCommands registers the commands with a bulk overwrite, which is
// idempotent: run it at every start. Customer commands are global (only
// global commands work in DMs); /survey goes to the configured guild,
// where it appears at once, or else is global too (Discord may take up to
// an hour to show a new global command).
func (b *Bot) RegisterCommands(ctx context.Context) error {
	customers, survey := b.commands()
	global := customers
	if b.guildID == "" {
		global = append(global, survey)
	} else {
		err := b.call(ctx, http.MethodPut, discordgo.EndpointApplicationGuildCommands(b.appID, b.guildID),
			"/applications/{application}/guilds/{guild}/commands", []*discordgo.ApplicationCommand{survey}, nil)
		if err != nil {
			return fmt.Errorf("register /survey in guild %s (VOCBOT_DISCORD_GUILD_ID; is the bot in that server with the applications.commands scope?): %w", b.guildID, err)
		}
	}
	err := b.call(ctx, http.MethodPut, discordgo.EndpointApplicationGlobalCommands(b.appID),
		"/applications/{application}/commands", global, nil)
	if err != nil {
		return fmt.Errorf("register commands: %w", err)
	}
	return nil
}

// commandText writes a /survey invocation as the text the desk parses
// (what follows "/survey"): the subcommand, then its options in grammar
// order. Values are single-spaced; unknown options are ignored.
func commandText(data discordgo.ApplicationCommandInteractionData) string {
	if len(data.Options) == 0 || data.Options[0] == nil {
		return "help"
	}
	sub := data.Options[0]
	for _, sc := range subcommands {
		if sc.name != sub.Name {
			continue
		}
		parts := []string{sc.name}
		for _, o := range sc.options {
			v := optionValue(sub.Options, o.name)
			if v == "" {
				continue
			}
			if o.keyword != "" {
				parts = append(parts, o.keyword)
			}
			parts = append(parts, v)
		}
		return strings.Join(parts, " ")
	}
	return "help"
}

// customerCommandText is a customer command as the conversation reads it.
func customerCommandText(data discordgo.ApplicationCommandInteractionData) (string, bool) {
	for _, c := range customerCommands {
		if c.name != data.Name {
			continue
		}
		text := "/" + c.name
		if v := optionValue(data.Options, "language"); c.name == "language" && v != "" {
			text += " " + v
		}
		return text, true
	}
	return "", false
}

// optionValue is an option's value as single-spaced text; "" when absent.
// It never panics on a value of another type, as discordgo's getters do.
func optionValue(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o == nil || o.Name != name {
			continue
		}
		switch v := o.Value.(type) {
		case string:
			return strings.Join(strings.Fields(v), " ")
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			return strconv.FormatBool(v)
		}
	}
	return ""
}
