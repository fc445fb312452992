package scoring

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestTrailingDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		zone       string
		now        string // RFC 3339
		days       int
		start, end string // RFC 3339, UTC
		hours      float64
	}{
		// Israel moved to summer time on Fri 29 Mar 2024 at 02:00 (+02 → +03).
		// A digest on 10 Apr covers 13 Mar 00:00 +02 (12 Mar 22:00Z) to
		// 10 Apr 00:00 +03 (9 Apr 21:00Z): 28 days of which one had 23 hours,
		// 671 hours; 28×24h back from the end would start at 23:00 on 12 Mar.
		{"Jerusalem spring", "Asia/Jerusalem", "2024-04-10T09:00:00+03:00", 28,
			"2024-03-12T22:00:00Z", "2024-04-09T21:00:00Z", 671},
		// Back to winter time on Sun 27 Oct 2024 at 02:00: 28 days, 673 hours.
		{"Jerusalem autumn", "Asia/Jerusalem", "2024-11-10T09:00:00+02:00", 28,
			"2024-10-12T21:00:00Z", "2024-11-09T22:00:00Z", 673},
		// Chile jumped from 00:00 to 01:00 on 11 Sep 2022: that day has no
		// midnight (time.Date gives 23:00 on the 10th) and starts at 01:00 −03
		// (04:00Z); it lasted 23 hours.
		{"Santiago midnight gap", "America/Santiago", "2022-09-12T10:00:00-03:00", 1,
			"2022-09-11T04:00:00Z", "2022-09-12T03:00:00Z", 23},
		// Cuba likewise on 13 Mar 2022: the day starts at 01:00 CDT (05:00Z).
		{"Havana midnight gap", "America/Havana", "2022-03-14T08:00:00-04:00", 1,
			"2022-03-13T05:00:00Z", "2022-03-14T04:00:00Z", 23},
		// Cuba fell back from 01:00 CDT to 00:00 CST on 6 Nov 2022: midnight
		// happened twice; the day starts at the first (04:00Z) and has 25 hours.
		{"Havana double midnight", "America/Havana", "2022-11-07T08:00:00-05:00", 1,
			"2022-11-06T04:00:00Z", "2022-11-07T05:00:00Z", 25},
		// Jordan fell back from 01:00 +03 to 00:00 +02 on 29 Oct 2021, and
		// there time.Date picks the second midnight (22:00Z); the day began
		// at the first, 21:00Z, and had 25 hours.
		{"Amman double midnight", "Asia/Amman", "2021-10-30T09:00:00+02:00", 1,
			"2021-10-28T21:00:00Z", "2021-10-29T22:00:00Z", 25},
		// Iran (until 2022) jumped from 00:00 to 01:00 at Nowruz: 22 Mar 2021
		// starts at 01:00 +0430, 21 Mar 20:30Z.
		{"Tehran Nowruz", "Asia/Tehran", "2021-03-23T12:00:00+04:30", 1,
			"2021-03-21T20:30:00Z", "2021-03-22T19:30:00Z", 23},
		// At midnight itself, today has begun: the window ends at that instant.
		{"at midnight", "UTC", "2026-01-29T00:00:00Z", 28,
			"2026-01-01T00:00:00Z", "2026-01-29T00:00:00Z", 672},
		// A second before midnight still belongs to the old day.
		{"before midnight", "UTC", "2026-01-28T23:59:59Z", 28,
			"2025-12-31T00:00:00Z", "2026-01-28T00:00:00Z", 672},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoad(t, tt.zone)
			w := Trailing(utc(tt.now), loc, tt.days)
			if !w.Start.Equal(utc(tt.start)) || !w.End.Equal(utc(tt.end)) {
				t.Errorf("Trailing(%s, %d) = [%v, %v), want [%s, %s)", tt.now, tt.days, w.Start, w.End, tt.start, tt.end)
			}
			if got := w.End.Sub(w.Start).Hours(); got != tt.hours {
				t.Errorf("window lasts %v hours, want %v", got, tt.hours)
			}
			if got := w.Days(); got != tt.days {
				t.Errorf("Days() = %d, want %d", got, tt.days)
			}
			if w.Start.Location() != loc {
				t.Errorf("Start is in %v, want %v", w.Start.Location(), loc)
			}
		})
	}
}

