package scoring

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Check digits used below, derived by hand:
//
// Luhn (from the right, double every second digit, minus 9 above 9):
//   - 4111 1111 1111 1111: the doubled digits are the 4 (→ 8) and seven 1s
//     (→ 2 each, 14); the other eight 1s add 8: 8 + 14 + 8 = 30 ≡ 0, valid.
//   - 4111 1111 1111 1112: the last digit adds 2 instead of 1: 31, invalid.
//   - 5555 5555 5555 4444: doubled from the right: 4, 4 → 8, 8; six 5s → 10 →
//     1 each = 6; undoubled 4, 4, 5×6 = 38; 16 + 6 + 38 = 60, valid.
//   - 3782 822463 10005 (Amex test number, 15 digits): valid by the same
//     sum, 60.
//
// Teudat Zehut (weights 1,2,1,2,… from the left, products' digit sums):
//   - 123456782: 1 4 3 8 5 (12→3) 7 (16→7) 2 = 40 ≡ 0, valid;
//   - 123456789: the last digit adds 9 instead of 2: 47, invalid;
//   - 039337423: 0 6 9 6 3 (14→5) 4 4 3 = 40, valid.
//
// Iranian national code (s = Σ dᵢ·(10−i) for i < 9, r = s mod 11):
//   - 0012345679: 0 + 0 + 1·8 + 2·7 + 3·6 + 4·5 + 5·4 + 6·3 + 7·2 = 112,
//     r = 2, check 11 − 2 = 9, valid;
//   - 1234567891: 10 + 18 + 24 + 28 + 30 + 30 + 28 + 24 + 18 = 210, r = 1,
//     check = r = 1, valid;
//   - 1111111111 passes the arithmetic (s = 54, r = 10, check 1) but all its
//     digits are equal: never issued, not redacted.

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, locale, in, want string
		kinds                  []PIIKind
	}{
		// E-mail and links.
		{"email", "en", "write to dana.levi@example.co.il please", "write to [email] please", []PIIKind{PIIEmail}},
		{"email in Hebrew text", "", "כתבו לי ל-dana@example.com תודה", "כתבו לי ל-[email] תודה", []PIIKind{PIIEmail}},
		{"unicode email", "he", "המייל שלי דנה@דוגמה.ישראל", "המייל שלי [email]", []PIIKind{PIIEmail}},
		{"url", "en", "see https://shop.example.com/orders/123456789?x=1.", "see [link].", []PIIKind{PIIURL}},
		{"www url", "ru", "Смотрите www.example.ru/profile/ivan, там всё", "Смотрите [link], там всё", []PIIKind{PIIURL}},
		{"www inside a word is no url", "en", "awww.great", "awww.great", nil},

		// Israeli phones.
		{"il mobile dashed", "he", "תתקשרו 050-1234567 בערב", "תתקשרו [טלפון] בערב", []PIIKind{PIIPhone}},
		{"il mobile international", "he", "+972-52-123-4567", "[טלפון]", []PIIKind{PIIPhone}},
		{"il mobile spaced", "en", "call 052 123 4567", "call [phone]", []PIIKind{PIIPhone}},
		{"il landline", "he", "במשרד 03-1234567", "במשרד [טלפון]", []PIIKind{PIIPhone}},
		{"il mobile with RLM inside", "he", "טלפון \u200F050\u200F-1234567", "טלפון \u200F[טלפון]", []PIIKind{PIIPhone}},

		// Iranian phones, in every digit set.
		{"ir mobile spaced", "fa", "شماره من 0912 345 6789 است", "شماره من [تلفن] است", []PIIKind{PIIPhone}},
		{"ir mobile +98", "fa", "+98 912 345 6789", "[تلفن]", []PIIKind{PIIPhone}},
		{"ir mobile Persian digits", "fa", "شماره ۰۹۱۲۳۴۵۶۷۸۹", "شماره [تلفن]", []PIIKind{PIIPhone}},
		{"ir mobile Arabic-Indic digits", "ar", "رقمي ٠٩١٢٣٤٥٦٧٨٩", "رقمي [هاتف]", []PIIKind{PIIPhone}},
		{"ir landline generic", "fa", "تلفن (021) 8877-6655", "تلفن [تلفن]", []PIIKind{PIIPhone}},

		// Russian phones.
		{"ru mobile +7 parentheses", "ru", "Мой номер +7 (912) 345-67-89.", "Мой номер [телефон].", []PIIKind{PIIPhone}},
		{"ru mobile 8 spaced", "ru", "звоните 8 912 345 67 89", "звоните [телефон]", []PIIKind{PIIPhone}},
		{"ru mobile one run", "ru", "89123456789", "[телефон]", []PIIKind{PIIPhone}},
		{"ru landline", "ru", "офис 8 (495) 123-45-67", "офис [телефон]", []PIIKind{PIIPhone}},

		// Other international numbers: the generic fallback.
		{"uk", "en", "ring +44 20 7946 0958 today", "ring [phone] today", []PIIKind{PIIPhone}},
		{"us", "en", "+1 (415) 555-2671", "[phone]", []PIIKind{PIIPhone}},

		// Cards.
		{"card spaced", "en", "card 4111 1111 1111 1111 thanks", "card [card] thanks", []PIIKind{PIICard}},
		{"card dashed", "en", "4111-1111-1111-1111", "[card]", []PIIKind{PIICard}},
		{"card one run", "en", "5555555555554444", "[card]", []PIIKind{PIICard}},
		{"amex", "en", "amex 3782 822463 10005", "amex [card]", []PIIKind{PIICard}},
		{"card Persian digits", "fa", "کارت ۴۱۱۱ ۱۱۱۱ ۱۱۱۱ ۱۱۱۱", "کارت [card]", []PIIKind{PIICard}},
		{"luhn-failing order number kept", "en", "order 4111111111111112 late", "order 4111111111111112 late", nil},
		{"list of scores is no card", "en", "10 9 8 7 10 9 8 7 10", "10 9 8 7 10 9 8 7 10", nil},

		// Israeli ID before phones.
		{"teudat zehut", "he", "ת.ז. 123456782", "ת.ז. [ID]", []PIIKind{PIIIsraeliID}},
		{"teudat zehut with leading zero", "he", "ת.ז. 039337423", "ת.ז. [ID]", []PIIKind{PIIIsraeliID}},
		{"teudat zehut dashed check digit", "he", "12345678-2", "[ID]", []PIIKind{PIIIsraeliID}},
		{"invalid 9 digits kept", "he", "הזמנה 123456789", "הזמנה 123456789", nil},

		// Iranian national code.
		{"kod melli Persian digits", "fa", "کد ملی ۰۰۱۲۳۴۵۶۷۹", "کد ملی [ID]", []PIIKind{PIIIranianID}},
		{"kod melli", "fa", "کد ملی 1234567891", "کد ملی [ID]", []PIIKind{PIIIranianID}},
		{"kod melli dashed", "fa", "123-456789-1", "[ID]", []PIIKind{PIIIranianID}},
		{"all-equal code kept", "fa", "کد 1111111111", "کد 1111111111", nil},

		// Ordinary numbers survive.
		{"price and date", "en", "paid ₪1,299.90 on 01.12.2026 at 14:30, 50% off", "paid ₪1,299.90 on 01.12.2026 at 14:30, 50% off", nil},
		{"iso date", "en", "since 2026-11-23", "since 2026-11-23", nil},
		{"dashed date with zero", "en", "on 01-12-2026", "on 01-12-2026", nil},
		{"order hash", "en", "order #98765432 arrived", "order #98765432 arrived", nil},
		{"russian price", "ru", "заплатил 12 500 000 руб", "заплатил 12 500 000 руб", nil},
		{"persian price", "fa", "قیمت ۱۲۰۰۰۰ تومان", "قیمت ۱۲۰۰۰۰ تومان", nil},

		// Several at once, each consuming its span.
		{"mixed", "en", "call me 050-1234567 or +972 52 123 4567, mail dana@example.co.il",
			"call me [phone] or [phone], mail [email]", []PIIKind{PIIPhone, PIIPhone, PIIEmail}},
		{"empty", "en", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Redact(tt.in, tt.locale)
			if r.Text != tt.want {
				t.Errorf("Redact(%q).Text = %q, want %q", tt.in, r.Text, tt.want)
			}
			var kinds []PIIKind
			for _, m := range r.Matches {
				kinds = append(kinds, m.Kind)
			}
			if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
				t.Errorf("Redact(%q) kinds (-want +got):\n%s", tt.in, diff)
			}
			if again := Redact(r.Text, tt.locale); again.Text != r.Text {
				t.Errorf("Redact is not idempotent: %q → %q", r.Text, again.Text)
			}
		})
	}
}

