package scoring

import (
	"math"
	"testing"
)

func TestDetectLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, fallback string
		want         string
		conf         float64
	}{
		// One script: confidence is 1.
		{"שירות מעולה", "en", "he", 1},
		{"Очень доволен", "en", "ru", 1}, // whatlanggo: rus at 0.10
		{"ok", "he", "en", 1},            // whatlanggo: Igbo
		// Persian by its letters: گ ی (2 votes) against none.
		{"خیلی گران بود", "ar", "fa", 1},
		// Arabic by ة and the article: "الخدمة" has ال at the start and ة: 2
		// votes; "ممتازة" one more ة: 3 against 0.
		{"الخدمة ممتازة", "fa", "ar", 1},
		// No evidence either way ("سلام"): the workspace decides, at half
		// the script's share.
		{"سلام", "fa", "fa", 0.5},
		{"سلام", "ar", "ar", 0.5},
		{"سلام", "en", "ar", 0.5},
		// Mixed votes: "خیلی" (ی ×2, Persian) and "جيد" (ي, Arabic): 2 to 1,
		// confidence 2/3.
		{"خیلی جيد", "en", "fa", 2.0 / 3},
		// Mixed scripts: 6 Hebrew letters against 4 Latin ("Acme"): he at
		// 6/10.
		{"Acme מעולים", "en", "he", 0.6},
		// A tie between scripts goes to the fallback's script: 4 and 4.
		{"Acme אקמי", "he", "he", 0.5},
		{"Acme אקמי", "ru", "he", 0.5}, // else the first of he, Arabic, ru, en
		// Nothing to go on.
		{"10/10 👍", "he", "he", 0},
		{"", "fa", "fa", 0},
		// A script vocbot does not speak, in the majority.
		{"日本語です ok", "en", "en", 0},
		// Harakat between alef and lam do not hide the article.
		{"اَلكتاب", "fa", "ar", 1},
	}
	for _, tt := range tests {
		got, conf := DetectLanguage(tt.in, tt.fallback)
		if got != tt.want || math.Abs(conf-tt.conf) > 1e-9 {
			t.Errorf("DetectLanguage(%q, %q) = %q, %.4f; want %q, %.4f", tt.in, tt.fallback, got, conf, tt.want, tt.conf)
		}
	}
}
