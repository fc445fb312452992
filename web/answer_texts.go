package web

import (
	"strconv"

	"github.com/vocbot/vocbot/surveys"
)

// The answer page's own words: what the chat never needs to say (a page
// title, a button, a broken link). The survey's wordings (question,
// anchors, follow-up, thanks, "already answered") come from surveys, the
// same as in the chat. Translations other than English need native review.

type answerTextID string

const (
	answerTextInvalid answerTextID = "invalid"
	answerTextForeign answerTextID = "foreign"
	answerTextTooLong answerTextID = "too_long"
	answerTextEmpty   answerTextID = "empty"
	answerTextFailed  answerTextID = "failed"
	// answerTextChoose: the second step of a survey with reasons and no
	// comment, sent with no reason chosen.
	answerTextChoose answerTextID = "choose"
	// answerTextUnknownReason: a reason that is not one of the survey's.
	answerTextUnknownReason answerTextID = "unknown_reason"
)

type answerTexts struct {
	Title, Send, Placeholder string
	messages                 map[answerTextID]string
}

func (t answerTexts) text(id answerTextID) string { return t.messages[id] }

var answerCatalog = map[string]answerTexts{
	"en": {Title: "Your feedback", Send: "Send", Placeholder: "Your answer",
		messages: map[answerTextID]string{
			answerTextInvalid:       "This link is not valid. Please check that you opened the whole link you received.",
			answerTextForeign:       "This form can only be sent from its own page. Please open the link you received again.",
			answerTextTooLong:       "Your comment is too long: please keep it to " + strconv.Itoa(surveys.MaxWebComment) + " characters.",
			answerTextEmpty:         "Please write a few words, or choose Skip.",
			answerTextFailed:        "Sorry, something went wrong on our side. Please try again in a few minutes.",
			answerTextChoose:        "Please choose one of the answers, or Skip.",
			answerTextUnknownReason: "That answer is not one of the choices. Please choose one of the answers shown.",
		}},
	"he": {Title: "המשוב שלך", Send: "שליחה", Placeholder: "התשובה שלך",
		messages: map[answerTextID]string{
			answerTextInvalid:       "הקישור הזה אינו תקין. נא לוודא שפתחת את הקישור המלא שקיבלת.",
			answerTextForeign:       "אפשר לשלוח את הטופס הזה רק מהעמוד שלו. נא לפתוח שוב את הקישור שקיבלת.",
			answerTextTooLong:       "ההערה ארוכה מדי: עד " + strconv.Itoa(surveys.MaxWebComment) + " תווים, בבקשה.",
			answerTextEmpty:         "נא לכתוב כמה מילים, או לבחור דילוג.",
			answerTextFailed:        "מצטערים, משהו השתבש אצלנו. נא לנסות שוב בעוד כמה דקות.",
			answerTextChoose:        "נא לבחור אחת מהתשובות, או לבחור דילוג.",
			answerTextUnknownReason: "התשובה הזו אינה אחת האפשרויות. נא לבחור אחת מהתשובות המוצגות.",
		}},
	"fa": {Title: "نظر شما", Send: "ارسال", Placeholder: "پاسخ شما",
		messages: map[answerTextID]string{
			answerTextInvalid:       "این پیوند معتبر نیست. لطفاً مطمئن شوید که پیوند کاملی را که دریافت کرده\u200cاید باز کرده\u200cاید.",
			answerTextForeign:       "این فرم فقط از صفحهٔ خودش ارسال می\u200cشود. لطفاً پیوندی را که دریافت کرده\u200cاید دوباره باز کنید.",
			answerTextTooLong:       "نظر شما خیلی طولانی است: لطفاً حداکثر " + strconv.Itoa(surveys.MaxWebComment) + " نویسه بنویسید.",
			answerTextEmpty:         "لطفاً چند کلمه بنویسید یا «رد شدن» را انتخاب کنید.",
			answerTextFailed:        "متأسفیم، مشکلی در سمت ما پیش آمد. لطفاً چند دقیقهٔ دیگر دوباره امتحان کنید.",
			answerTextChoose:        "لطفاً یکی از پاسخ\u200cها را انتخاب کنید یا «رد شدن» را بزنید.",
			answerTextUnknownReason: "این پاسخ جزو گزینه\u200cها نیست. لطفاً یکی از پاسخ\u200cهای نمایش\u200cداده\u200cشده را انتخاب کنید.",
		}},
	"ar": {Title: "رأيك", Send: "إرسال", Placeholder: "إجابتك",
		messages: map[answerTextID]string{
			answerTextInvalid:       "هذا الرابط غير صالح. يُرجى التأكد من فتح الرابط الكامل الذي وصلك.",
			answerTextForeign:       "لا يمكن إرسال هذا النموذج إلا من صفحته. يُرجى فتح الرابط الذي وصلك مرة أخرى.",
			answerTextTooLong:       "تعليقك طويل جدًا: يُرجى ألا يتجاوز " + strconv.Itoa(surveys.MaxWebComment) + " حرفًا.",
			answerTextEmpty:         "يُرجى كتابة بضع كلمات، أو اختيار تخطٍّ.",
			answerTextFailed:        "عذرًا، حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى بعد بضع دقائق.",
			answerTextChoose:        "يُرجى اختيار إحدى الإجابات، أو اختيار تخطٍّ.",
			answerTextUnknownReason: "هذه الإجابة ليست من الخيارات. يُرجى اختيار إحدى الإجابات المعروضة.",
		}},
	"ru": {Title: "Ваш отзыв", Send: "Отправить", Placeholder: "Ваш ответ",
		messages: map[answerTextID]string{
			answerTextInvalid:       "Эта ссылка недействительна. Проверьте, что вы открыли полученную ссылку целиком.",
			answerTextForeign:       "Эту форму можно отправить только с её страницы. Откройте полученную ссылку ещё раз.",
			answerTextTooLong:       "Комментарий слишком длинный: не больше " + strconv.Itoa(surveys.MaxWebComment) + " символов, пожалуйста.",
			answerTextEmpty:         "Напишите несколько слов или нажмите «Пропустить».",
			answerTextFailed:        "Извините, у нас что-то пошло не так. Попробуйте ещё раз через несколько минут.",
			answerTextChoose:        "Выберите один из ответов или нажмите «Пропустить».",
			answerTextUnknownReason: "Такого варианта нет. Выберите один из показанных ответов.",
		}},
}

// answerTextsFor is the page's words in locale, English for any other.
func answerTextsFor(locale string) answerTexts {
	if t, ok := answerCatalog[locale]; ok {
		return t
	}
	return answerCatalog["en"]
}
