package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// ambassadors translates the configured staff into the desk's rules.
func ambassadors(cfg *config.Config) surveys.Ambassadors {
	a := surveys.Ambassadors{
		SlackUsers:   cfg.Ambassadors.SlackUsers,
		DiscordRoles: cfg.Ambassadors.DiscordRoles,
		DailyQuota:   cfg.Ambassadors.DailyQuota,
	}
	for _, id := range cfg.Ambassadors.TelegramUsers {
		a.TelegramUsers = append(a.TelegramUsers, strconv.FormatInt(id, 10))
	}
	return a
}

// commandAudit writes ambassador commands into the audit log.
type commandAudit struct{ store *storage.Store }

func (a commandAudit) RecordCommand(ctx context.Context, r surveys.CommandRecord) error {
	verb, rest, _ := strings.Cut(r.Command, " ")
	return a.store.RecordAudit(ctx, surveys.AuditEntry{
		At:       r.At,
		Actor:    r.Actor,
		Platform: r.From.Platform,
		Action:   "survey " + verb,
		Target:   rest,
		Result:   string(r.Result),
		Detail:   r.Detail,
	})
}
