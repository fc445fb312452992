package main

import (
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/surveys"
)

// surveySettings translates the configuration into the Engine's rules.
// enabled lists the platforms that have a working Sender in this process.
func surveySettings(cfg *config.Config, enabled []surveys.Platform) *surveys.Settings {
	s := &surveys.Settings{
		Product:       cfg.Product,
		DefaultLocale: cfg.DefaultLocale,
		Timezone:      cfg.Timezone,
		MinGap:        cfg.Fatigue.MinGap,
		Enabled:       enabled,
	}
	for _, sv := range cfg.Surveys {
		s.Surveys = append(s.Surveys, surveys.Survey{
			ID:            sv.ID,
			Metric:        surveys.Metric(sv.Metric),
			Question:      sv.Question,
			FollowUp:      sv.FollowUp,
			ExpiresAfter:  sv.ExpiresAfter,
			ReminderAfter: sv.ReminderAfter,
			WebLink:       sv.WebLink,
		})
	}
	for _, a := range cfg.Alerts {
		s.Alerts = append(s.Alerts, surveys.AlertPolicy{
			To:               surveys.Address{Platform: surveys.Platform(a.To.Platform), ChatID: a.To.ID},
			FirstReplyWithin: a.FirstReplyWithin,
			RelayWindow:      a.RelayWindow,
			Reasons:          a.Reasons,
		})
	}
	for _, tp := range cfg.Touchpoints {
		s.Rules = append(s.Rules, surveys.Rule{
			Type:     tp.Type,
			SurveyID: tp.Survey,
			Delay:    tp.Delay,
			Sample:   tp.Sample,
			Quiet:    surveys.QuietHours{Start: int(tp.QuietHours.Start), End: int(tp.QuietHours.End)},
		})
	}
	return s
}
