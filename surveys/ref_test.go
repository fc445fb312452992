package surveys_test

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
)

func TestRefRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref  surveys.Ref
		want string
	}{
		{surveys.Ref{InvitationID: 1, Question: surveys.QuestionScore}, "s1"},
		{surveys.Ref{InvitationID: 1234, Question: surveys.QuestionWhy}, "w1234"},
		{surveys.Ref{InvitationID: math.MaxInt64, Question: surveys.QuestionScore}, "s9223372036854775807"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			got := tt.ref.String()
			if got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			if len(got) > surveys.MaxRefLen {
				t.Errorf("len(%q) = %d, want at most %d", got, len(got), surveys.MaxRefLen)
			}
			back, err := surveys.ParseRef(got)
			if err != nil {
				t.Fatalf("ParseRef(%q): %v", got, err)
			}
			if diff := cmp.Diff(tt.ref, back); diff != "" {
				t.Errorf("ParseRef(%q) mismatch (-want +got):\n%s", got, diff)
			}
		})
	}
}

func TestRefStringOfInvalidRef(t *testing.T) {
	t.Parallel()
	for _, r := range []surveys.Ref{
		{InvitationID: 0, Question: surveys.QuestionScore},
		{InvitationID: -5, Question: surveys.QuestionWhy},
		{InvitationID: 7, Question: "comment"},
		{},
	} {
		if got := r.String(); got != "" {
			t.Errorf("%+v.String() = %q, want \"\"", r, got)
		}
	}
}

func TestParseRefRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "s", "w", "x12", "S12", "s012", "s0", "s-1", "s+1", "s1 ", " s1", "s1a",
		"s9223372036854775808", // overflows int64
		"s12345678901234567890", "ws1", "s١٢", "v1|s12|9",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := surveys.ParseRef(in)
			if !errors.Is(err, surveys.ErrBadRef) {
				t.Errorf("ParseRef(%q) = %+v, %v; want an error wrapping ErrBadRef", in, got, err)
			}
		})
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"s1", "w1234", "s9223372036854775807", "s0", "x", "", "s00", "w-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := surveys.ParseRef(s)
		if err != nil {
			if !errors.Is(err, surveys.ErrBadRef) {
				t.Fatalf("ParseRef(%q) error %v does not wrap ErrBadRef", s, err)
			}
			return
		}
		if r.InvitationID <= 0 {
			t.Fatalf("ParseRef(%q) = %+v: id not positive", s, r)
		}
		if got := r.String(); got != s {
			t.Fatalf("ParseRef(%q).String() = %q, want the input back", s, got)
		}
		if len(s) > surveys.MaxRefLen {
			t.Fatalf("ParseRef accepted %d bytes, more than MaxRefLen", len(s))
		}
	})
}
