package scoring

import (
	"fmt"
	"time"
)

// Window lengths, in local days.
const (
	// HeadlineDays is the trailing window of a headline score. A multiple of
	// 7 keeps the weekday mix constant, whichever days the weekend falls on.
	HeadlineDays = 28
	// SegmentDays is the trailing window for segments and touchpoints, long
	// enough for small cells to collect answers.
	SegmentDays = 90
)

// Window is a half-open range of whole local days, [Start, End): Start is
// the first instant of its first day and End the first instant of the day
// after its last, both in the workspace's time zone.
//
// Windows end with yesterday: a window taken at any moment of a day covers
// the days before it, never the day in progress. A partial today would make
// the 09:00 digest and an afternoon /survey stats disagree, would tilt the
// weekday mix, and would make a digest impossible to reproduce for its date.
//
// Days are counted on the calendar, not in 24-hour steps, so a window
// spanning a DST change is 28 days of 23, 24 or 25 hours each, and a day
// whose midnight does not exist (clocks that jump at 00:00, as in Chile or
// Cuba) starts at its first existing instant.
type Window struct {
	Start, End time.Time
}

// Trailing returns the window of the given number of whole days (≥ 1) that
// ends where the local day of now begins: yesterday and the days before it,
// in loc (the workspace's zone; required).
func Trailing(now time.Time, loc *time.Location, days int) Window {
	if days < 1 {
		panic(fmt.Sprintf("scoring: a window needs at least one day, not %d", days))
	}
	y, m, d := now.In(loc).Date()
	return Window{
		Start: startOfDay(y, m, d-days, loc),
		End:   startOfDay(y, m, d, loc),
	}
}

// TrailingDays returns the n local days (≥ 1) of Trailing(now, loc, n),
// one window each, oldest first: each runs from one local midnight to the
// next, so a day across a daylight-saving change is 23 or 25 hours.
func TrailingDays(now time.Time, loc *time.Location, n int) []Window {
	all := Trailing(now, loc, n)
	y, m, d := all.Start.In(loc).Date()
	days := make([]Window, n)
	for i := range days {
		days[i] = Window{Start: startOfDay(y, m, d+i, loc), End: startOfDay(y, m, d+i+1, loc)}
	}
	return days
}

// HeadlineWindows returns the trailing 28 days and the 28 days before them:
// the headline score and what its change is measured against. The two never
// overlap, as a change test requires.
func HeadlineWindows(now time.Time, loc *time.Location) (current, previous Window) {
	current = Trailing(now, loc, HeadlineDays)
	return current, current.Previous()
}

// SegmentWindow returns the trailing 90 days used for segment and touchpoint
// rankings.
func SegmentWindow(now time.Time, loc *time.Location) Window {
	return Trailing(now, loc, SegmentDays)
}

// YesterdayWindow returns yesterday, for the digest's "yesterday" block.
func YesterdayWindow(now time.Time, loc *time.Location) Window {
	return Trailing(now, loc, 1)
}

// Days is the number of calendar days in the window.
func (w Window) Days() int {
	return dayNumber(w.End) - dayNumber(w.Start.In(w.End.Location()))
}

// Previous returns the window of as many days that ends where w starts.
func (w Window) Previous() Window {
	y, m, d := w.Start.Date()
	return Window{
		Start: startOfDay(y, m, d-w.Days(), w.Start.Location()),
		End:   w.Start,
	}
}

// Contains reports whether t falls in the window (Start inclusive, End
// exclusive), so consecutive windows never count an answer twice.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.Start) && t.Before(w.End)
}

// LastDay returns the start of the window's last day, for labels such as
// "1–28 Nov" (Start is the first).
func (w Window) LastDay() time.Time {
	y, m, d := w.End.Date()
	return startOfDay(y, m, d-1, w.End.Location())
}

// dayNumber counts days since 1970-01-01 for t's local calendar date. The
// arithmetic happens in UTC, where every day has 24 hours.
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// startOfDay returns the first instant of the local day (year, month, day) in
// loc; day may be out of range and is normalised like time.Date does
// (31 Mar − 30 days is 1 Mar).
//
// time.Date alone is not enough. Where clocks jump forward at midnight
// (America/Santiago, America/Havana, Asia/Beirut, Asia/Tehran until 2022)
// 00:00 does not exist and time.Date may return 23:00 of the day before;
// the day then starts when the gap ends. Where clocks fall back from 01:00
// to 00:00 (America/Havana, Asia/Amman until 2022), midnight happens twice,
// time.Date may pick the second, and the day starts at the first.
func startOfDay(year int, month time.Month, day int, loc *time.Location) time.Time {
	y, m, d := time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Date()
	want := dayNumber(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if dayNumber(t) < want {
		// Midnight fell into a gap and resolved to the evening before.
		_, end := t.ZoneBounds()
		return end
	}
	// If the instant just before t's zone period began already belongs to
	// this day, the day began under the earlier offset: take its midnight.
	for {
		start, _ := t.ZoneBounds()
		if start.IsZero() || !start.After(t.Add(-48*time.Hour)) {
			return t
		}
		before := start.Add(-time.Nanosecond)
		if dayNumber(before) < want {
			return t
		}
		_, offset := before.Zone()
		earlier := time.Date(y, m, d, 0, 0, 0, 0, time.FixedZone("", offset)).In(loc)
		if !earlier.Before(t) {
			return t
		}
		t = earlier
	}
}
