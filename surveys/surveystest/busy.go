package surveystest

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// BusyDigest computes the digest of a busy workspace for rendering
// benchmarks, as of 2026-11-23 09:00 in Jerusalem: four surveys (NPS,
// CSAT, CES, eNPS) titled in every locale, each over six touchpoint types
// and broken down by agent and region (names in Hebrew, Persian, Arabic,
// Russian and English), about 150 answers a day with a drifting score over
// the 117 days a digest reads (CES only for the last 60), reasons, five
// quotes a survey chosen from yesterday's comments in he, fa, ar, ru and
// en, forty alerts in the close-the-loop section, waiting alerts and
// blocked customers. It is deterministic.
func BusyDigest(locale string) surveys.Digest {
	loc := time.FixedZone("IST", 2*60*60) // Jerusalem in November, without needing the zone database
	titles := func(en, he, fa, ar, ru string) map[string]string {
		return map[string]string{"en": en, "he": he, "fa": fa, "ar": ar, "ru": ru}
	}
	reasons := []surveys.Reason{
		{ID: "speed", Labels: titles("Speed", "מהירות", "سرعت", "السرعة", "Скорость")},
		{ID: "courier", Labels: titles("Courier", "השליח", "پیک", "المندوب", "Курьер")},
		{ID: "package", Labels: titles("Packaging", "אריזה", "بسته\u200cبندی", "التغليف", "Упаковка")},
		{ID: "price", Labels: titles("Price", "מחיר", "قیمت", "السعر", "Цена")},
		{ID: "app", Labels: titles("App & site", "האפליקציה", "اپلیکیشن", "التطبيق", "Приложение")},
	}
	s := &surveys.Settings{Product: "Acme", DefaultLocale: "en", Timezone: loc, Surveys: []surveys.Survey{
		{ID: "nps-delivery", Metric: surveys.NPS, Reasons: reasons,
			Title: titles("Delivery NPS", "NPS משלוחים", "NPS ارسال", "NPS التوصيل", "NPS доставки")},
		{ID: "csat-support", Metric: surveys.CSAT, Reasons: reasons[3:],
			Title: titles("Support <chat> CSAT", "CSAT שירות", "CSAT پشتیبانی", "CSAT الدعم", "CSAT поддержки")},
		{ID: "ces-checkout", Metric: surveys.CES,
			Title: titles("Checkout effort", "מאמץ בתשלום", "سهولت پرداخت", "سهولة الدفع", "Лёгкость оплаты")},
		{ID: "enps", Metric: surveys.ENPS,
			Title: titles("Team eNPS", "eNPS צוות", "eNPS تیم", "eNPS الفريق", "eNPS команды")},
	},
		Alerts: []surveys.AlertPolicy{
			{To: alerts, FirstReplyWithin: 4 * time.Hour, Recovery: &surveys.RecoveryPolicy{SurveyID: "csat-support", After: 48 * time.Hour}},
			{To: surveys.Address{Platform: surveys.Telegram, ChatID: "-100200300"}, FirstReplyWithin: 2 * time.Hour},
		}}
	spec := surveys.DigestSpec{ID: "daily-voc", At: 9 * 60, Timezone: loc, Quotes: 5, Locale: locale,
		Breakdowns: []string{"agent", "region"}}
	now := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC) // 09:00 in Jerusalem
	q := surveys.NewDigestQuery(spec, s, now)
	days := len(q.Days)
	rng := rand.New(rand.NewPCG(2026, 11))

	type profile struct {
		id        string
		lo, hi    int     // answer scale
		perDay    int     // answers a day
		from      int     // first day with answers
		happy     float64 // mean share of the top of the scale
		touchType []string
	}
	touchpoints := []string{"order_delivered", "pickup", "refund", "support_chat", "support_call", "exchange"}
	profiles := []profile{
		{"nps-delivery", 0, 10, 70, 0, 0.55, touchpoints},
		{"csat-support", 1, 5, 40, 0, 0.7, touchpoints[2:]},
		{"ces-checkout", 1, 7, 30, days - 60, 0.6, touchpoints[:3]},
		{"enps", 0, 10, 6, 0, 0.45, []string{"", "onboarding"}},
	}
	var data surveys.DigestData
	data.Query = q
	data.Invited = map[string]surveys.DigestInvited{}
	for _, p := range profiles {
		points := p.hi - p.lo + 1
		for day := p.from; day < days; day++ {
			// The mood drifts over weeks; each touchpoint is a little better
			// or worse than the survey.
			mood := p.happy + 0.15*math.Sin(float64(day)/13)
			for k, tp := range p.touchType {
				m := min(max(mood+0.08*float64(k%3-1), 0.05), 0.95)
				n := p.perDay/len(p.touchType) + rng.IntN(3)
				cells := make([]int, points)
				for range n {
					// A score: the top third with probability m, else spread.
					if rng.Float64() < m {
						cells[points-1-rng.IntN(max(1, points/4))]++
					} else {
						cells[rng.IntN(points-points/4)]++
					}
				}
				for i, c := range cells {
					if c > 0 {
						data.Counts = append(data.Counts, surveys.DigestCount{SurveyID: p.id, Day: day, TouchpointType: tp,
							Score: p.lo + i, Responses: c, Comments: c / 3})
					}
				}
			}
		}
		data.Invited[p.id] = surveys.DigestInvited{Sent: p.perDay * 3, Answered: p.perDay}
		for _, attr := range []struct {
			name   string
			values []string
		}{
			{"agent", []string{"Dana", "יוסי כהן", "مریم", "أحمد", "Ольга", "Li Wei", "Noa"}},
			{"region", []string{"Tel Aviv", "ירושלים", "تهران", "Москва", "Berlin"}},
		} {
			for j, v := range attr.values {
				for i := range points {
					n := 4 + rng.IntN(20)
					if i >= points-points/4 {
						n += 10 * j // some agents and regions fare better
					}
					data.Attributes = append(data.Attributes, surveys.DigestAttributeCount{SurveyID: p.id, Attribute: attr.name,
						Value: v, Score: p.lo + i, Responses: n})
				}
			}
		}
		for _, r := range s.Surveys {
			if r.ID != p.id {
				continue
			}
			for i, reason := range r.Reasons {
				data.Reasons = append(data.Reasons, surveys.DigestReasonCount{SurveyID: p.id, Reason: reason.ID, Responses: 80 - 14*i + rng.IntN(10)})
			}
		}
		// Yesterday's comments: a tenth of the answers, in the five
		// languages, some with characters the renderers must escape.
		y := q.Yesterday.Start
		for i := range p.perDay / 2 {
			lang := commentLangs[rng.IntN(len(commentLangs))]
			frags := commentFragments[lang]
			parts := make([]string, 1+rng.IntN(3))
			for j, k := range rng.Perm(len(frags))[:len(parts)] {
				parts[j] = frags[k]
			}
			text := strings.Join(parts, ". ") + "."
			if i%7 == 0 {
				text += " *5 stars* <3 & thanks_all"
			}
			data.Comments = append(data.Comments, surveys.DigestComment{
				ResponseID: int64(len(data.Comments) + 1), SurveyID: p.id, Score: p.lo + rng.IntN(points), Text: text,
				Locale: lang, TouchpointType: p.touchType[rng.IntN(len(p.touchType))], At: y.Add(time.Duration(rng.IntN(24*60)) * time.Minute),
			})
		}
	}
	data.Recent = []string{commentFragments["en"][0] + "."}
	data.WaitingAlerts, data.Blocked = 3, 12
	for i := range 40 {
		created := now.Add(-time.Duration(1+i*16) * time.Hour)
		a := surveys.DigestAlert{To: s.Alerts[i%2].To, CreatedAt: created}
		if i%8 != 7 {
			a.ClaimedAt = created.Add(time.Duration(5+i) * time.Minute)
		}
		if i%5 != 4 {
			a.FirstReplyAt = created.Add(time.Duration(20+17*i) * time.Minute)
		}
		if i%4 != 3 {
			a.ResolvedAt = created.Add(time.Duration(2+i%24) * time.Hour)
		}
		if i%3 == 0 {
			a.Recovery = &surveys.AlertRecovery{SurveyID: "csat-support", Answered: true, Metric: surveys.CSAT, Score: 1 + i%5}
		}
		data.Alerts = append(data.Alerts, a)
	}
	data.AlertsRead = true
	return surveys.BuildDigest(spec, s, surveys.DigestThresholds{}, now, data)
}

