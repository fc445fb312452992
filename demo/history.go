package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// The synthetic history: eight weeks before the tour, as a shop in Israel
// would have them.
const (
	historyDays = 56
	// changeDay is the courier switch: from this many days back on, NPS
	// answers come from the better mix (the change the digest flags).
	changeDay = 28
	// answerRate is the share of delivered invitations that get an answer.
	answerRate = 0.3
	// weekdayInvitations and weekendInvitations are the NPS invitations of
	// a working day and of a weekend day (Friday and Saturday in Israel);
	// CSAT gets a third as many (tickets closed).
	weekdayInvitations = 22
	weekendInvitations = 9
)

// The answer mixes, drawn as decks so each window has the same proportions
// whatever the dates: NPS before the switch (7 promoters, 6 passives, 7
// detractors in 20: NPS 0), NPS after it (11, 5, 4: NPS 35), and CSAT,
// unchanged (16 of 20 answer 4 or 5: 80%).
var (
	npsBefore = []int{10, 9, 9, 10, 9, 10, 9, 8, 7, 8, 7, 8, 7, 6, 5, 3, 6, 4, 2, 5}
	npsAfter  = []int{10, 9, 10, 9, 10, 9, 10, 9, 10, 9, 10, 8, 7, 8, 7, 8, 6, 4, 5, 3}
	csatMix   = []int{5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 3, 2, 1}
)

var historyComments = map[string]map[bool][]string{ // locale → happy? → comments
	"en": {true: {"Fast delivery, thanks", "Support answered within minutes", "The new courier called ahead"}, false: {"The courier could not find the entrance", "Package was damaged", "Late again"}},
	"he": {true: {"משלוח מהיר, תודה", "השירות היה מעולה"}, false: {"חיכיתי יותר מדי לתשובה", "השליח לא הגיע בזמן"}},
	"ru": {true: {"Быстро и удобно", "Отличная поддержка"}, false: {"Курьер опоздал на два часа", "Коробка была помята"}},
	"ar": {true: {"خدمة ممتازة", "وصل الطلب في الموعد"}, false: {"تأخر الطلب كثيراً"}},
	"fa": {true: {"ارسال سریع بود", "پیک خیلی مؤدب بود"}, false: {"پشتیبانی پاسخ نداد", "بسته دیر رسید"}},
}

// history moves the tour's answers and alerts to yesterday and adds the
// weeks before it: every delivered invitation, answered or not, so response
// rates are real (yesterday's too: the tour's customers were not the only
// ones asked), and the alerts the detractors among them raised, handled.
func history(ctx context.Context, dbURL string, now time.Time, loc *time.Location) error {
	db, err := storage.Open(ctx, dbURL, storage.Options{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer db.Close()
	jobs, err := storage.NewJobs(db, storage.JobsConfig{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	store := storage.NewStore(db, jobs)
	if err := store.Backdate(ctx, 24*time.Hour); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := store.BackdateAlerts(ctx, 24*time.Hour); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	answered, unanswered := synthesize(now, loc)
	if err := store.ImportHistory(ctx, "demo-history", answered); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := store.ImportUnanswered(ctx, "demo-history", unanswered); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := store.ImportAlerts(ctx, pastAlerts(answered, now, loc)); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// synthesize makes the history: answered invitations (as responses) and
// unanswered ones (AnsweredAt is when they were sent). Yesterday holds the
// tour's answers already, so it only gets the invitations nobody answered,
// as many as make the tour's answers answerRate of them.
func synthesize(now time.Time, loc *time.Location) (answered, unanswered []surveys.Response) {
	rng := rand.New(rand.NewPCG(42, 2026))
	locales := []string{"en", "he", "ru", "ar", "fa"}
	decks, next := map[string][]int{}, map[string]int{}
	draw := func(name string, mix []int) int {
		cards, ok := decks[name]
		if !ok {
			cards = slices.Clone(mix)
			decks[name] = cards
		}
		if next[name] == 0 { // a fresh shuffle at each pass through the deck
			rng.Shuffle(len(cards), func(i, j int) { cards[i], cards[j] = cards[j], cards[i] })
		}
		card := cards[next[name]]
		next[name] = (next[name] + 1) % len(cards)
		return card
	}
	today := now.In(loc)
	for back := historyDays; back >= 1; back-- {
		day := time.Date(today.Year(), today.Month(), today.Day()-back, 0, 0, 0, 0, loc)
		n := weekdayInvitations
		if wd := day.Weekday(); wd == time.Friday || wd == time.Saturday {
			n = weekendInvitations
		}
		for _, sv := range []struct {
			id, touchpoint string
			metric         surveys.Metric
			invitations    int
			tourAnswers    int
		}{
			{"nps", "order_delivered", surveys.NPS, n, tourAnswers("order_delivered")},
			{"csat", "ticket_closed", surveys.CSAT, (n + 2) / 3, tourAnswers("ticket_closed")},
		} {
			answers := int(math.Round(answerRate * float64(sv.invitations)))
			if back == 1 { // yesterday: the tour's customers answered
				answers = 0
				sv.invitations = int(math.Round(float64(sv.tourAnswers)/answerRate)) - sv.tourAnswers
			}
			for i := range sv.invitations {
				loc := locales[rng.IntN(len(locales))]
				r := surveys.Response{
					CustomerID: fmt.Sprintf("cus_hist_%s_%d_%d", sv.id, back, i), SurveyID: sv.id, Metric: sv.metric,
					Locale: loc, Platform: surveys.Telegram, TouchpointType: sv.touchpoint,
					Attributes: map[string]string{"region": []string{"north", "south"}[rng.IntN(2)]},
					AnsweredAt: day.Add(8*time.Hour + time.Duration(rng.IntN(13*60))*time.Minute),
				}
				if i >= answers {
					unanswered = append(unanswered, r)
					continue
				}
				switch {
				case sv.metric == surveys.CSAT:
					r.Score = draw("csat", csatMix)
				case back > changeDay:
					r.Score = draw("nps-before", npsBefore)
				default:
					r.Score = draw("nps-after", npsAfter)
				}
				if rng.IntN(2) == 0 {
					happy := sv.metric == surveys.NPS && r.Score >= 9 || sv.metric == surveys.CSAT && r.Score >= 4
					pool := historyComments[loc][happy]
					r.Comment = pool[rng.IntN(len(pool))]
					r.CommentAt = r.AnsweredAt.Add(time.Minute)
				}
				answered = append(answered, r)
			}
		}
	}
	return answered, unanswered
}

// tourAnswers is how many of the tour's customers answer after a touchpoint type.
func tourAnswers(touchpoint string) int {
	n := 0
	for _, c := range customers {
		if c.Touchpoint == touchpoint {
			n++
		}
	}
	return n
}
