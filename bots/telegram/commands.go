package telegram

import (
	"context"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// customerCommands is the menu customers see (the customer chat
// commands), per language; "" is the default for every other language.
var customerCommands = []struct {
	lang         string
	descriptions [6]string // in the order of commandNames
}{
	{"", [6]string{"Start and link your account", "Stop receiving surveys", "Receive surveys again", "Change the language", "Delete my data", "How this bot works"}},
	{"en", [6]string{"Start and link your account", "Stop receiving surveys", "Receive surveys again", "Change the language", "Delete my data", "How this bot works"}},
	{"he", [6]string{"התחלה וקישור החשבון", "הפסקת קבלת סקרים", "חידוש קבלת סקרים", "שינוי השפה", "מחיקת המידע שלי", "איך הבוט עובד"}},
	{"fa", [6]string{"شروع و اتصال حساب", "توقف دریافت نظرسنجی\u200cها", "دریافت دوبارهٔ نظرسنجی\u200cها", "تغییر زبان", "حذف اطلاعات من", "راهنمای ربات"}},
	{"ar", [6]string{"البدء وربط حسابك", "إيقاف استلام الاستبيانات", "استئناف استلام الاستبيانات", "تغيير اللغة", "حذف بياناتي", "كيف يعمل هذا البوت"}},
	{"ru", [6]string{"Начать и привязать аккаунт", "Больше не присылать опросы", "Снова присылать опросы", "Сменить язык", "Удалить мои данные", "Как работает бот"}},
}

var commandNames = [6]string{"start", "stop", "resume", "language", "delete_my_data", "help"}

// SetCommands registers the customer command menu (/start /stop /resume
// /language /delete_my_data /help) with setMyCommands, once per language
// and once as the default. It is idempotent: run it at every start.
func (b *Bot) SetCommands(ctx context.Context) error {
	for _, set := range customerCommands {
		cmds := make([]tgbotapi.BotCommand, len(commandNames))
		for i, name := range commandNames {
			cmds[i] = tgbotapi.BotCommand{Command: name, Description: set.descriptions[i]}
		}
		cfg := tgbotapi.SetMyCommandsConfig{Commands: cmds, LanguageCode: set.lang}
		// Request, not Send: setMyCommands returns True (#705).
		_, err := b.call(ctx, "setMyCommands", func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) { return api.Request(cfg) })
		if err != nil {
			return fmt.Errorf("register commands for language %q: %w", set.lang, err)
		}
	}
	return nil
}
