package surveys

import (
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/vocbot/vocbot/scoring"
)

// A survey's own wording, chosen by the team per locale: where it has none
// for a locale, vocbot's built-in wording speaks.

// Reason is one answer to "what was it mostly about?", offered as a button
// after the score and counted in digests as a driver.
type Reason struct {
	// ID is short ASCII (a-z, 0-9, _; at most 8 bytes) so it fits every
	// platform's button data; it is what responses store.
	ID string
	// Labels is the button's text per locale.
	Labels map[string]string
}

// MaxReasonIDLen is the longest reason id: Telegram's callback data keeps 8
// bytes for a choice's value.
const MaxReasonIDLen = 8

// Title is how people read the survey's name in locale: its title there,
// else in the workspace's default locale, else in English, else its id.
func (s *Settings) Title(surveyID, locale string) string {
	if t, ok := s.title(surveyID, locale); ok {
		return t
	}
	return surveyID
}

// title is the survey's configured title for locale with Title's
// fallbacks, false when it has none at all.
func (s *Settings) title(surveyID, locale string) (string, bool) {
	sv, ok := s.Survey(surveyID)
	if !ok || len(sv.Title) == 0 {
		return "", false
	}
	return pickLocale(sv.Title, s.textLocale(locale), s.DefaultLocale), true
}

// pickLocale is m's text in locale, else in the fallback locale, else in
// English, else in the first locale of Locales that has one.
func pickLocale(m map[string]string, locale, fallback string) string {
	for _, l := range append([]string{locale, fallback, defaultLocale}, Locales...) {
		if t := m[l]; t != "" {
			return t
		}
	}
	return ""
}

// ownText is the team's wording from m for locale (already one of
// Locales), "[X]" filled with the product and anchored for RTL; false
// when m has no text for that locale.
func (s *Settings) ownText(m map[string]string, locale string) (string, bool) {
	text := m[locale]
	if text == "" {
		return "", false
	}
	rtl := scoring.IsRTL(locale)
	product := localValue(message.NewPrinter(language.Make(locale)), rtl, false, s.Product).(string)
	return scoring.AnchorRTL(locale, strings.ReplaceAll(text, "[X]", product)), true
}

// followUpText is the follow-up question of sv for an answer in band b:
// the band's own wording, else the survey's for every band, else built-in.
// The built-in question comes with a hint on how to answer in a chat; a
// team's own question is shown as written.
func (s *Settings) followUpText(sv Survey, b scoring.Bucket, locale string) (text, hint string) {
	locale = s.textLocale(locale)
	for _, band := range []scoring.Bucket{b, 0} {
		if t, ok := s.ownText(sv.FollowUpQuestion[band], locale); ok {
			return t, ""
		}
	}
	return s.Text(locale, MsgFollowUp, nil), s.Text(locale, MsgFollowUpReply, nil)
}

// thanksText is the survey's thank-you in locale, or the built-in one.
func (s *Settings) thanksText(surveyID, locale string) string {
	locale = s.textLocale(locale)
	if sv, ok := s.Survey(surveyID); ok {
		if t, ok := s.ownText(sv.Thanks, locale); ok {
			return t
		}
	}
	return s.Text(locale, MsgThanks, nil)
}

// reason finds the survey's reason by id.
func (sv Survey) reason(id string) (Reason, bool) {
	i := slices.IndexFunc(sv.Reasons, func(r Reason) bool { return r.ID == id })
	if i < 0 {
		return Reason{}, false
	}
	return sv.Reasons[i], true
}

// LocaleUsed tells whoever asked for a customer locale vocbot has no
// wording for (e.g. "de") which locale it speaks to them instead: chosen,
// the invitation's locale, or the workspace's default when that is empty.
// ok is false when requested is empty or a locale vocbot speaks ("he-IL"
// counts as "he").
func (s *Settings) LocaleUsed(requested, chosen string) (used string, ok bool) {
	if requested == "" {
		return "", false
	}
	if base, _ := baseLanguage(requested); slices.Contains(Locales, base) {
		return "", false
	}
	if chosen != "" {
		return chosen, true
	}
	return s.textLocale(""), true
}

// DisplayTitle is the survey's title in locale (a base code such as "en"),
// else in English, else in any locale it has; "" when it has none, so the
// caller shows the id and metric instead. Settings.Title also tries the
// workspace's default locale.
func (sv Survey) DisplayTitle(locale string) string {
	return pickLocale(sv.Title, locale, defaultLocale)
}
