package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "0", want: 0},
		{in: "0s", want: 0},
		{in: "90s", want: 90 * time.Second},
		{in: "720h", want: 720 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1.5h", want: 90 * time.Minute},
		{in: "30d", want: 720 * time.Hour},
		{in: "0d", want: 0},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "7d30m", want: 7*24*time.Hour + 30*time.Minute},
		{in: "+2h", want: 2 * time.Hour},
		{in: "", wantErr: `"" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "3600", wantErr: `"3600" has no unit; write a duration like 72h, 90m or 30d`},
		{in: "1.5", wantErr: `"1.5" has no unit; write a duration like 72h, 90m or 30d`},
		{in: "-1h", wantErr: `"-1h" is negative; use 0 or more`},
		{in: "-3d", wantErr: `"-3d" is negative; use 0 or more`},
		{in: "1.5d", wantErr: `"1.5d" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "d", wantErr: `"d" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "+1d", wantErr: `"+1d" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "1d-1h", wantErr: `"1d-1h" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "1h2d", wantErr: `"1h2d" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "1w", wantErr: `"1w" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "3 days", wantErr: `"3 days" is not a duration; write a duration like 72h, 90m or 30d`},
		{in: "106752d", wantErr: `"106752d" is too long`},
		{in: "106751d24h", wantErr: `"106751d24h" is too long`},
		{in: "99999999999999999999d", wantErr: `"99999999999999999999d" is not a duration; write a duration like 72h, 90m or 30d`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("parseDuration(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			// What formatDuration writes reads back the same.
			back, err := parseDuration(formatDuration(got))
			if err != nil || back != got {
				t.Errorf("parseDuration(formatDuration(%v) = %q) = %v, %v", got, formatDuration(got), back, err)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                            "0s",
		720 * time.Hour:              "720h",
		72 * time.Hour:               "72h",
		90 * time.Minute:             "1h30m",
		10 * time.Minute:             "10m",
		45 * time.Second:             "45s",
		time.Hour + time.Second:      "1h0m1s",
		1500 * time.Millisecond:      "1.5s",
		36*time.Hour + 5*time.Minute: "36h5m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseQuietHours(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    QuietHours
		wantErr string
		inside  []string
		outside []string
	}{
		{in: "21:00-09:00", want: QuietHours{21 * 60, 9 * 60},
			inside: []string{"21:00", "23:59", "00:00", "03:30", "08:59"}, outside: []string{"09:00", "12:00", "20:59"}},
		{in: "13:00-14:30", want: QuietHours{13 * 60, 14*60 + 30},
			inside: []string{"13:00", "14:29"}, outside: []string{"12:59", "14:30", "00:00"}},
		{in: "00:00-07:00", want: QuietHours{0, 7 * 60},
			inside: []string{"00:00", "06:59"}, outside: []string{"07:00", "23:59"}},
		{in: "22:00-00:00", want: QuietHours{22 * 60, 0},
			inside: []string{"22:00", "23:59"}, outside: []string{"00:00", "21:59"}},
		{in: "23:59-00:00", want: QuietHours{23*60 + 59, 0},
			inside: []string{"23:59"}, outside: []string{"00:00", "23:58"}},
		{in: " 9:00 - 17:00 ", want: QuietHours{9 * 60, 17 * 60}},
		{in: "21:00-21:00", wantErr: `"21:00-21:00" starts and ends at the same time; remove quiet_hours or widen the window`},
		{in: "21:00", wantErr: `"21:00" is not a window; write HH:MM-HH:MM, e.g. "21:00-09:00"`},
		{in: "21-09", wantErr: `"21" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`},
		{in: "21:00-24:00", wantErr: `"24:00" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`},
		{in: "21:60-09:00", wantErr: `"21:60" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`},
		{in: "21:0-09:00", wantErr: `"21:0" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`},
		{in: "021:00-09:00", wantErr: `"021:00" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`},
		{in: "+1:00-09:00", wantErr: `"+1:00" is not a time of day; write HH:MM on a 24-hour clock, e.g. 09:00`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseQuietHours(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("parseQuietHours(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseQuietHours(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if got.IsZero() {
				t.Errorf("parseQuietHours(%q).IsZero() = true", tt.in)
			}
			for _, s := range tt.inside {
				if tod, _ := parseTimeOfDay(s); !got.Contains(tod) {
					t.Errorf("%s.Contains(%s) = false, want true", got, s)
				}
			}
			for _, s := range tt.outside {
				if tod, _ := parseTimeOfDay(s); got.Contains(tod) {
					t.Errorf("%s.Contains(%s) = true, want false", got, s)
				}
			}
		})
	}
}

func TestQuietHoursZero(t *testing.T) {
	t.Parallel()
	var q QuietHours
	if !q.IsZero() || q.String() != "" {
		t.Errorf("zero QuietHours: IsZero %v, String %q; want true, \"\"", q.IsZero(), q.String())
	}
	for tod := TimeOfDay(0); tod < 24*60; tod++ {
		if q.Contains(tod) {
			t.Fatalf("zero QuietHours contains %s", tod)
		}
	}
}

func TestTimeOfDay(t *testing.T) {
	t.Parallel()
	tod, err := parseTimeOfDay("07:05")
	if err != nil {
		t.Fatal(err)
	}
	if tod.String() != "07:05" || tod.Hour() != 7 || tod.Minute() != 5 {
		t.Errorf("parseTimeOfDay(07:05) = %s (%d:%d)", tod, tod.Hour(), tod.Minute())
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Target
		ok   bool
	}{
		{"slack:C0123ABC", Target{PlatformSlack, "C0123ABC"}, true},
		{"slack:G0PRIVATE", Target{PlatformSlack, "G0PRIVATE"}, true},
		{"discord:123456789012345678", Target{PlatformDiscord, "123456789012345678"}, true},
		{"discord:18446744073709551615", Target{PlatformDiscord, "18446744073709551615"}, true},
		{"telegram:-1001234567890", Target{PlatformTelegram, "-1001234567890"}, true},
		{"telegram:123456789", Target{PlatformTelegram, "123456789"}, true},
		{"slack:c0123", Target{}, false},
		{"slack:D0123", Target{}, false},
		{"slack:", Target{}, false},
		{"discord:0", Target{}, false},
		{"discord:0123", Target{}, false},
		{"discord:18446744073709551616", Target{}, false},
		{"telegram:0", Target{}, false},
		{"telegram:+5", Target{}, false},
		{"telegram:-0", Target{}, false},
		{"telegram:9223372036854775808", Target{}, false},
		{"Slack:C0123", Target{}, false},
		{"C0123", Target{}, false},
	}
	for _, tt := range tests {
		got, err := parseTarget(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseTarget(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("parseTarget(%q).String() = %q", tt.in, got.String())
		}
	}
}
