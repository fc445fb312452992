package surveys_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load time zone: %v", err)
	}
	return loc
}

func hm(h, m int) int { return h*60 + m }

// decideSettings is a workspace in Israel with Telegram and Slack set up
// (Discord has no credentials) and rules for every case Decide knows.
func decideSettings(t testing.TB) *surveys.Settings {
	return &surveys.Settings{
		Product:       "Acme",
		DefaultLocale: "he",
		Timezone:      mustZone(t, "Asia/Jerusalem"),
		Surveys: append(surveys.BuiltinSurveys(),
			surveys.Survey{ID: "nps-delivery", Metric: surveys.NPS, FollowUp: true, ExpiresAfter: 48 * time.Hour},
			surveys.Survey{ID: "no-expiry", Metric: surveys.CSAT},
		),
		Rules: []surveys.Rule{
			{Type: "order_delivered", SurveyID: "nps-delivery", Delay: 2 * time.Hour, Sample: 1, Quiet: surveys.QuietHours{Start: hm(21, 0), End: hm(9, 0)}},
			{Type: "ticket_closed", SurveyID: "csat", Sample: 1},
			{Type: "login", SurveyID: "ces", Sample: 0.25},
			{Type: "lunch", SurveyID: "csat", Quiet: surveys.QuietHours{Start: hm(12, 0), End: hm(14, 0)}},
			{Type: "night_gap", SurveyID: "csat", Quiet: surveys.QuietHours{Start: hm(0, 0), End: hm(2, 30)}},
			{Type: "night_overlap", SurveyID: "csat", Quiet: surveys.QuietHours{Start: hm(0, 0), End: hm(1, 30)}},
			{Type: "refund", SurveyID: "no-expiry"},
		},
		MinGap:  720 * time.Hour,
		Enabled: []surveys.Platform{surveys.Telegram, surveys.Slack},
	}
}

var (
	tg = surveys.Address{Platform: surveys.Telegram, ChatID: "123456789"}
	sl = surveys.Address{Platform: surveys.Slack, UserID: "U0123"}
	dc = surveys.Address{Platform: surveys.Discord, UserID: "812345678901234567"}
)

