package main

import (
	"context"

	"github.com/vocbot/vocbot/bots/slack"
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/surveys"
)

// alertTargets are the channels low-score alerts go to. Every configured
// alert fires on detractors (config.Detractor is the only event); the
// conversation enqueues the alert job for detractors only.
func alertTargets(cfg *config.Config) []surveys.Address {
	var out []surveys.Address
	for _, a := range cfg.Alerts {
		if a.On != config.Detractor {
			continue
		}
		out = append(out, surveys.Address{Platform: surveys.Platform(a.To.Platform), ChatID: a.To.ID})
	}
	return out
}

// alertCommands sends "/survey reply a12 …" and "/survey resolve a12 …" to
// the alert desk and every other /survey command to the ambassadors' desk.
type alertCommands struct {
	alerts *surveys.AlertDesk
	next   slack.CommandHandler
}

func (c alertCommands) Command(ctx context.Context, from surveys.Address, text string) (string, error) {
	if surveys.IsAlertCommand(text) {
		return c.alerts.Command(ctx, from, text)
	}
	return c.next.Command(ctx, from, text)
}
