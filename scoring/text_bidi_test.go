package scoring

import "testing"

func TestIsRTL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		locale string
		want   bool
	}{
		{"he", true}, {"he-IL", true}, {"iw", true}, {"fa", true}, {"fa_IR", true},
		{"ar-u-nu-latn", true}, {"AR", true}, {"ur", true},
		{"en", false}, {"ru", false}, {"en-US", false}, {"", false},
	} {
		if got := IsRTL(tt.locale); got != tt.want {
			t.Errorf("IsRTL(%q) = %v, want %v", tt.locale, got, tt.want)
		}
	}
}

func TestIsolate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ got, want string }{
		{Isolate("Checkout App"), "\u2068Checkout App\u2069"},
		{IsolateLTR("+5"), "\u2066+5\u2069"},
		{IsolateRTL("שירות מעולה"), "\u2067שירות מעולה\u2069"},
		{Isolate(""), "\u2068\u2069"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %+q, want %+q", tt.got, tt.want)
		}
	}
}

func TestAnchorRTL(t *testing.T) {
	t.Parallel()
	tests := []struct{ locale, in, want string }{
		// The reference example line starts with Latin "NPS": anchored.
		{"he", "NPS ל־28 ימים: \u206642 (±8) ▲5\u2069", "\u200FNPS ל־28 ימים: \u206642 (±8) ▲5\u2069"},
		{"he", "שלום", "שלום"},                     // starts with a Hebrew letter
		{"fa", "۴۲ پاسخ", "\u200F۴۲ پاسخ"},         // starts with a number
		{"ar", "مرحبا\nAcme", "مرحبا\n\u200FAcme"}, // per line
		{"ar", "\u061C٤٢", "\u061C٤٢"},             // ALM is right to left
		{"he", "\u200Fok", "\u200Fok"},             // already anchored
		{"he", "a\n\nb", "\u200Fa\n\u200F\n\u200Fb"},
		{"he", "", "\u200F"},
		{"en", "NPS 42", "NPS 42"}, // left-to-right locales are untouched
	}
	for _, tt := range tests {
		got := AnchorRTL(tt.locale, tt.in)
		if got != tt.want {
			t.Errorf("AnchorRTL(%q, %+q) = %+q, want %+q", tt.locale, tt.in, got, tt.want)
		}
		if again := AnchorRTL(tt.locale, got); again != got {
			t.Errorf("AnchorRTL(%q) twice = %+q, want %+q", tt.locale, again, got)
		}
	}
}