func TestDecide(t *testing.T) {
	t.Parallel()
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	// now is a Monday afternoon in Israel (14:00 IST).
	now := utc(time.November, 23, 12, 0)
	tp := func(typ string) surveys.Touchpoint {
		return surveys.Touchpoint{Source: "api", ExternalID: "evt_1", Type: typ, OccurredAt: now,
			Customer: surveys.Customer{ExternalID: "cus_42", Locale: "ru"}}
	}
	reachable := surveys.CustomerState{Identities: []surveys.Address{tg}}
	tests := []struct {
		name string
		tp   surveys.Touchpoint
		st   surveys.CustomerState
		now  time.Time // zero: now
		edit func(*surveys.Settings)
		want surveys.Decision
	}{
		{
			name: "no rule and no survey named",
			tp:   tp("newsletter_opened"),
			st:   reachable,
			want: surveys.Decision{Skip: surveys.SkipNoRule, Locale: "",
				Detail: `no touchpoint rule for type "newsletter_opened" and no survey named in the request`},
		},
		{
			name: "survey named without a rule: sent now, default expiry",
			tp:   func() surveys.Touchpoint { t := tp("newsletter_opened"); t.SurveyID = "csat"; return t }(),
			st:   reachable,
			want: surveys.Decision{SurveyID: "csat", To: tg, Locale: "ru", DueAt: now, ExpiresAt: now.Add(72 * time.Hour),
				Detail: "sending now via telegram"},
		},
		{
			name: "survey named overrides the rule's survey, the rule's timing still applies",
			tp:   func() surveys.Touchpoint { t := tp("order_delivered"); t.SurveyID = "csat"; return t }(),
			st:   reachable,
			want: surveys.Decision{SurveyID: "csat", To: tg, Locale: "ru", DueAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(74 * time.Hour),
				Detail: "scheduled for 2026-11-23 16:00 their time via telegram"},
		},
		{
			name: "opted out",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{OptedOut: true, Identities: []surveys.Address{tg}},
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipOptedOut, Locale: "ru",
				Detail: "the customer opted out of surveys (/stop)"},
		},
		{
			name: "opted out wins over unreachable",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{OptedOut: true},
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipOptedOut, Locale: "ru",
				Detail: "the customer opted out of surveys (/stop)"},
		},
		{
			name: "unreachable: no identity at all",
			tp:   tp("ticket_closed"),
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipUnreachable, Locale: "ru",
				Detail: "no chat identity: give telegram_chat_id, slack_user_id or discord_user_id, or link the customer first (POST /v1/customers/{id}/links)"},
		},
		{
			name: "unreachable: only on a platform without credentials",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{dc}},
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipUnreachable, Locale: "ru",
				Detail: "reachable only on [discord], which has no credentials configured"},
		},
		{
			name: "unreachable: the only chat blocked the bot",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Blocked: []surveys.Address{tg}},
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipUnreachable, Locale: "ru",
				Detail: "the customer blocked the bot on telegram and has no other chat"},
		},
		{
			name: "blocked on Telegram, reached on Slack",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{sl}, Blocked: []surveys.Address{tg}},
			want: surveys.Decision{SurveyID: "csat", To: sl, Locale: "ru", DueAt: now, ExpiresAt: now.Add(72 * time.Hour),
				Detail: "sending now via slack"},
		},
		{
			name: "blocked on Telegram, the other chat has no credentials",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{dc}, Blocked: []surveys.Address{tg}},
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipUnreachable, Locale: "ru",
				Detail: "reachable only on [discord], which has no credentials configured"},
		},
		{
			name: "Telegram preferred over Slack whatever the order",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{dc, sl, tg}},
			want: surveys.Decision{SurveyID: "csat", To: tg, Locale: "ru", DueAt: now, ExpiresAt: now.Add(72 * time.Hour),
				Detail: "sending now via telegram"},
		},
		{
			name: "Slack when Telegram has no credentials",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{tg, sl}},
			edit: func(s *surveys.Settings) { s.Enabled = []surveys.Platform{surveys.Slack} },
			want: surveys.Decision{SurveyID: "csat", To: sl, Locale: "ru", DueAt: now, ExpiresAt: now.Add(72 * time.Hour),
				Detail: "sending now via slack"},
		},
		{
			name: "fatigue: surveyed ten days ago",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{tg}, LastSurveyAt: now.Add(-240 * time.Hour)},
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipFatigue, Locale: "ru", To: tg,
				Detail: "surveyed 10 days ago (2026-11-13); minimum gap 30 days"},
		},
		{
			name: "fatigue: another survey already scheduled",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{tg}, LastSurveyAt: now.Add(3 * time.Hour)},
			want: surveys.Decision{SurveyID: "csat", Skip: surveys.SkipFatigue, Locale: "ru", To: tg,
				Detail: "another survey is already scheduled for 2026-11-23 17:00; minimum gap 30 days"},
		},
		{
			name: "fatigue: exactly the minimum gap is enough",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{tg}, LastSurveyAt: now.Add(-720 * time.Hour)},
			want: surveys.Decision{SurveyID: "csat", To: tg, Locale: "ru", DueAt: now, ExpiresAt: now.Add(72 * time.Hour),
				Detail: "sending now via telegram"},
		},
		{
			name: "fatigue counts from when it will be sent: the delay makes the gap",
			tp:   tp("order_delivered"),
			st:   surveys.CustomerState{Identities: []surveys.Address{tg}, LastSurveyAt: now.Add(-719 * time.Hour)},
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(50 * time.Hour),
				Detail: "scheduled for 2026-11-23 16:00 their time via telegram"},
		},
		{
			name: "no fatigue window configured",
			tp:   tp("ticket_closed"),
			st:   surveys.CustomerState{Identities: []surveys.Address{tg}, LastSurveyAt: now.Add(-time.Hour)},
			edit: func(s *surveys.Settings) { s.MinGap = 0 },
			want: surveys.Decision{SurveyID: "csat", To: tg, Locale: "ru", DueAt: now, ExpiresAt: now.Add(72 * time.Hour),
				Detail: "sending now via telegram"},
		},
		{
			name: "delay not yet over",
			tp: func() surveys.Touchpoint {
				t := tp("order_delivered")
				t.OccurredAt = now.Add(-30 * time.Minute)
				return t
			}(),
			st: reachable,
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: now.Add(90 * time.Minute), ExpiresAt: now.Add(90*time.Minute + 48*time.Hour),
				Detail: "scheduled for 2026-11-23 15:30 their time via telegram"},
		},
		{
			name: "delay long over (a late import): now",
			tp: func() surveys.Touchpoint {
				t := tp("order_delivered")
				t.OccurredAt = now.Add(-5 * time.Hour)
				return t
			}(),
			st: reachable,
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: now, ExpiresAt: now.Add(48 * time.Hour),
				Detail: "sending now via telegram"},
		},
		{
			name: "survey without expires_after gets the default",
			tp:   tp("refund"),
			st:   reachable,
			want: surveys.Decision{SurveyID: "no-expiry", To: tg, Locale: "ru", DueAt: now, ExpiresAt: now.Add(surveys.DefaultExpiry),
				Detail: "sending now via telegram"},
		},
		{
			name: "quiet hours wrapping midnight, evening part: next morning",
			tp: func() surveys.Touchpoint {
				t := tp("order_delivered")
				t.OccurredAt = utc(time.November, 23, 18, 30)
				return t
			}(),
			now: utc(time.November, 23, 18, 30), // due 22:30 IST
			st:  reachable,
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: utc(time.November, 24, 7, 0), ExpiresAt: utc(time.November, 26, 7, 0),
				Detail: "scheduled for 2026-11-24 09:00 their time via telegram, moved out of quiet hours 21:00-09:00 to Tue 09:00 IST their time"},
		},
		{
			name: "quiet hours wrapping midnight, morning part: same morning",
			tp: func() surveys.Touchpoint {
				t := tp("order_delivered")
				t.OccurredAt = utc(time.November, 23, 3, 0)
				return t
			}(),
			now: utc(time.November, 23, 3, 0), // due 07:00 IST
			st:  reachable,
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: utc(time.November, 23, 7, 0), ExpiresAt: utc(time.November, 25, 7, 0),
				Detail: "scheduled for 2026-11-23 09:00 their time via telegram, moved out of quiet hours 21:00-09:00 to Mon 09:00 IST their time"},
		},
		{
			name: "quiet hours: the end itself is not quiet",
			tp: func() surveys.Touchpoint {
				t := tp("order_delivered")
				t.OccurredAt = utc(time.November, 23, 5, 0)
				return t
			}(),
			now: utc(time.November, 23, 5, 0), // due 09:00 IST
			st:  reachable,
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: utc(time.November, 23, 7, 0), ExpiresAt: utc(time.November, 25, 7, 0),
				Detail: "scheduled for 2026-11-23 09:00 their time via telegram"},
		},
		{
			name: "quiet hours within a day",
			tp:   func() surveys.Touchpoint { t := tp("lunch"); t.OccurredAt = utc(time.November, 23, 10, 30); return t }(),
			now:  utc(time.November, 23, 10, 30), // 12:30 IST
			st:   reachable,
			want: surveys.Decision{SurveyID: "csat", To: tg, Locale: "ru", DueAt: utc(time.November, 23, 12, 0), ExpiresAt: utc(time.November, 26, 12, 0),
				Detail: "scheduled for 2026-11-23 14:00 their time via telegram, moved out of quiet hours 12:00-14:00 to Mon 14:00 IST their time"},
		},
		{
			name: "quiet hours in the customer's time zone, not the workspace's",
			tp: func() surveys.Touchpoint {
				t := tp("order_delivered")
				t.OccurredAt = utc(time.November, 23, 18, 30) // 20:30 IST, but 13:30 in New York
				t.Customer.TimeZone = "America/New_York"
				return t
			}(),
			now: utc(time.November, 23, 18, 30),
			st:  reachable,
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: utc(time.November, 23, 20, 30), ExpiresAt: utc(time.November, 25, 20, 30),
				Detail: "scheduled for 2026-11-23 15:30 their time via telegram"},
		},
		{
			name: "stored time zone when the touchpoint gives none",
			tp: func() surveys.Touchpoint {
				t := tp("order_delivered")
				t.OccurredAt = utc(time.November, 23, 18, 30)
				return t
			}(),
			now: utc(time.November, 23, 18, 30),
			st:  surveys.CustomerState{Identities: []surveys.Address{tg}, TimeZone: "America/New_York"},
			want: surveys.Decision{SurveyID: "nps-delivery", To: tg, Locale: "ru", DueAt: utc(time.November, 23, 20, 30), ExpiresAt: utc(time.November, 25, 20, 30),
				Detail: "scheduled for 2026-11-23 15:30 their time via telegram"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := decideSettings(t)
			if tt.edit != nil {
				tt.edit(s)
			}
			at := tt.now
			if at.IsZero() {
				at = now
			}
			got := s.Decide(tt.tp, tt.st, at)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decide mismatch (-want +got):\n%s", diff)
			}
			if got.Invited() != (tt.want.Skip == "") {
				t.Errorf("Invited() = %v with skip %q", got.Invited(), got.Skip)
			}
		})
	}
}