func TestRedactMatchesAreSpansOfTheInput(t *testing.T) {
	t.Parallel()
	in := "שלום, \u200F050-1234567 ו-dana@example.com, ת.ז. ۱۲۳۴۵۶۷۸۲"
	r := Redact(in, "he")
	want := []string{"050-1234567", "dana@example.com", "۱۲۳۴۵۶۷۸۲"}
	var got []string
	for _, m := range r.Matches {
		got = append(got, in[m.Start:m.End])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matched spans (-want +got):\n%s", diff)
	}
	if r.Count(PIIPhone) != 1 || r.Count(PIIEmail) != 1 || r.Count(PIIIsraeliID) != 1 || r.Count(PIICard) != 0 {
		t.Errorf("counts: phone %d, email %d, il-id %d, card %d; want 1, 1, 1, 0",
			r.Count(PIIPhone), r.Count(PIIEmail), r.Count(PIIIsraeliID), r.Count(PIICard))
	}
}

func TestRedactLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, locale, wantLang, wantText string
	}{
		// The e-mail's Latin letters are not counted: the rest is Hebrew.
		{"dana.levi.cohen@example.com או 050-1234567 שלום", "", "he", "[email] או [טלפון] שלום"},
		{"Звоните 8 912 345 67 89", "", "ru", "Звоните [телефон]"},
		{"050-1234567", "", "en", "[phone]"},
		{"050-1234567", "he-IL", "he", "[טלפון]"},
		{"050-1234567", "fa_IR", "fa", "[تلفن]"},
		{"050-1234567", "de", "de", "[phone]"},
	}
	for _, tt := range tests {
		r := Redact(tt.in, tt.locale)
		if r.Lang != tt.wantLang || r.Text != tt.wantText {
			t.Errorf("Redact(%q, %q) = %q in %q, want %q in %q", tt.in, tt.locale, r.Text, r.Lang, tt.wantText, tt.wantLang)
		}
	}
}

