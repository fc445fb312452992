package discord

import "strings"

// texts are the few words the adapter itself shows: the button and modal
// for writing an answer, and the private notes after a press. Everything
// else comes worded from surveys. Each starts with a letter of its own
// script, so RTL ones need no direction mark.
type texts struct {
	write      string // the button under a "why?" question
	modalTitle string // ≤ 45 characters
	answer     string // the modal's text field when the question is too long for its label
	refused    string // a button that is not (or no longer) this person's
	failed     string // vocbot could not take it in
	done       string // a command that has nothing else to say
	reply      string // the modal for staff replying to an alert's customer
}

var wordings = map[string]texts{
	"en": {"Write an answer", "Your answer", "Your answer", "This button is not for you, or it is no longer valid.",
		"Sorry, that did not work on our side. Please try again in a minute.", "✓", "Reply to the customer"},
	"he": {"כתיבת תשובה", "התשובה שלך", "התשובה שלך", "הכפתור הזה אינו מיועד לך, או שאינו בתוקף עוד.",
		"מצטערים, משהו השתבש אצלנו. נסו שוב בעוד דקה.", "✓", "תשובה ללקוח"},
	"fa": {"نوشتن پاسخ", "پاسخ شما", "پاسخ شما", "این دکمه برای شما نیست یا دیگر معتبر نیست.",
		"متأسفیم، مشکلی از سمت ما پیش آمد. لطفاً یک دقیقه دیگر دوباره امتحان کنید.", "✓", "پاسخ به مشتری"},
	"ar": {"اكتب إجابة", "إجابتك", "إجابتك", "هذا الزر ليس لك، أو لم يعد صالحًا.",
		"عذرًا، حدث خطأ من جهتنا. يرجى المحاولة مرة أخرى بعد دقيقة.", "✓", "الرد على العميل"},
	"ru": {"Написать ответ", "Ваш ответ", "Ваш ответ", "Эта кнопка не для вас или уже недействительна.",
		"Извините, у нас что-то пошло не так. Попробуйте ещё раз через минуту.", "✓", "Ответ клиенту"},
}

// wording is the texts for a locale ("he", "pt-BR", …); English for
// languages vocbot does not speak.
func wording(locale string) texts {
	if t, ok := wordings[strings.ToLower(baseLanguage(locale))]; ok {
		return t
	}
	return wordings["en"]
}

func baseLanguage(locale string) string {
	for i := 0; i < len(locale); i++ {
		if locale[i] == '-' || locale[i] == '_' {
			return locale[:i]
		}
	}
	return locale
}