// TestDecideQuietHoursAcrossDST moves sends out of quiet hours on the nights
// the clocks change, in Israel and in New York: the window ends at its wall
// time, not a fixed number of hours later, and never early.
func TestDecideQuietHoursAcrossDST(t *testing.T) {
	t.Parallel()
	jer := mustZone(t, "Asia/Jerusalem")
	ny := mustZone(t, "America/New_York")
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		typ     string // order_delivered: 21:00-09:00 after 2h; night_*: 00:00-02:30 / 01:30 at once
		zone    string
		occured time.Time
		want    time.Time
		wantAt  string // want in the customer's wall time
	}{
		// Israel: clocks go 02:00 → 03:00 on Fri 2026-03-27, 02:00 → 01:00 on Sun 2026-10-25.
		{"Jerusalem spring, evening to morning", "order_delivered", "Asia/Jerusalem", utc(time.March, 26, 18, 0), utc(time.March, 27, 6, 0), "2026-03-27 09:00 IDT"},
		{"Jerusalem autumn, evening to morning", "order_delivered", "Asia/Jerusalem", utc(time.October, 24, 17, 0), utc(time.October, 25, 7, 0), "2026-10-25 09:00 IST"},
		{"Jerusalem spring, end inside the gap", "night_gap", "Asia/Jerusalem", utc(time.March, 26, 23, 45), utc(time.March, 27, 0, 0), "2026-03-27 03:00 IDT"},
		{"Jerusalem autumn, first pass of the end", "night_overlap", "Asia/Jerusalem", utc(time.October, 24, 22, 10), utc(time.October, 24, 22, 30), "2026-10-25 01:30 IDT"},
		{"Jerusalem autumn, second pass of the end", "night_overlap", "Asia/Jerusalem", utc(time.October, 24, 23, 10), utc(time.October, 24, 23, 30), "2026-10-25 01:30 IST"},
		// New York: 02:00 → 03:00 on Sun 2026-03-08, 02:00 → 01:00 on Sun 2026-11-01.
		{"New York spring, evening to morning", "order_delivered", "America/New_York", utc(time.March, 8, 1, 0), utc(time.March, 8, 13, 0), "2026-03-08 09:00 EDT"},
		{"New York autumn, evening to morning", "order_delivered", "America/New_York", utc(time.November, 1, 0, 0), utc(time.November, 1, 14, 0), "2026-11-01 09:00 EST"},
		{"New York spring, end inside the gap", "night_gap", "America/New_York", utc(time.March, 8, 6, 45), utc(time.March, 8, 7, 0), "2026-03-08 03:00 EDT"},
		{"New York autumn, first pass of the end", "night_overlap", "America/New_York", utc(time.November, 1, 5, 10), utc(time.November, 1, 5, 30), "2026-11-01 01:30 EDT"},
		{"New York autumn, second pass of the end", "night_overlap", "America/New_York", utc(time.November, 1, 6, 10), utc(time.November, 1, 6, 30), "2026-11-01 01:30 EST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := decideSettings(t)
			tp := surveys.Touchpoint{Type: tt.typ, OccurredAt: tt.occured,
				Customer: surveys.Customer{ExternalID: "cus_1", TimeZone: tt.zone}}
			d := s.Decide(tp, surveys.CustomerState{Identities: []surveys.Address{tg}}, tt.occured)
			if !d.DueAt.Equal(tt.want) {
				t.Errorf("DueAt = %v, want %v", d.DueAt.UTC(), tt.want)
			}
			loc := ny
			if tt.zone == "Asia/Jerusalem" {
				loc = jer
			}
			if got := d.DueAt.In(loc).Format("2006-01-02 15:04 MST"); got != tt.wantAt {
				t.Errorf("DueAt = %s their time, want %s", got, tt.wantAt)
			}
		})
	}
}