func TestHeadlineWindows(t *testing.T) {
	t.Parallel()
	loc := mustLoad(t, "Asia/Jerusalem")
	cur, prev := HeadlineWindows(utc("2024-04-10T06:00:00Z"), loc)
	// Current: 13 Mar – 9 Apr; previous: 14 Feb – 12 Mar, both whole local
	// days, touching but not overlapping.
	if got, want := cur.Start, time.Date(2024, 3, 13, 0, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("current starts %v, want %v", got, want)
	}
	if got, want := prev.Start, time.Date(2024, 2, 14, 0, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("previous starts %v, want %v", got, want)
	}
	if !prev.End.Equal(cur.Start) || prev.Contains(cur.Start) || !cur.Contains(cur.Start) {
		t.Errorf("previous [%v, %v) and current [%v, %v) must meet without overlap", prev.Start, prev.End, cur.Start, cur.End)
	}
	if got, want := cur.LastDay(), time.Date(2024, 4, 9, 0, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("LastDay() = %v, want %v", got, want)
	}
	if prev.Days() != HeadlineDays {
		t.Errorf("previous has %d days, want %d", prev.Days(), HeadlineDays)
	}
	seg := SegmentWindow(utc("2024-04-10T06:00:00Z"), loc)
	if seg.Days() != SegmentDays || !seg.End.Equal(cur.End) {
		t.Errorf("SegmentWindow = %+v, want 90 days ending with the headline", seg)
	}
	y := YesterdayWindow(utc("2024-04-10T06:00:00Z"), loc)
	if y.Days() != 1 || !y.Start.Equal(time.Date(2024, 4, 9, 0, 0, 0, 0, loc)) {
		t.Errorf("YesterdayWindow = %+v, want 9 Apr", y)
	}
}

// TestWindowProperties: in every zone, at any instant, a window starts at a
// local day's first instant, has the requested number of calendar days, ends
// where today begins, and its Previous chain tiles time without gaps.
func TestWindowProperties(t *testing.T) {
	t.Parallel()
	zones := []string{"UTC", "Asia/Jerusalem", "Asia/Tehran", "America/Santiago", "America/Havana", "Asia/Amman",
		"Asia/Beirut", "Europe/Moscow", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kolkata"}
	r := rand.New(rand.NewPCG(19, 20))
	for _, zone := range zones {
		loc := mustLoad(t, zone)
		for range 300 {
			now := time.Unix(1.2e9+r.Int64N(6e8), 0)
			days := []int{1, 7, 28, 90}[r.IntN(4)]
			w := Trailing(now, loc, days)
			if w.Days() != days {
				t.Fatalf("%s %v: Days() = %d, want %d", zone, now, w.Days(), days)
			}
			if now.Before(w.End) || now.Sub(w.End) >= 26*time.Hour {
				t.Fatalf("%s %v: window ends %v, want the start of today", zone, now, w.End)
			}
			for _, edge := range []time.Time{w.Start, w.End} {
				before := edge.Add(-time.Nanosecond)
				if dayNumber(before) == dayNumber(edge) {
					t.Fatalf("%s: %v is not the first instant of its day", zone, edge)
				}
			}
			p := w.Previous()
			if !p.End.Equal(w.Start) || p.Days() != days {
				t.Fatalf("%s: Previous of %+v = %+v", zone, w, p)
			}
		}
	}
}

func TestTrailingPanicsWithoutDays(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Trailing(…, 0) did not panic")
		}
	}()
	Trailing(time.Now(), time.UTC, 0)
}

// TrailingDays splits Trailing's window into its local days: contiguous,
// oldest first, midnight to midnight, a daylight-saving day 23 or 25 hours.
func TestTrailingDays(t *testing.T) {
	t.Parallel()
	jer, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	// Israel moves its clocks forward on Friday 27 March 2026.
	now := time.Date(2026, 3, 29, 10, 0, 0, 0, jer)
	days := TrailingDays(now, jer, 4)
	all := Trailing(now, jer, 4)
	if len(days) != 4 || !days[0].Start.Equal(all.Start) || !days[3].End.Equal(all.End) {
		t.Fatalf("days %v do not cover %v", days, all)
	}
	wantHours := []float64{24, 24, 23, 24} // 25, 26, 27 (the change), 28 March
	for i, d := range days {
		if i > 0 && !d.Start.Equal(days[i-1].End) {
			t.Errorf("day %d starts at %s, the day before ends at %s", i, d.Start, days[i-1].End)
		}
		if h, m, s := d.Start.In(jer).Clock(); h != 0 || m != 0 || s != 0 {
			t.Errorf("day %d starts at %s, not at midnight", i, d.Start.In(jer))
		}
		if got := d.End.Sub(d.Start).Hours(); got != wantHours[i] {
			t.Errorf("day %d (%s) lasts %v hours, want %v", i, d.Start.In(jer).Format("2 Jan"), got, wantHours[i])
		}
	}
}
