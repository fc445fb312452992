package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// The alerts of the synthetic history: every detractor's answer raised one
// in #cx-alerts, and the team handled them as teams do. Like the answers,
// outcomes are drawn from decks, so every four weeks have the same mix
// whatever the date.
const (
	// firstReplyWithin and relayWindow are the demo's alert rule's.
	firstReplyWithin = 4 * time.Hour
	relayWindow      = 48 * time.Hour
	// recoveryDelay is how long after a resolution the team's recovery
	// survey went out, in the weeks before the tour.
	recoveryDelay = 48 * time.Hour
)

// How an alert went: 31 in 40 claimed and replied to within the target,
// 7 replied to late (after the reminder), one claimed and replied to but
// never resolved (its relay window ran out) and one nobody took up.
type outcome int

const (
	onTime outcome = iota
	late
	unresolved
	untouched
)

var (
	outcomeMix = slices.Concat(slices.Repeat([]outcome{onTime}, 31), slices.Repeat([]outcome{late}, 7), []outcome{unresolved, untouched})
	reasonMix  = []string{"refund", "refund", "courier", "courier", "courier", "fixed", "fixed"}
	// Half the customers answer the recovery survey; half of those answer
	// 4 or 5 (recovered). Small decks keep any few weeks near that mix.
	recoveryAnswerMix = []bool{true, false}
	recoveryScoreMix  = []int{5, 2, 4, 3}
)

var agentReplies = map[string]string{
	"refund":  "Sorry about this: we are refunding the order today.",
	"courier": "Sorry: we have raised it with the courier company and are sending it again.",
	"fixed":   "Thanks for telling us: it is fixed now, and we are sorry for the trouble.",
}

var recoveryComments = map[string]map[bool][]string{ // locale → recovered? → comments
	"en": {true: {"Thanks for sorting it out quickly"}, false: {"Still waiting for the refund"}},
	"he": {true: {"תודה שטיפלתם בזה מהר"}, false: {"עדיין לא קיבלתי החזר"}},
	"ru": {true: {"Спасибо, всё решили быстро"}, false: {"Так и не получил ответа"}},
	"ar": {true: {"شكراً على الحل السريع"}, false: {"لم تحل المشكلة بعد"}},
	"fa": {true: {"ممنون که سریع حل کردید"}, false: {"هنوز مشکل حل نشده"}},
}

// pastAlerts makes the alerts of the history's detractors (answered holds
// their stored ids): their timings, replies, reasons and recovery surveys,
// each step only if it happened before today began.
func pastAlerts(answered []surveys.Response, now time.Time, loc *time.Location) []surveys.Alert {
	rng := rand.New(rand.NewPCG(17, 2026))
	today := now.In(loc)
	cutoff := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	maya := surveys.Address{Platform: surveys.Slack, UserID: ambassador}
	to := surveys.Address{Platform: surveys.Slack, ChatID: alertChannel}
	outcomes := newDeck(rng, outcomeMix)
	reasons := newDeck(rng, reasonMix)
	recoveryAnswers := newDeck(rng, recoveryAnswerMix)
	recoveryScores := newDeck(rng, recoveryScoreMix)
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute }
	var out []surveys.Alert
	for _, r := range answered {
		if b, err := r.Metric.Scale().Bucket(r.Score); err != nil || b != scoring.Detractor {
			continue
		}
		created := r.AnsweredAt.Add(time.Minute)
		if !r.CommentAt.IsZero() {
			created = r.CommentAt.Add(5 * time.Second)
		}
		a := surveys.Alert{ResponseID: r.ID, To: to, State: surveys.AlertOpen, CreatedAt: created, PostedAt: created}
		how := outcomes.draw()
		if how == untouched {
			if at := created.Add(firstReplyWithin); at.Before(cutoff) {
				a.Timeline = append(a.Timeline, reminder(at))
			}
			out = append(out, a)
			continue
		}
		claimed, replied := created.Add(minutes(5, 40)), created.Add(minutes(20, 200))
		if how == late {
			claimed, replied = created.Add(minutes(200, 600)), created.Add(minutes(300, 1200))
		}
		if replied.Before(claimed.Add(2 * time.Minute)) {
			replied = claimed.Add(2 * time.Minute)
		}
		reason := reasons.draw()
		if !claimed.Before(cutoff) {
			out = append(out, a)
			continue
		}
		a.State, a.Assignee, a.ClaimedAt = surveys.AlertClaimed, maya, claimed
		a.Timeline = append(a.Timeline, surveys.AlertEvent{At: claimed, Kind: surveys.EventClaimed, From: surveys.FromAgent, Who: maya})
		if at := created.Add(firstReplyWithin); replied.After(at) && at.Before(cutoff) {
			a.Timeline = append(a.Timeline, reminder(at))
		}
		if !replied.Before(cutoff) {
			out = append(out, a)
			continue
		}
		a.Replies, a.FirstReplyAt, a.LastAgentAt, a.RelayUntil = 1, replied, replied, replied.Add(relayWindow)
		a.Timeline = append(a.Timeline, surveys.AlertEvent{At: replied, Kind: surveys.EventAgentReply, From: surveys.FromAgent, Who: maya, Text: agentReplies[reason]})
		resolved := replied.Add(minutes(30, 24*60))
		if how == unresolved || !resolved.Before(cutoff) {
			out = append(out, a)
			continue
		}
		a.State, a.Resolution, a.ResolvedAt = surveys.AlertResolved, reason, resolved
		a.Timeline = append(a.Timeline, surveys.AlertEvent{At: resolved, Kind: surveys.EventResolved, From: surveys.FromAgent, Who: maya, Text: reason})
		sent := resolved.Add(recoveryDelay)
		if !sent.Before(cutoff) {
			out = append(out, a)
			continue
		}
		rec := &surveys.AlertRecovery{SurveyID: "csat-recovery", DueAt: sent, SentAt: sent}
		if answers := recoveryAnswers.draw(); answers {
			score := recoveryScores.draw()
			if at := sent.Add(minutes(5, 600)); at.Before(cutoff) {
				rec.Answered, rec.Metric, rec.Score, rec.AnsweredAt = true, surveys.CSAT, score, at
				if rng.IntN(2) == 0 {
					pool := recoveryComments[r.Locale][score >= 4]
					rec.Comment = pool[rng.IntN(len(pool))]
				}
			}
		}
		a.Recovery = rec
		out = append(out, a)
	}
	for _, a := range out {
		slices.SortStableFunc(a.Timeline, func(x, y surveys.AlertEvent) int { return x.At.Compare(y.At) })
	}
	return out
}

func reminder(at time.Time) surveys.AlertEvent {
	return surveys.AlertEvent{At: at, Kind: surveys.EventReminder, From: surveys.FromVocbot,
		Text: surveys.ReminderText("en", firstReplyWithin)}
}

// deck deals cards in shuffled passes, so every len(cards) draws hold the
// mix exactly.
type deck[T any] struct {
	rng   *rand.Rand
	cards []T
	next  int
}

func newDeck[T any](rng *rand.Rand, mix []T) *deck[T] {
	return &deck[T]{rng: rng, cards: slices.Clone(mix)}
}

func (d *deck[T]) draw() T {
	if d.next == 0 {
		d.rng.Shuffle(len(d.cards), func(i, j int) { d.cards[i], d.cards[j] = d.cards[j], d.cards[i] })
	}
	c := d.cards[d.next]
	d.next = (d.next + 1) % len(d.cards)
	return c
}