func TestRedactPIIShare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   float64
		mostly bool
	}{
		// 10 digits of 10 letters and digits.
		{"050-1234567", 1, true},
		// "call" 4 + digits 10: 10/14.
		{"call 050-1234567", 10.0 / 14, true},
		// "please call me back tonight" 23 letters + 10 digits: 10/33.
		{"please call me back tonight 050-1234567", 10.0 / 33, false},
		{"no numbers here", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		r := Redact(tt.in, "en")
		if diff := r.PIIShare - tt.want; diff > 1e-12 || diff < -1e-12 || r.MostlyPII() != tt.mostly {
			t.Errorf("Redact(%q).PIIShare = %v (mostly %v), want %v (%v)", tt.in, r.PIIShare, r.MostlyPII(), tt.want, tt.mostly)
		}
	}
}

func TestPlaceholder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   PIIKind
		locale string
		want   string
	}{
		{PIIEmail, "he", "[email]"},
		{PIIURL, "fa", "[link]"},
		{PIICard, "ru", "[card]"},
		{PIIIsraeliID, "he", "[ID]"},
		{PIIIranianID, "fa", "[ID]"},
		{PIIPhone, "he", "[טלפון]"},
		{PIIPhone, "he-IL", "[טלפון]"},
		{PIIPhone, "iw", "[phone]"}, // deprecated code: no translation
		{PIIPhone, "fa", "[تلفن]"},
		{PIIPhone, "ar-EG", "[هاتف]"},
		{PIIPhone, "RU", "[телефон]"},
		{PIIPhone, "en", "[phone]"},
		{PIIPhone, "", "[phone]"},
		{0, "en", ""},
		{PIIIranianID + 1, "en", ""},
	}
	for _, tt := range tests {
		if got := Placeholder(tt.kind, tt.locale); got != tt.want {
			t.Errorf("Placeholder(%v, %q) = %q, want %q", tt.kind, tt.locale, got, tt.want)
		}
		// No placeholder may be matched by a pass: redaction stays idempotent.
		if got := Placeholder(tt.kind, tt.locale); strings.ContainsAny(got, "0123456789@+") {
			t.Errorf("Placeholder(%v, %q) = %q contains a character a pass matches", tt.kind, tt.locale, got)
		}
	}
	if got := PIIKind(0).String(); got != "PIIKind(0)" {
		t.Errorf("PIIKind(0).String() = %q, want PIIKind(0)", got)
	}
	if got := PIIIranianID.String(); got != "ir-id" {
		t.Errorf("PIIIranianID.String() = %q, want ir-id", got)
	}
}

