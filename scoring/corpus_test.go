package scoring

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestRedactCorpus is the acceptance test of redaction: over a corpus of
// mixed-language comments (testdata/pii_corpus.tsv) it must leave no e-mail,
// phone number, valid card or valid ID, and keep order numbers, prices,
// dates and other ordinary numbers intact.
//
// The corpus's numbers that must go, with how each was checked:
//   - cards: Luhn sums of 4111…1111 (30), 5555…4444 (60), 3782 822463 10005
//     (60) as in pii_test.go; 4580 1111 1111 1113, 6037 9975 9999 9993,
//     6274 1211 1111 1118, 2200 7001 4567 8909, 5413 3333 3333 3339 and
//     4012 8888 8888 1881 were completed with the check digit that makes
//     the sum a multiple of 10;
//   - Israeli IDs: 123456782 and 039337423 as in pii_test.go; 301592606:
//     3 0 1 (5·2→1) 9 (2·2=4) 6 0 6 = 3+0+1+1+9+4+6+0+6 = 30; 314159260,
//     024680241 completed the same way;
//   - Iranian codes: 0012345679 as in pii_test.go; 1273465989, 0081234562
//     completed with the check digit of §8.6;
//   - phones: one of each national pattern and the generic fallback.
//
// The numbers that must stay fail their checks: 4111111111111112 (Luhn 31),
// 123456789 (Teudat Zehut 47), 1234567890 (Iranian: s = 210, r = 1, check
// would be 1), and the digits 123456785 in RR123456785IL (Teudat Zehut 43).
func TestRedactCorpus(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/pii_corpus.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for line := 1; sc.Scan(); line++ {
		row := sc.Text()
		if row == "" || strings.HasPrefix(row, "#") {
			continue
		}
		cols := strings.Split(row, "\t")
		if len(cols) != 4 {
			t.Fatalf("line %d: %d columns, want 4", line, len(cols))
		}
		lang, text := cols[0], cols[3]
		want, err := strconv.Atoi(cols[1])
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		lines++
		r := Redact(text, lang)
		if len(r.Matches) != want {
			t.Errorf("line %d: %d redactions, want %d: %q → %q", line, len(r.Matches), want, text, r.Text)
		}
		for _, keep := range strings.Split(cols[2], ";") {
			if keep != "" && !strings.Contains(r.Text, keep) {
				t.Errorf("line %d: %q lost: %q → %q", line, keep, text, r.Text)
			}
		}
		if leak := leftoverPII(r.Text); leak != "" {
			t.Errorf("line %d: %s left in %q", line, leak, r.Text)
		}
		if again := Redact(r.Text, lang); again.Text != r.Text {
			t.Errorf("line %d: not idempotent: %q → %q", line, r.Text, again.Text)
		}
		// Without a locale the language comes from the text.
		if auto := Redact(text, ""); auto.Lang != lang || auto.Text != r.Text {
			t.Errorf("line %d: without locale %q in %s, want %q in %s", line, auto.Text, auto.Lang, r.Text, lang)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines < 40 {
		t.Fatalf("corpus has %d comments, want at least 40", lines)
	}
}

// leftoverPII is a deliberately simple second opinion on redacted text: an
// "@", or a group of digits (bidi marks ignored) joined by spaces, dashes,
// parentheses and "+" that is phone-shaped (9 or more digits starting with
// "+" or "0", or 11 starting with 8), a Luhn-valid 13–19 digits, a valid
// 9-digit Teudat Zehut or a valid 10-digit Iranian code.
func leftoverPII(text string) string {
	if strings.Contains(text, "@") {
		return "an e-mail"
	}
	s := FoldDigits(strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, text))
	for i := 0; i < len(s); {
		if !isDigitByte(s[i]) && s[i] != '+' {
			i++
			continue
		}
		j := i
		for j < len(s) && (isDigitByte(s[j]) || strings.IndexByte(" -()+", s[j]) >= 0) {
			j++
		}
		group := strings.TrimRight(s[i:j], " -(")
		i = j
		var d []byte
		for k := range len(group) {
			if isDigitByte(group[k]) {
				d = append(d, group[k])
			}
		}
		switch {
		case len(d) >= 9 && (group[0] == '+' || d[0] == '0'):
			return "a phone " + group
		case len(d) == 11 && d[0] == '8':
			return "a Russian phone " + group
		case len(d) >= 13 && len(d) <= 19 && luhnValid(d):
			return "a card " + group
		case len(d) == 9 && israeliIDValid(d):
			return "an Israeli ID " + group
		case len(d) == 10 && iranianIDValid(d):
			return "an Iranian code " + group
		}
	}
	return ""
}
