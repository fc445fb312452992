package scoring

import (
	"errors"
	"testing"
)

func TestParseAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		lo, hi  int
		want    int
		wantErr error
	}{
		// Typed "9", "۹" and "٩" all count.
		{"9", 0, 10, 9, nil},
		{"۹", 0, 10, 9, nil},
		{"٩", 0, 10, 9, nil},
		{"10", 0, 10, 10, nil},
		{"۱۰", 0, 10, 10, nil},
		{"١٠", 0, 10, 10, nil},
		{"۱0", 0, 10, 10, nil}, // mixed digit sets, as a half-switched keyboard types
		{"0", 0, 10, 0, nil},
		{"00", 0, 10, 0, nil},
		{"007", 0, 10, 7, nil},
		{" 7\n", 0, 10, 7, nil},
		{"\u200F8\u200F", 0, 10, 8, nil}, // RLM from an RTL keyboard
		{"\u20689\u2069", 0, 10, 9, nil}, // an isolate pasted from a digest
		{"\uFEFF5", 1, 5, 5, nil},
		{"9!", 0, 10, 9, nil},
		{"10؟", 0, 10, 10, nil},
		{"۸.", 0, 10, 8, nil},
		{"+3", 1, 5, 3, nil},
		{"-0", 0, 10, 0, nil},

		{"11", 0, 10, 0, ErrAnswerOutOfRange},
		{"-1", 0, 10, 0, ErrAnswerOutOfRange},
		{"−1", 0, 10, 0, ErrAnswerOutOfRange}, // U+2212 minus
		{"0", 1, 5, 0, ErrAnswerOutOfRange},
		{"6", 1, 5, 0, ErrAnswerOutOfRange},
		{"99999999999999999999", 0, 10, 0, ErrAnswerOutOfRange},
		{"5", 5, 1, 0, ErrAnswerOutOfRange}, // an empty scale

		{"", 0, 10, 0, ErrAnswerNotNumber},
		{"   ", 0, 10, 0, ErrAnswerNotNumber},
		{"-", 0, 10, 0, ErrAnswerNotNumber},
		{"7.5", 0, 10, 0, ErrAnswerNotNumber},
		{"7,5", 0, 10, 0, ErrAnswerNotNumber},
		{"٧٫٥", 0, 10, 0, ErrAnswerNotNumber}, // Arabic decimal separator
		{"7/10", 0, 10, 0, ErrAnswerNotNumber},
		{"about 7", 0, 10, 0, ErrAnswerNotNumber},
		{"nine", 0, 10, 0, ErrAnswerNotNumber},
		{"9 10", 0, 10, 0, ErrAnswerNotNumber},
		{"\xff", 0, 10, 0, ErrAnswerNotNumber},
	}
	for _, tt := range tests {
		got, err := ParseAnswer(tt.in, tt.lo, tt.hi)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("ParseAnswer(%q, %d, %d) = %d, %v; want %d, %v", tt.in, tt.lo, tt.hi, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAnswerErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := ParseAnswer("11", 0, 10)
	want := `answer "11": answer is out of range: want a whole number from 0 to 10`
	if err == nil || err.Error() != want {
		t.Errorf("ParseAnswer(\"11\", 0, 10) error = %v, want %s", err, want)
	}
	var ae *AnswerError
	if !errors.As(err, &ae) || ae.Min != 0 || ae.Max != 10 || ae.Text != "11" {
		t.Errorf("errors.As(%v) = %+v, want Text 11, Min 0, Max 10", err, ae)
	}
}
