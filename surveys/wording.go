package surveys

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/vocbot/vocbot/scoring"
)

// MessageID names one thing vocbot says to customers. The wording of each
// lives in the go-i18n catalogs locales/active.<locale>.json, one per locale
// of Locales, embedded in the binary; a test checks that every locale has
// every message.
type MessageID string

// What vocbot says in a survey conversation and in reply to customers'
// commands. Template data each one uses is in brackets; Product and the
// command names are always filled in (see Settings.Text).
const (
	MsgFollowUp       MessageID = "followup.why"     // "why?" after the score
	MsgFollowUpReply  MessageID = "followup.reply"   // how to answer "why?" where the answer is typed
	MsgReasonAsk      MessageID = "reason.ask"       // above a survey's reason buttons
	MsgThanks         MessageID = "thanks"           // after the last answer
	MsgReminder       MessageID = "reminder"         // [Count: hours left, plural]
	MsgAnswer         MessageID = "answer.recorded"  // replaces the buttons [Score]
	MsgInvalidAnswer  MessageID = "answer.invalid"   // typed answer off the scale [Min, Max]
	MsgAlreadyAnswer  MessageID = "answer.already"   // a second answer to the same question
	MsgSurveyClosed   MessageID = "survey.closed"    // answer after the invitation expired
	MsgStopped        MessageID = "stop.done"        // /stop
	MsgResumed        MessageID = "resume.done"      // /resume
	MsgLanguageSet    MessageID = "language.changed" // /language xx, said in the new language
	MsgLanguageList   MessageID = "language.unknown" // /language with no or an unknown code
	MsgHelp           MessageID = "help"             // /help
	MsgDeleteConfirm  MessageID = "delete.confirm"   // /delete_my_data, asks first
	MsgDeleteYes      MessageID = "delete.yes"       // button label
	MsgDeleteNo       MessageID = "delete.no"        // button label
	MsgDeleted        MessageID = "delete.done"      // after erasing
	MsgDeleteCanceled MessageID = "delete.cancelled" // "no" to the confirmation
	MsgLinked         MessageID = "link.done"        // /start <token> linked the chat
	MsgLinkInvalid    MessageID = "link.invalid"     // /start with a spent or unknown token
	MsgHello          MessageID = "start.hello"      // /start without a token, chat not linked
)

// defaultLocale is spoken when neither the customer's locale nor the
// workspace's is one vocbot speaks.
const defaultLocale = "en"

// ltrValues are the template values known to be left to right: commands
// and locale codes get LRI…PDI in RTL text, others FSI…PDI.
var ltrValues = map[string]bool{"Locales": true}

// The customer commands, filled into every message as CmdStop, CmdResume,
// CmdLanguage, CmdDelete and CmdHelp so that the catalogs need not spell
// them and RTL text can isolate them left to right.
var commands = map[string]string{
	"CmdStop":     "/stop",
	"CmdResume":   "/resume",
	"CmdLanguage": "/language",
	"CmdDelete":   "/delete_my_data",
	"CmdHelp":     "/help",
}

//go:embed locales/active.*.json
var localeFiles embed.FS

// wordings are the parsed catalogs with one localizer per locale. They are
// read-only once loaded, so one copy serves every Settings and goroutine.
type wordings struct {
	localizers map[string]*i18n.Localizer
}

var catalog = sync.OnceValue(func() *wordings {
	w, err := loadWordings(localeFiles)
	if err != nil {
		panic(err) // the catalogs are part of the binary; a test loads them
	}
	return w
})

func loadWordings(fsys fs.FS) (*wordings, error) {
	localizers, err := loadCatalog(fsys, "active")
	if err != nil {
		return nil, err
	}
	return &wordings{localizers: localizers}, nil
}

// textLocale is the locale vocbot speaks to someone whose locale is given:
// that one if vocbot speaks it ("he-IL" counts as "he"), else the
// workspace's default, else English.
func (s *Settings) textLocale(locale string) string {
	for _, l := range []string{locale, s.DefaultLocale} {
		base, _ := baseLanguage(l)
		for _, known := range Locales {
			if base == known {
				return base
			}
		}
	}
	return defaultLocale
}

// Text is message id in the given locale (falling back to the workspace's
// default locale, then English), with data filled in.
//
// Product (the workspace's product name) and the command names are always
// available to the catalogs; data adds to them or overrides them. Integers
// are written with the locale's digits (Persian ۰–۹ for fa, Arabic-Indic for
// ar). A value under "Count" also picks the plural form. In right-to-left
// locales every string value is wrapped in an FSI…PDI isolate and every line
// starts with a right-to-left character, so a Latin brand
// or command cannot reorder the sentence around it.
//
// A message missing from the catalogs (a programming error the tests catch)
// comes back as its id rather than failing a conversation.
func (s *Settings) Text(locale string, id MessageID, data map[string]any) string {
	locale = s.textLocale(locale)
	rtl := scoring.IsRTL(locale)
	printer := message.NewPrinter(language.Make(locale))
	fill := map[string]any{"Product": s.Product, "Locales": strings.Join(Locales, ", ")}
	for k, v := range commands {
		fill[k] = v
	}
	maps.Copy(fill, data)
	for k, v := range fill {
		_, command := commands[k]
		fill[k] = localValue(printer, rtl, command || ltrValues[k], v)
	}
	cfg := &i18n.LocalizeConfig{MessageID: string(id), TemplateData: fill}
	if n, ok := data["Count"]; ok {
		cfg.PluralCount = n
	}
	text, err := catalog().localizers[locale].Localize(cfg)
	if err != nil && text == "" {
		return string(id)
	}
	return scoring.AnchorRTL(locale, text)
}

// Reply is Text as a prompt without choices, in the locale's direction: what
// the conversation sends in answer to a command.
func (s *Settings) Reply(locale string, id MessageID, data map[string]any) Prompt {
	return Prompt{Text: s.Text(locale, id, data), Dir: s.direction(locale)}
}

func (s *Settings) direction(locale string) TextDirection {
	if scoring.IsRTL(s.textLocale(locale)) {
		return RTL
	}
	return LTR
}

// localValue formats one template value for the locale: integers in its
// digits (negative ones isolated left to right in RTL text, §10 rule 3),
// strings isolated in RTL text, left to right when ltr is known.
func localValue(p *message.Printer, rtl, ltr bool, v any) any {
	var s string
	switch v := v.(type) {
	case int, int64, int32:
		s = p.Sprintf("%d", v)
		if rtl && strings.ContainsAny(s, "-\u2212") {
			return scoring.IsolateLTR(s)
		}
		return s
	case string:
		s = v
	case fmt.Stringer:
		s = v.String()
	default:
		return v
	}
	switch {
	case !rtl || s == "":
		return s
	case ltr:
		return scoring.IsolateLTR(s)
	}
	return scoring.Isolate(s)
}
