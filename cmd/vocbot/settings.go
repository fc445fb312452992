package main

import (
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/scoring"
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
			Title:         sv.Title,
			Thanks:        sv.Thanks,
			// follow_up_question's bands are scoring's buckets; "" is
			// the question for every band.
			FollowUpQuestion: followUpQuestions(sv.FollowUpQuestion),
			Reasons:          reasons(sv.Reasons),
		})
	}
	for _, a := range cfg.Alerts {
		p := surveys.AlertPolicy{
			To:               surveys.Address{Platform: surveys.Platform(a.To.Platform), ChatID: a.To.ID},
			FirstReplyWithin: a.FirstReplyWithin,
			RelayWindow:      a.RelayWindow,
			Reasons:          a.Reasons,
		}
		if a.Recovery != nil {
			p.Recovery = &surveys.RecoveryPolicy{SurveyID: a.Recovery.Survey, After: a.Recovery.After}
		}
		s.Alerts = append(s.Alerts, p)
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

// followUpQuestions keys a survey's follow-up questions by score bucket.
func followUpQuestions(byBand map[string]map[string]string) map[scoring.Bucket]map[string]string {
	if len(byBand) == 0 {
		return nil
	}
	buckets := map[string]scoring.Bucket{"": 0, "detractor": scoring.Detractor, "passive": scoring.Passive, "promoter": scoring.Promoter}
	out := make(map[scoring.Bucket]map[string]string, len(byBand))
	for band, q := range byBand {
		if b, ok := buckets[band]; ok {
			out[b] = q
		}
	}
	return out
}

func reasons(rs []config.Reason) []surveys.Reason {
	var out []surveys.Reason
	for _, r := range rs {
		out = append(out, surveys.Reason{ID: r.ID, Labels: r.Labels})
	}
	return out
}
