package main

import (
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
