package surveys

import "testing"

func TestParseCustomerCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want customerCommand
		ok   bool
	}{
		{"/start", customerCommand{Name: "start"}, true},
		{"/start abc_DEF-123", customerCommand{Name: "start", Arg: "abc_DEF-123"}, true},
		{"/start@AcmeBot abc", customerCommand{Name: "start", Arg: "abc"}, true},
		{"/STOP@acmebot", customerCommand{Name: "stop"}, true},
		{"  /language   he  ", customerCommand{Name: "language", Arg: "he"}, true},
		{"/language\the", customerCommand{Name: "language", Arg: "he"}, true},
		{"\u200f/help", customerCommand{Name: "help"}, true},
		{"/delete_my_data", customerCommand{Name: "delete_my_data"}, true},
		{"/", customerCommand{}, false},
		{"/@bot", customerCommand{}, false},
		{"/ help", customerCommand{}, false},
		{"help", customerCommand{}, false},
		{"9/10", customerCommand{}, false},
		{"", customerCommand{}, false},
	}
	for _, tt := range tests {
		got, ok := parseCustomerCommand(tt.text)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseCustomerCommand(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPlainReply(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Skip!":               "skip",
		"\u200fדלג\u200f":     "דלג",
		" Пропустить. ":       "пропустить",
		"\u2068رد کردن\u2069": "رد کردن",
	} {
		if got := plainReply(in); got != want {
			t.Errorf("plainReply(%q) = %q, want %q", in, got, want)
		}
	}
}
