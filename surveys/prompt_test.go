package surveys_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got), rerun with -update if intended:\n%s", path, diff)
	}
}

// visible names the invisible bidi controls, so golden files can be
// reviewed and still assert exact code points.
var visible = strings.NewReplacer(
	string(scoring.RLM), "<RLM>", string(scoring.LRM), "<LRM>", string(scoring.ALM), "<ALM>",
	string(scoring.FSI), "<FSI>", string(scoring.LRI), "<LRI>", string(scoring.RLI), "<RLI>",
	string(scoring.PDI), "<PDI>",
)

func renderPrompt(p surveys.Prompt) string {
	var b strings.Builder
	dir := "ltr"
	if p.Dir == surveys.RTL {
		dir = "rtl"
	}
	fmt.Fprintf(&b, "dir=%s ref=%q\n%s\n", dir, p.Ref, visible.Replace(p.Text))
	if p.Hint != "" {
		fmt.Fprintf(&b, "hint: %s\n", visible.Replace(p.Hint))
	}
	if len(p.Choices) > 0 {
		b.WriteString("choices:")
		for _, c := range p.Choices {
			fmt.Fprintf(&b, " [%s|%s]", c.Label, c.Value)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func testSettings() *surveys.Settings {
	return &surveys.Settings{
		Product:       "Acme",
		DefaultLocale: "en",
		Timezone:      time.UTC,
		Surveys:       surveys.BuiltinSurveys(),
		MinGap:        720 * time.Hour,
		Enabled:       []surveys.Platform{surveys.Telegram},
	}
}

func TestScorePromptGolden(t *testing.T) {
	t.Parallel()
	s := testSettings()
	var b strings.Builder
	for _, sv := range s.Surveys {
		for _, locale := range surveys.Locales {
			inv := surveys.Invitation{ID: 42, SurveyID: sv.ID, Locale: locale}
			p, err := s.ScorePrompt(inv)
			if err != nil {
				t.Fatalf("ScorePrompt(%s, %s): %v", sv.ID, locale, err)
			}
			fmt.Fprintf(&b, "=== score %s %s\n%s\n", sv.ID, locale, renderPrompt(p))
		}
	}
	expires := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, locale := range surveys.Locales {
		inv := surveys.Invitation{ID: 42, SurveyID: "nps", Locale: locale, ExpiresAt: expires}
		p, err := s.FollowUpPrompt(inv)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "=== follow-up %s\n%s\n", locale, renderPrompt(p))
		fmt.Fprintf(&b, "=== thanks %s\n%s\n", locale, renderPrompt(s.ThanksPrompt(inv)))
		p, err = s.ReminderPrompt(inv, expires.Add(-48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "=== reminder nps %s\n%s\n", locale, renderPrompt(p))
	}
	golden(t, "prompts.golden", b.String())
}

// TestMessagesGolden writes every customer-facing message in every locale
// to one file: the page a native reviewer reads.
func TestMessagesGolden(t *testing.T) {
	t.Parallel()
	s := testSettings()
	data := map[surveys.MessageID]map[string]any{
		surveys.MsgReminder:      {"Count": 48},
		surveys.MsgAnswer:        {"Score": 9},
		surveys.MsgInvalidAnswer: {"Min": 0, "Max": 10},
	}
	var b strings.Builder
	for _, id := range allMessages {
		for _, locale := range surveys.Locales {
			fmt.Fprintf(&b, "=== %s %s\n%s\n\n", id, locale, visible.Replace(s.Text(locale, id, data[id])))
		}
	}
	golden(t, "messages.golden", b.String())
}

var allMessages = []surveys.MessageID{
	surveys.MsgFollowUp, surveys.MsgFollowUpReply, surveys.MsgThanks, surveys.MsgReminder, surveys.MsgAnswer,
	surveys.MsgInvalidAnswer, surveys.MsgAlreadyAnswer, surveys.MsgSurveyClosed,
	surveys.MsgStopped, surveys.MsgResumed, surveys.MsgLanguageSet, surveys.MsgLanguageList,
	surveys.MsgHelp, surveys.MsgDeleteConfirm, surveys.MsgDeleteYes, surveys.MsgDeleteNo,
	surveys.MsgDeleted, surveys.MsgDeleteCanceled, surveys.MsgLinked, surveys.MsgLinkInvalid,
	surveys.MsgHello,
}

// TestCatalogsComplete checks that every message exists in every locale and
// fills all its template fields: a missing one would come back as its id, an
// unknown field as "<no value>".
func TestCatalogsComplete(t *testing.T) {
	t.Parallel()
	s := testSettings()
	data := map[string]any{"Count": 3, "Score": 9, "Min": 0, "Max": 10}
	for _, locale := range surveys.Locales {
		for _, id := range allMessages {
			t.Run(locale+"/"+string(id), func(t *testing.T) {
				t.Parallel()
				got := s.Text(locale, id, data)
				if got == string(id) || got == "" {
					t.Fatalf("Text(%s, %s) = %q: message missing", locale, id, got)
				}
				if strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
					t.Errorf("Text(%s, %s) = %q: unfilled template field", locale, id, got)
				}
				if locale != "en" && got == s.Text("en", id, data) && !sameInEveryLanguage[id] {
					t.Errorf("Text(%s, %s) is the English text %q: not translated", locale, id, got)
				}
			})
		}
	}
}

var sameInEveryLanguage = map[surveys.MessageID]bool{}

// TestTextPlurals checks the reminder's plural forms, which differ most
// between the five languages: he has "two", ar six forms, ru counts 21 as
// "one" and 11 as "many".
func TestTextPlurals(t *testing.T) {
	t.Parallel()
	s := testSettings()
	tests := []struct {
		locale string
		count  int
		want   string
	}{
		{"en", 1, "A quick reminder: this survey is open for 1 more hour."},
		{"en", 48, "A quick reminder: this survey is open for 48 more hours."},
		{"he", 1, "תזכורת קטנה: הסקר פתוח עוד שעה אחת."},
		{"he", 2, "תזכורת קטנה: הסקר פתוח עוד שעתיים."},
		{"he", 24, "תזכורת קטנה: הסקר פתוח עוד 24 שעות."},
		{"fa", 48, "یادآوری: این نظرسنجی تا ۴۸ ساعت دیگر باز است."},
		{"ar", 1, "تذكير: سيبقى هذا الاستطلاع مفتوحًا لمدة ساعة واحدة."},
		{"ar", 2, "تذكير: سيبقى هذا الاستطلاع مفتوحًا لمدة ساعتين."},
		{"ar", 5, "تذكير: سيبقى هذا الاستطلاع مفتوحًا لمدة ٥ ساعات."},
		{"ar", 48, "تذكير: سيبقى هذا الاستطلاع مفتوحًا لمدة ٤٨ ساعة."},
		{"ru", 1, "Напоминаем: опрос открыт ещё 1 час."},
		{"ru", 21, "Напоминаем: опрос открыт ещё 21 час."},
		{"ru", 3, "Напоминаем: опрос открыт ещё 3 часа."},
		{"ru", 11, "Напоминаем: опрос открыт ещё 11 часов."},
		{"ru", 48, "Напоминаем: опрос открыт ещё 48 часов."},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.locale, tt.count), func(t *testing.T) {
			t.Parallel()
			got := s.Text(tt.locale, surveys.MsgReminder, map[string]any{"Count": tt.count})
			got = strings.TrimPrefix(got, string(scoring.RLM))
			if got != tt.want {
				t.Errorf("reminder = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTextLocaleFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, defaultLocale, locale, wantLike string
	}{
		{"spoken", "he", "ru", "ru"},
		{"region subtag", "en", "he-IL", "he"},
		{"underscore", "en", "fa_IR", "fa"},
		{"old Hebrew code", "en", "iw", "he"},
		{"unknown to default", "ar", "de", "ar"},
		{"empty to default", "fa", "", "fa"},
		{"default unknown too", "de", "fr", "en"},
		{"no default", "", "xx", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := testSettings()
			s.DefaultLocale = tt.defaultLocale
			got := s.Reply(tt.locale, surveys.MsgThanks, nil)
			want := s.Reply(tt.wantLike, surveys.MsgThanks, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Reply(%q) with default %q mismatch (-want +got):\n%s", tt.locale, tt.defaultLocale, diff)
			}
		})
	}
}

// TestRTLLinesAnchored checks the RTL anchoring rule on every message: in he,
// fa and ar each line begins with a right-to-left letter or RLM.
func TestRTLLinesAnchored(t *testing.T) {
	t.Parallel()
	s := testSettings()
	for _, locale := range []string{"he", "fa", "ar"} {
		var texts []string
		for _, id := range allMessages {
			texts = append(texts, s.Text(locale, id, map[string]any{"Count": 2, "Score": 9, "Min": 0, "Max": 10}))
		}
		for _, sv := range s.Surveys {
			p, err := s.ScorePrompt(surveys.Invitation{ID: 1, SurveyID: sv.ID, Locale: locale})
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, p.Text)
		}
		for _, text := range texts {
			for _, line := range strings.Split(text, "\n") {
				if line == "" {
					continue
				}
				r := []rune(line)[0]
				if r != scoring.RLM && !unicode.In(r, unicode.Hebrew, unicode.Arabic) {
					t.Errorf("%s line %q starts with %q, want an RTL letter or RLM", locale, line, r)
				}
			}
		}
	}
}

func TestScorePrompt(t *testing.T) {
	t.Parallel()
	s := testSettings()
	s.Surveys = append(s.Surveys,
		surveys.Survey{ID: "nps-delivery", Metric: surveys.NPS, Question: map[string]string{
			"en": "Would you recommend [X] after this delivery?",
			"he": "האם תמליצו על [X] אחרי המשלוח?",
		}},
		surveys.Survey{ID: "broken", Metric: "mood"},
	)
	values := func(lo, hi int) []string {
		var out []string
		for v := lo; v <= hi; v++ {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	tests := []struct {
		name       string
		inv        surveys.Invitation
		wantValues []string
		wantLabels []string // nil: same as values
		wantDir    surveys.TextDirection
		wantText   string // a line the text must contain
		wantErr    string
	}{
		{name: "nps en", inv: surveys.Invitation{ID: 7, SurveyID: "nps", Locale: "en"},
			wantValues: values(0, 10), wantText: "0 = Not at all likely"},
		{name: "enps ru", inv: surveys.Invitation{ID: 7, SurveyID: "enps", Locale: "ru"},
			wantValues: values(0, 10), wantText: "10 = Обязательно порекомендую"},
		{name: "csat he", inv: surveys.Invitation{ID: 7, SurveyID: "csat", Locale: "he"},
			wantValues: values(1, 5), wantDir: surveys.RTL, wantText: "\u200f1 = בכלל לא מרוצה"},
		{name: "ces fa digits", inv: surveys.Invitation{ID: 7, SurveyID: "ces", Locale: "fa"},
			wantValues: values(1, 7), wantLabels: []string{"۱", "۲", "۳", "۴", "۵", "۶", "۷"},
			wantDir: surveys.RTL, wantText: "\u200f۷ = کاملاً موافقم"},
		{name: "nps ar digits", inv: surveys.Invitation{ID: 7, SurveyID: "nps", Locale: "ar"},
			wantValues: values(0, 10), wantLabels: []string{"٠", "١", "٢", "٣", "٤", "٥", "٦", "٧", "٨", "٩", "١٠"},
			wantDir: surveys.RTL, wantText: "\u200f٠ = غير محتمل على الإطلاق"},
		{name: "override en", inv: surveys.Invitation{ID: 7, SurveyID: "nps-delivery", Locale: "en"},
			wantValues: values(0, 10), wantText: "Would you recommend Acme after this delivery?"},
		{name: "override he isolates product", inv: surveys.Invitation{ID: 7, SurveyID: "nps-delivery", Locale: "he"},
			wantValues: values(0, 10), wantDir: surveys.RTL, wantText: "האם תמליצו על \u2068Acme\u2069 אחרי המשלוח?"},
		{name: "no override for ru keeps built-in", inv: surveys.Invitation{ID: 7, SurveyID: "nps-delivery", Locale: "ru"},
			wantValues: values(0, 10), wantText: "Насколько вероятно, что вы порекомендуете Acme другу или коллеге?"},
		{name: "unknown locale falls back to default", inv: surveys.Invitation{ID: 7, SurveyID: "csat", Locale: "de"},
			wantValues: values(1, 5), wantText: "5 = Very satisfied"},
		{name: "unknown survey", inv: surveys.Invitation{ID: 7, SurveyID: "gone", Locale: "en"},
			wantErr: `prompt for invitation 7: unknown survey "gone"; known: nps, csat, ces, enps, nps-delivery, broken`},
		{name: "unknown metric", inv: surveys.Invitation{ID: 7, SurveyID: "broken", Locale: "en"},
			wantErr: `score prompt for invitation 7: survey "broken" has unknown metric "mood"`},
		{name: "unsaved invitation", inv: surveys.Invitation{SurveyID: "nps", Locale: "en"},
			wantErr: "prompt for invitation 0: not a stored invitation (id must be positive)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := s.ScorePrompt(tt.inv)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ScorePrompt error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ScorePrompt: %v", err)
			}
			labels := tt.wantLabels
			if labels == nil {
				labels = tt.wantValues
			}
			var gotValues, gotLabels []string
			for _, c := range p.Choices {
				gotValues = append(gotValues, c.Value)
				gotLabels = append(gotLabels, c.Label)
			}
			if diff := cmp.Diff(tt.wantValues, gotValues); diff != "" {
				t.Errorf("choice values mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(labels, gotLabels); diff != "" {
				t.Errorf("choice labels mismatch (-want +got):\n%s", diff)
			}
			if p.Dir != tt.wantDir {
				t.Errorf("Dir = %v, want %v", p.Dir, tt.wantDir)
			}
			if !strings.Contains(p.Text, tt.wantText) {
				t.Errorf("Text = %q, want it to contain %q", p.Text, tt.wantText)
			}
			ref, err := surveys.ParseRef(p.Ref)
			if err != nil {
				t.Fatalf("Ref %q: %v", p.Ref, err)
			}
			if want := (surveys.Ref{InvitationID: 7, Question: surveys.QuestionScore}); ref != want {
				t.Errorf("Ref = %+v, want %+v", ref, want)
			}
		})
	}
}

func TestFollowUpPrompt(t *testing.T) {
	t.Parallel()
	s := testSettings()
	p, err := s.FollowUpPrompt(surveys.Invitation{ID: 99, SurveyID: "csat", Locale: "fa"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Choices) != 0 {
		t.Errorf("Choices = %v, want none: the reason is typed", p.Choices)
	}
	if p.Ref != "w99" || p.Dir != surveys.RTL {
		t.Errorf("Ref, Dir = %q, %v; want \"w99\", RTL", p.Ref, p.Dir)
	}
	if _, err := s.FollowUpPrompt(surveys.Invitation{ID: 99, SurveyID: "nope"}); err == nil {
		t.Error("FollowUpPrompt for an unknown survey: got no error")
	}
}

func TestReminderHoursRoundUp(t *testing.T) {
	t.Parallel()
	s := testSettings()
	expires := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	inv := surveys.Invitation{ID: 3, SurveyID: "nps", Locale: "en", ExpiresAt: expires}
	for _, tt := range []struct {
		left time.Duration
		want string
	}{
		{47*time.Hour + time.Minute, "open for 48 more hours"},
		{48 * time.Hour, "open for 48 more hours"},
		{30 * time.Minute, "open for 1 more hour."},
	} {
		p, err := s.ReminderPrompt(inv, expires.Add(-tt.left))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.Text, tt.want) {
			t.Errorf("%v left: text %q, want it to contain %q", tt.left, p.Text, tt.want)
		}
		if p.Ref != "s3" || len(p.Choices) != 11 {
			t.Errorf("%v left: Ref %q with %d choices, want the score prompt's", tt.left, p.Ref, len(p.Choices))
		}
	}
}
