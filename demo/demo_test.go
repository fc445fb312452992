package demo

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

func TestPublicURL(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		":8080":          "http://localhost:8080",
		"0.0.0.0:9000":   "http://localhost:9000",
		"127.0.0.1:8081": "http://127.0.0.1:8081",
		"[::1]:8080":     "http://[::1]:8080",
	} {
		if got, err := PublicURL(addr); err != nil || got != want {
			t.Errorf("PublicURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	for _, addr := range []string{"8080", "localhost", ":0", ""} {
		if got, err := PublicURL(addr); err == nil {
			t.Errorf("PublicURL(%q) = %q, want an error asking for host:port", addr, got)
		}
	}
}

// The history on any date: the answered share of each day's invitations,
// fewer invitations on Fridays and Saturdays, and NPS up by 30+ points from
// the previous 28 days to the last 28 while CSAT stays put.
func TestSynthesize(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{time.Date(2026, 12, 7, 2, 0, 0, 0, loc), time.Date(2027, 3, 26, 23, 30, 0, 0, loc)} {
		answered, unanswered := synthesize(now, loc)
		if n := len(answered) + len(unanswered); n < 500 || len(answered)*100 < 25*n || len(answered)*100 > 35*n {
			t.Errorf("%s: %d of %d invitations answered, want about 30%%", now, len(answered), n)
		}
		perDay := map[time.Time]int{}
		for _, r := range append(answered, unanswered...) {
			at := r.AnsweredAt.In(loc)
			perDay[time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)]++
			if r.AnsweredAt.After(now) || !r.AnsweredAt.Before(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)) {
				t.Fatalf("%s: a history row at %s is not before today", now, r.AnsweredAt)
			}
		}
		yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc)
		for day, n := range perDay {
			want := weekdayInvitations + (weekdayInvitations+2)/3
			if wd := day.Weekday(); wd == time.Friday || wd == time.Saturday {
				want = weekendInvitations + (weekendInvitations+2)/3
			}
			if !day.Equal(yesterday) && n != want {
				t.Errorf("%s: %d invitations on %s, want %d", now, n, day.Format("Mon 2006-01-02"), want)
			}
		}
		var before, after []int
		var csatBefore, csatAfter int
		cut := time.Date(now.Year(), now.Month(), now.Day()-changeDay, 0, 0, 0, 0, loc)
		for _, r := range answered {
			switch {
			case r.Metric == surveys.CSAT && r.AnsweredAt.Before(cut):
				csatBefore += map[bool]int{true: 1}[r.Score >= 4]
			case r.Metric == surveys.CSAT:
				csatAfter += map[bool]int{true: 1}[r.Score >= 4]
			case r.AnsweredAt.Before(cut):
				before = append(before, r.Score)
			default:
				after = append(after, r.Score)
			}
		}
		bc, _ := scoring.NPSFromScores(before)
		ac, _ := scoring.NPSFromScores(after)
		b, _ := bc.Score()
		a, _ := ac.Score()
		if a-b < 30 {
			t.Errorf("%s: NPS %.0f before the switch, %.0f after; want a real rise", now, b, a)
		}
		if d := csatAfter - csatBefore; d < -3 || d > 3 {
			t.Errorf("%s: CSAT top-2-box answers %d before, %d after; want it unchanged", now, csatBefore, csatAfter)
		}
	}
}

// The history's alerts on any date: one per detractor's answer, every step
// before today, most replied to within the 4 h target and some late, a few
// never handled, and in the last 28 days enough recovery answers for a
// rate, about half of them recovered; the same every run.
func TestPastAlerts(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{time.Date(2026, 12, 7, 2, 0, 0, 0, loc), time.Date(2027, 3, 26, 23, 30, 0, 0, loc)} {
		answered, _ := synthesize(now, loc)
		detractors := 0
		for i := range answered {
			answered[i].ID = int64(i + 1)
			if b, _ := answered[i].Metric.Scale().Bucket(answered[i].Score); b == scoring.Detractor {
				detractors++
			}
		}
		alerts := pastAlerts(answered, now, loc)
		if again := pastAlerts(answered, now, loc); !reflect.DeepEqual(alerts, again) {
			t.Errorf("%s: two runs made different alerts", now)
		}
		if len(alerts) != detractors {
			t.Errorf("%s: %d alerts for %d detractors", now, len(alerts), detractors)
		}
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		start := today.AddDate(0, 0, -28)
		var opened, onTime, late, open, recovered, answers int
		for _, a := range alerts {
			times := []time.Time{a.CreatedAt, a.ClaimedAt, a.FirstReplyAt, a.ResolvedAt}
			if r := a.Recovery; r != nil {
				times = append(times, r.SentAt, r.AnsweredAt)
				if r.SentAt.Sub(a.ResolvedAt) != recoveryDelay {
					t.Errorf("%s: recovery sent %s after the resolution", now, r.SentAt.Sub(a.ResolvedAt))
				}
			}
			for _, e := range a.Timeline {
				times = append(times, e.At)
			}
			for _, at := range times {
				if !at.IsZero() && !at.Before(today) {
					t.Fatalf("%s: alert %+v has a step at %s, not before today", now, a, at)
				}
			}
			if !slices.IsSortedFunc(a.Timeline, func(x, y surveys.AlertEvent) int { return x.At.Compare(y.At) }) {
				t.Errorf("%s: timeline out of order: %+v", now, a.Timeline)
			}
			if a.CreatedAt.Before(start) {
				continue
			}
			opened++
			switch {
			case a.FirstReplyAt.IsZero():
				open++
			case a.FirstReplyAt.Sub(a.CreatedAt) <= firstReplyWithin:
				onTime++
			default:
				late++
			}
			if r := a.Recovery; r != nil && r.Answered {
				answers++
				if r.Recovered() {
					recovered++
				}
			}
		}
		if onTime*10 < opened*6 || late == 0 || open == 0 || open*10 > opened {
			t.Errorf("%s: of %d alerts, %d replied within target, %d late, %d never; want most on time, some late, a few never", now, opened, onTime, late, open)
		}
		if answers < 5 || recovered*10 < answers*3 || recovered*10 > answers*7 {
			t.Errorf("%s: %d of %d recovery answers recovered; want at least 5 answers, 30–70%% recovered", now, recovered, answers)
		}
	}
}
