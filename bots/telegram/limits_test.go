package telegram

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vocbot/vocbot/bots/telegram/telegramtest"
)

// The bot's paced bucket books times Limits().Global.Interval apart; a
// send leaves at its time or up to sendSpread after it (a later one gives
// its time up). Any such sends fit the fake's limit of 30 in any second:
// the proof is that no span of 1 s + sendSpread holds more than 30 times;
// the replays put worst and random lateness through the fake's limiter.
// The replay with the old interval of exactly 1/30 s shows the check bites.
func TestGlobalScheduleFitsTheWindow(t *testing.T) {
	g := (*Bot)(nil).Limits().Global
	if g.Burst != 1 || g.Late <= 0 || g.Late > sendSpread {
		t.Fatalf("global rate %+v: want a paced bucket of one with Late within the spread %s", g, sendSpread)
	}
	if g.Interval%time.Microsecond != 0 {
		t.Errorf("interval %s: storage keeps the schedule in whole microseconds and would shorten it", g.Interval)
	}
	lim := telegramtest.TelegramLimits
	if got := float64(time.Second) / float64(g.Interval); got < 0.95*float64(lim.PerSecond) {
		t.Errorf("schedule of %.2f/s, below 0.95 of Telegram's %d/s", got, lim.PerSecond)
	}
	const n = 900 // 30 seconds of sends
	t0 := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	times := func(interval time.Duration) []time.Time {
		ts := make([]time.Time, n)
		for k := range ts {
			ts[k] = t0.Add(time.Duration(k) * interval)
		}
		return ts
	}
	slots := times(g.Interval)

	// The bound: 30 times within any half-open span of 1 s + spread.
	for i := range slots {
		j, _ := slices.BinarySearchFunc(slots, slots[i].Add(time.Second+sendSpread), func(a, b time.Time) int { return a.Compare(b) })
		if j-i > lim.PerSecond {
			t.Fatalf("%d booked times within 1 s + %s from time %d, want at most %d", j-i, sendSpread, i, lim.PerSecond)
		}
	}

	replay := func(slots []time.Time, late func(k int) time.Duration) int {
		sends := make([]telegramtest.Send, len(slots))
		for k, s := range slots {
			sends[k] = telegramtest.Send{ChatID: strconv.Itoa(1000 + k), At: s.Add(late(k))}
		}
		slices.SortStableFunc(sends, func(a, b telegramtest.Send) int { return a.At.Compare(b.At) })
		return lim.Replay(sends)
	}
	rng := rand.New(rand.NewPCG(16, 30))
	random := make([]time.Duration, n)
	for k := range random {
		random[k] = time.Duration(rng.Int64N(int64(sendSpread) + 1))
	}
	for _, c := range []struct {
		name string
		late func(k int) time.Duration
	}{
		{"on time", func(int) time.Duration { return 0 }},
		{"all late by the spread", func(int) time.Duration { return sendSpread }},
		{"one in 30 late by the spread", func(k int) time.Duration { return time.Duration(k%30/29) * sendSpread }},
		{"every other late by the spread", func(k int) time.Duration { return time.Duration(k%2) * sendSpread }},
		{"a late run, then on time", func(k int) time.Duration { return time.Duration(k/30%2) * sendSpread }},
		{"random within the spread", func(k int) time.Duration { return random[k] }},
	} {
		if got := replay(slots, c.late); got != 0 {
			t.Errorf("%s: the fake answered %d × 429, want none", c.name, got)
		}
	}
	// Exactly 1/30 s apart, one send in 30 a millisecond late draws 429s.
	if got := replay(times(time.Second/30), func(k int) time.Duration { return time.Duration(k%30/29) * time.Millisecond }); got == 0 {
		t.Error("a schedule with no room for lateness passed the fake's limiter; the replay checks nothing")
	}
}
