package surveys

import (
	"context"
	"time"

	"github.com/vocbot/vocbot/scoring"
)

// The digest's close-the-loop section: over the headline window (the last
// 28 days), the alerts raised on the digest's surveys, how many were
// claimed, replied to within their channel's first-reply target, and
// resolved; the median time to the first reply; and the recovery rate,
// the share of surveyed detractors whose recovery answer is positive,
// with its Wilson interval (scoring.Recovery: a rate only from 5 answers).

// DigestAlert is one alert the section counts: its channel, timings and
// recovery answer (nil until there is one).
type DigestAlert struct {
	To                                             Address
	CreatedAt, ClaimedAt, FirstReplyAt, ResolvedAt time.Time
	Recovery                                       *AlertRecovery
}

// DigestAlertReader is the optional capability of a DigestStore to list
// the alerts raised on q.Surveys within q.Current.
type DigestAlertReader interface {
	DigestAlerts(ctx context.Context, q DigestQuery) ([]DigestAlert, error)
}

// DigestLoop is the computed close-the-loop section.
type DigestLoop struct {
	Opened, Claimed, Replied, Resolved int
	// Targets is true when some alert channel has a first-reply target:
	// Replied then counts first replies within their channel's target
	// (any reply on a channel without one).
	Targets bool
	// MedianFirstReply is the median time from an alert to its first reply
	// to the customer, over the alerts replied to; HasMedian is false when
	// none was.
	MedianFirstReply time.Duration
	HasMedian        bool
	// Recovering is true when some alert channel sends a recovery survey.
	Recovering bool
	Recovery   scoring.RecoveryRate
}

// buildLoop computes the section; nil when the workspace has no alerts or
// the store cannot list them.
func buildLoop(s *Settings, alerts []DigestAlert, read bool) *DigestLoop {
	if len(s.Alerts) == 0 || !read {
		return nil
	}
	l := &DigestLoop{}
	for _, p := range s.Alerts {
		l.Targets = l.Targets || p.FirstReplyWithin > 0
		l.Recovering = l.Recovering || p.Recovery != nil
	}
	var replies []time.Duration
	recovered, answered := 0, 0
	for _, a := range alerts {
		l.Opened++
		if !a.ClaimedAt.IsZero() {
			l.Claimed++
		}
		if !a.ResolvedAt.IsZero() {
			l.Resolved++
		}
		if !a.FirstReplyAt.IsZero() {
			wait := a.FirstReplyAt.Sub(a.CreatedAt)
			replies = append(replies, wait)
			if within := s.AlertPolicy(a.To).FirstReplyWithin; within <= 0 || wait <= within {
				l.Replied++
			}
		}
		if r := a.Recovery; r != nil && r.Answered {
			answered++
			if r.Recovered() {
				recovered++
			}
		}
	}
	l.MedianFirstReply, l.HasMedian = scoring.MedianDuration(replies)
	l.Recovery = scoring.Recovery(recovered, answered)
	return l
}

// loopSection words the section.
func (f *DigestFormat) loopSection(l DigestLoop) DigestSection {
	sec := DigestSection{Title: f.text("digest.loop.title", nil)}
	counts := map[string]any{"Opened": f.Int(l.Opened), "Claimed": f.Int(l.Claimed), "Replied": f.Int(l.Replied), "Resolved": f.Int(l.Resolved)}
	if l.Targets {
		sec.Lines = append(sec.Lines, f.text("digest.loop.counts", counts))
	} else {
		sec.Lines = append(sec.Lines, f.text("digest.loop.counts.notarget", counts))
	}
	switch {
	case !l.HasMedian:
		sec.Lines = append(sec.Lines, f.text("digest.loop.median.none", nil))
	case l.MedianFirstReply < time.Hour:
		minutes := int(l.MedianFirstReply.Round(time.Minute) / time.Minute)
		sec.Lines = append(sec.Lines, f.text("digest.loop.median.minutes", map[string]any{"N": f.Int(max(minutes, 1))}))
	default:
		sec.Lines = append(sec.Lines, f.text("digest.loop.median.hours", map[string]any{"N": f.Decimal(l.MedianFirstReply.Hours())}))
	}
	if !l.Recovering && l.Recovery.Answered == 0 {
		return sec
	}
	r := l.Recovery
	switch {
	case r.Answered == 0:
		sec.Lines = append(sec.Lines, f.text("digest.loop.recovery.none", nil))
	case !r.Shown():
		sec.Lines = append(sec.Lines, f.text("digest.loop.recovery.few", map[string]any{"Recovered": f.Int(r.Recovered), "N": f.Int(r.Answered)}))
	default:
		lo, hi := r.IntervalPercent()
		line := f.text("digest.loop.recovery", map[string]any{"Rate": f.Percent(r.Percent), "N": f.Int(r.Answered),
			"CI": f.ltr(f.plain(lo) + "–" + f.plain(hi))})
		if r.Level == scoring.LowN {
			line += " · " + f.text("digest.lown", nil)
		}
		sec.Lines = append(sec.Lines, line)
	}
	return sec
}
