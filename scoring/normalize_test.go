package scoring

import "testing"

func TestFoldDigits(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"۰۱۲۳۴۵۶۷۸۹", "0123456789"},
		{"٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{"سفارش ۱۲۳ رسید", "سفارش 123 رسید"},
		{"٤٢٫٥٪", "42٫5٪"}, // only digits: separators and signs are the caller's
		{"abc 123", "abc 123"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := FoldDigits(tt.in); got != tt.want {
			t.Errorf("FoldDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	// Each normalization rule, then combinations.
	tests := []struct{ name, in, want string }{
		{"nfc", "e\u0301", "\u00e9"},
		{"persian digits", "۱۲۳", "123"},
		{"arabic-indic digits", "٤٥٦", "456"},
		{"arabic yeh to persian", "علي", "علی"},
		{"alef maksura to persian yeh", "على", "علی"},
		{"arabic kaf to keheh", "كتاب", "کتاب"},
		{"tatweel", "مـــــرحبا", "مرحبا"},
		{"harakat", "كَتَبَ", "کتب"},
		{"superscript alef", "هٰذا", "هذا"},
		{"hamza alefs", "أإآ", "ااا"},
		{"decomposed alef madda", "ا\u0653", "ا"},
		{"hebrew niqqud", "שָׁלוֹם", "שלום"},
		{"hebrew cantillation", "בְּרֵאשִׁ֖ית", "בראשית"},
		{"hebrew presentation form", "\uFB2A", "ש"}, // שׁ decomposes under NFC
		{"maqaf", "מ־Acme", "מ-acme"},
		{"sof pasuq stays", "סוף׃", "סוף׃"},
		{"russian case and yo", "Ёлки ЁЛКИ", "елки елки"},
		{"latin case", "Great APP", "great app"},
		{"bidi controls", "\u2067שלום\u2069 \u200Fok\u200E", "שלום ok"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"persian on an arabic keyboard", "خيلي ممنون", "خیلی ممنون"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		got := Normalize(tt.in)
		if got != tt.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if again := Normalize(got); again != got {
			t.Errorf("%s: Normalize is not idempotent: %q → %q", tt.name, got, again)
		}
	}
}
