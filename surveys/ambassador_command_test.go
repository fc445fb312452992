package surveys_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	slack := func(id string) surveys.CustomerRef {
		return surveys.CustomerRef{User: surveys.Address{Platform: surveys.Slack, UserID: id}}
	}
	tests := []struct {
		text string
		want surveys.Command
	}{
		{"", surveys.Command{Verb: surveys.VerbHelp}},
		{"/survey", surveys.Command{Verb: surveys.VerbHelp}},
		{"/survey@vocbot", surveys.Command{Verb: surveys.VerbHelp}},
		{"help", surveys.Command{Verb: surveys.VerbHelp}},
		{"help send", surveys.Command{Verb: surveys.VerbHelp, Topic: surveys.VerbSend}},
		{"help nonsense", surveys.Command{Verb: surveys.VerbHelp}},
		{"send nps cus_42", surveys.Command{Verb: surveys.VerbSend, SurveyID: "nps", Customer: surveys.CustomerRef{ExternalID: "cus_42"}}},
		{"/survey send nps cus_42", surveys.Command{Verb: surveys.VerbSend, SurveyID: "nps", Customer: surveys.CustomerRef{ExternalID: "cus_42"}}},
		{"/survey@vocbot   SEND  nps   cus_42  ", surveys.Command{Verb: surveys.VerbSend, SurveyID: "nps", Customer: surveys.CustomerRef{ExternalID: "cus_42"}}},
		{"\u200f/survey send nps cus_42\u200e", surveys.Command{Verb: surveys.VerbSend, SurveyID: "nps", Customer: surveys.CustomerRef{ExternalID: "cus_42"}}},
		{"send enps <@U0123ABC>", surveys.Command{Verb: surveys.VerbSend, SurveyID: "enps", Customer: slack("U0123ABC")}},
		{"send enps <@U0123ABC|dana smith>", surveys.Command{Verb: surveys.VerbSend, SurveyID: "enps", Customer: slack("U0123ABC")}},
		{"send enps <@812345678901234567>", surveys.Command{Verb: surveys.VerbSend, SurveyID: "enps",
			Customer: surveys.CustomerRef{User: surveys.Address{Platform: surveys.Discord, UserID: "812345678901234567"}}}},
		{"send enps <@!812345678901234567>", surveys.Command{Verb: surveys.VerbSend, SurveyID: "enps",
			Customer: surveys.CustomerRef{User: surveys.Address{Platform: surveys.Discord, UserID: "812345678901234567"}}}},
		{"send nps @dana_k", surveys.Command{Verb: surveys.VerbSend, SurveyID: "nps", Customer: surveys.CustomerRef{TelegramUsername: "dana_k"}}},
		{"stats", surveys.Command{Verb: surveys.VerbStats}},
		{"stats nps", surveys.Command{Verb: surveys.VerbStats, SurveyID: "nps"}},
		{"stats 7d", surveys.Command{Verb: surveys.VerbStats, Days: 7}},
		{"stats nps 90D by agent", surveys.Command{Verb: surveys.VerbStats, SurveyID: "nps", Days: 90, By: "agent"}},
		{"stats by touchpoint 28d", surveys.Command{Verb: surveys.VerbStats, Days: 28, By: "touchpoint"}},
		{"quotes", surveys.Command{Verb: surveys.VerbQuotes}},
		{"quotes detractors", surveys.Command{Verb: surveys.VerbQuotes, Filter: surveys.QuotesDetractors}},
		{"quotes csat Promoters", surveys.Command{Verb: surveys.VerbQuotes, SurveyID: "csat", Filter: surveys.QuotesPromoters}},
		{"link cus_42", surveys.Command{Verb: surveys.VerbLink, Customer: surveys.CustomerRef{ExternalID: "cus_42"}}},
		{"digest", surveys.Command{Verb: surveys.VerbDigest}},
		{"digest daily-voc", surveys.Command{Verb: surveys.VerbDigest, Digest: "daily-voc"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			got, err := surveys.ParseCommand(tt.text)
			if err != nil {
				t.Fatalf("ParseCommand(%q): %v", tt.text, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseCommand(%q) (-want +got):\n%s", tt.text, diff)
			}
			again, err := surveys.ParseCommand(got.String())
			if err != nil || !cmp.Equal(again, got) {
				t.Errorf("ParseCommand(%q) = %+v, %v; want it to read its own String back", got.String(), again, err)
			}
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text       string
		problem    string // a part of the problem
		suggestion string
		usage      string // a part of the usage
	}{
		{"sned nps cus_42", "unknown subcommand \"sned\"", "/survey send nps cus_42", "/survey stats"},
		{"stat nps 30d", "unknown subcommand \"stat\"", "/survey stats", "/survey stats"},
		{"stat", "unknown subcommand", "/survey stats", "/survey send"},
		{"quote nps", "unknown subcommand", "/survey quotes nps", "/survey link"},
		{"dig", "unknown subcommand", "/survey digest", "/survey help"},
		{"frobnicate", "unknown subcommand", "", "/survey send"},
		{"send", "needs a survey and a customer", "", "/survey send <survey> <customer>"},
		{"send nps", "only \"nps\" was given", "", "/survey send <survey> <customer>"},
		{"send nps cus_42 cus_43", "one too many", "", "/survey send"},
		{"send nps <@nobody>", "not a Slack or Discord user mention", "", "/survey send"},
		{"send nps @ab", "not a Telegram username", "", "/survey send"},
		{"send nps cus#42", "not a customer id", "", "/survey send"},
		{"send n!ps cus_42", "not a survey id", "", "/survey send"},
		{"link", "needs a customer", "", "/survey link <customer>"},
		{"link a b", "one too many", "", "/survey link"},
		{"stats 30d", "not a window", "28d", "/survey stats"},
		{"stats nps 9d", "not a window", "7d", "/survey stats"},
		{"stats 4w", "not a window", "28d", "/survey stats"},
		{"stats 100", "not a window", "90d", "/survey stats"},
		{"stats nps 7d 28d", "one window", "", "/survey stats"},
		{"stats nps by", "needs an attribute", "", "/survey stats"},
		{"stats nps bye agent", "unexpected \"bye\"", "by agent", "/survey stats"},
		{"stats nps csat", "unexpected \"csat\"", "", "/survey stats"},
		{"quotes detractor", "not detractors or promoters", "detractors", "/survey quotes"},
		{"quotes nps promotors", "not detractors or promoters", "promoters", "/survey quotes"},
		{"quotes detractors promoters", "not both", "", "/survey quotes"},
		{"quotes nps csat", "unexpected", "", "/survey quotes"},
		{"digest a b", "one too many", "", "/survey digest"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			_, err := surveys.ParseCommand(tt.text)
			var ce *surveys.CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCommand(%q) error = %v, want a *CommandError", tt.text, err)
			}
			if !strings.Contains(ce.Problem, tt.problem) {
				t.Errorf("problem = %q, want it to contain %q", ce.Problem, tt.problem)
			}
			if ce.Suggestion != tt.suggestion {
				t.Errorf("suggestion = %q, want %q", ce.Suggestion, tt.suggestion)
			}
			if !strings.Contains(ce.Usage, tt.usage) {
				t.Errorf("usage = %q, want it to contain %q", ce.Usage, tt.usage)
			}
			if tt.suggestion != "" && !strings.Contains(err.Error(), "Did you mean "+tt.suggestion+"?") {
				t.Errorf("Error() = %q, want the suggestion in it", err.Error())
			}
		})
	}
}

func TestIsAmbassadorCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want bool
	}{
		{"/survey", true},
		{"/survey send nps cus_42", true},
		{"/SURVEY stats", true},
		{"/survey@vocbot stats", true},
		{"  /survey help", true},
		{"\u2067/survey help\u2069", true},
		{"/surveys", false},
		{"/survey_x", false},
		{"/survey@ stats", false},
		{"/start", false},
		{"survey send", false},
		{"9", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := surveys.IsAmbassadorCommand(tt.text); got != tt.want {
			t.Errorf("IsAmbassadorCommand(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"", "/survey", "send nps cus_42", "/survey@bot send enps <@U0123|dana smith>", "stats nps 7d by agent",
		"quotes csat detractors", "link @dana_k", "digest daily", "help send", "sned", "stats 30d", "<@", "<@!1>",
		"send nps <@812345678901234567>", "stats by", "quotes promotors", "\u200f/survey link cus_1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := surveys.ParseCommand(text)
		if err != nil {
			var ce *surveys.CommandError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCommand(%q) error %T, want *CommandError", text, err)
			}
			if ce.Problem == "" || ce.Usage == "" {
				t.Fatalf("ParseCommand(%q) error %+v without a problem or usage", text, ce)
			}
			return
		}
		if c.Verb.Usage() == "" {
			t.Fatalf("ParseCommand(%q) = %+v: no such verb", text, c)
		}
		s := c.String()
		if !utf8.ValidString(s) && utf8.ValidString(text) {
			t.Fatalf("String() = %q is not UTF-8", s)
		}
		again, err := surveys.ParseCommand(s)
		if err != nil {
			t.Fatalf("ParseCommand(%q) = %+v; its String %q does not parse: %v", text, c, s, err)
		}
		if !cmp.Equal(again, c) {
			t.Fatalf("ParseCommand(%q) = %+v, but its String %q reads as %+v", text, c, s, again)
		}
		if (c.Verb == surveys.VerbSend || c.Verb == surveys.VerbLink) && c.Customer.IsZero() {
			t.Fatalf("ParseCommand(%q) = %+v: %s without a customer", text, c, c.Verb)
		}
	})
}