func TestChecksums(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		check  func([]byte) bool
		name   string
		digits string
		want   bool
	}{
		{luhnValid, "luhn", "4111111111111111", true},
		{luhnValid, "luhn", "4111111111111112", false},
		{luhnValid, "luhn", "5555555555554444", true},
		{luhnValid, "luhn", "378282246310005", true},
		{luhnValid, "luhn", "79927398713", true}, // the textbook example
		{luhnValid, "luhn", "79927398710", false},
		{israeliIDValid, "tz", "123456782", true},
		{israeliIDValid, "tz", "123456789", false},
		{israeliIDValid, "tz", "039337423", true},
		{israeliIDValid, "tz", "39337423", true}, // left-padded to 039337423
		{israeliIDValid, "tz", "000000000", false},
		{israeliIDValid, "tz", "1234567820", false}, // 10 digits
		{iranianIDValid, "melli", "0012345679", true},
		{iranianIDValid, "melli", "0012345678", false},
		{iranianIDValid, "melli", "1234567891", true},
		{iranianIDValid, "melli", "1111111111", false},
		{iranianIDValid, "melli", "001234567", false}, // 9 digits
	} {
		if got := tt.check([]byte(tt.digits)); got != tt.want {
			t.Errorf("%s(%s) = %v, want %v", tt.name, tt.digits, got, tt.want)
		}
	}
}

// israeliIDValid relies on the Teudat Zehut check being Luhn's; compare it
// with the Luhn algorithm, written out, on every length and many
// numbers.
func TestIsraeliIDIsLuhn(t *testing.T) {
	t.Parallel()
	spec := func(digits string) bool {
		padded := strings.Repeat("0", 9-len(digits)) + digits
		sum := 0
		for i, c := range padded {
			p := int(c-'0') * []int{1, 2}[i%2]
			if p > 9 {
				p = p/10 + p%10
			}
			sum += p
		}
		return sum%10 == 0
	}
	x := uint64(12345)
	for i := range 20000 {
		x = x*6364136223846793005 + 1442695040888963407
		digits := strconv.FormatUint(x>>20, 10)
		digits = digits[:1+i%9]
		if allSame([]byte(digits)) {
			continue
		}
		if got, want := israeliIDValid([]byte(digits)), spec(digits); got != want {
			t.Fatalf("israeliIDValid(%s) = %v, spec says %v", digits, got, want)
		}
	}
}
