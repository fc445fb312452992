package main

import (
	"strconv"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/surveys"
)

// ambassadors translates the configured staff into the desk's rules.
func ambassadors(cfg *config.Config) surveys.Ambassadors {
	a := surveys.Ambassadors{
		SlackUsers:   cfg.Ambassadors.SlackUsers,
		DiscordRoles: cfg.Ambassadors.DiscordRoles,
		DiscordUsers: cfg.Ambassadors.DiscordUsers,
		DailyQuota:   cfg.Ambassadors.DailyQuota,
	}
	for _, id := range cfg.Ambassadors.TelegramUsers {
		a.TelegramUsers = append(a.TelegramUsers, strconv.FormatInt(id, 10))
	}
	return a
}