var commentLangs = []string{"he", "fa", "ar", "ru", "en"}

// commentFragments are phrases customers write, by language.
var commentFragments = map[string][]string{
	"he": {"השליח איחר בשעתיים", "האפליקציה קורסת בתשלום", "שירות לקוחות מעולה", "ההחזר הכספי לקח שבועיים", "המחיר גבוה מדי", "המוצר הגיע שבור", "הכול עבד בצורה חלקה"},
	"fa": {"بسته دیر رسید", "پشتیبانی خیلی خوب بود", "قیمت\u200cها گران است", "اپلیکیشن هنگام پرداخت بسته شد", "ارسال سریع بود", "کالا آسیب دیده بود", "همه چیز عالی بود"},
	"ar": {"تأخر المندوب ساعتين", "خدمة العملاء ممتازة", "التطبيق بطيء عند الدفع", "استرداد المبلغ استغرق أسبوعين", "الأسعار مرتفعة", "وصل المنتج مكسورا", "كل شيء كان رائعا"},
	"ru": {"Курьер опоздал на два часа", "Поддержка ответила быстро", "Приложение вылетает при оплате", "Возврат денег занял две недели", "Цены слишком высокие", "Товар пришёл сломанным", "Всё прошло отлично"},
	"en": {"The courier was two hours late", "Support answered within minutes", "The app crashes at checkout", "The refund took two weeks", "Prices are too high", "The item arrived broken", "Everything went smoothly"},
}