func TestDecideLocale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, given, stored, defaultLocale, want string
	}{
		{"given", "fa", "", "he", "fa"},
		{"stored (chosen with /language) wins", "fa", "ar", "he", "ar"},
		{"stored unknown, given known", "ru", "de", "he", "ru"},
		{"neither known: workspace default", "de", "", "he", "he"},
		{"nothing: workspace default", "", "", "en", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := decideSettings(t)
			s.DefaultLocale = tt.defaultLocale
			tp := surveys.Touchpoint{Type: "ticket_closed", OccurredAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
				Customer: surveys.Customer{ExternalID: "cus_1", Locale: tt.given}}
			st := surveys.CustomerState{Locale: tt.stored, Identities: []surveys.Address{tg}}
			if got := s.Decide(tp, st, tp.OccurredAt).Locale; got != tt.want {
				t.Errorf("Locale = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDecideSampling checks that sampling is a property of the touchpoint
// (a replay is sampled the same way) and that the share sent is close to
// the rule's sample over many touchpoints.
func TestDecideSampling(t *testing.T) {
	t.Parallel()
	s := decideSettings(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) // 14:00 IST, outside quiet hours
	st := surveys.CustomerState{Identities: []surveys.Address{tg}}
	const n = 20000
	invited := 0
	for i := range n {
		tp := surveys.Touchpoint{Source: "api", ExternalID: fmt.Sprintf("evt_%d", i), Type: "login", OccurredAt: now,
			Customer: surveys.Customer{ExternalID: fmt.Sprintf("cus_%d", i%977)}}
		d := s.Decide(tp, st, now)
		if again := s.Decide(tp, st, now.Add(time.Hour)); again.Skip != d.Skip {
			t.Fatalf("touchpoint %d: decided %q, then %q on replay", i, d.Skip, again.Skip)
		}
		switch d.Skip {
		case "":
			invited++
		case surveys.SkipSampledOut:
			if want := `not in the 25% sample for "login"`; d.Detail != want {
				t.Fatalf("Detail = %q, want %q", d.Detail, want)
			}
		default:
			t.Fatalf("touchpoint %d: skipped for %q, want invited or sampled_out", i, d.Skip)
		}
	}
	// Binomial(n, 0.25): σ ≈ 61, so ±5σ never fails by chance.
	share := float64(invited) / n
	if sd := math.Sqrt(0.25 * 0.75 / n); math.Abs(share-0.25) > 5*sd {
		t.Errorf("invited %d of %d (%.3f), want about 25%%", invited, n, share)
	}
}

func TestDecideSampleOneAndZeroSendAll(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, sample := range []float64{0, 1} {
		s := decideSettings(t)
		s.Rules = []surveys.Rule{{Type: "login", SurveyID: "ces", Sample: sample}}
		for i := range 200 {
			tp := surveys.Touchpoint{ExternalID: fmt.Sprint(i), Type: "login", OccurredAt: now, Customer: surveys.Customer{ExternalID: "c"}}
			if d := s.Decide(tp, surveys.CustomerState{Identities: []surveys.Address{tg}}, now); !d.Invited() {
				t.Fatalf("sample %v: touchpoint %d skipped (%s)", sample, i, d.Skip)
			}
		}
	}
}
