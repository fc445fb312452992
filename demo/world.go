// Package demo is `vocbot demo`: an offline world and a scripted tour through
// it. The world is in this process: fake Telegram, Slack and Discord (the
// strict fakes the adapters are tested against), simulated customers in five
// languages, and eight weeks of synthetic history with a weekday rhythm, a
// realistic response rate and one real change. The tour runs the real
// `vocbot serve` (given by package main as a Vocbot function) against it and
// talks to it only the way the world would: HTTP to the API, button presses
// and messages through the fakes.
package demo

// Customer is a simulated customer: who they are, what happened to them,
// and how they answer.
type Customer struct {
	ID, Name, Locale string
	Chat             int64  // their Telegram chat
	Discord          string // or their Discord user id: they answer there
	Touchpoint       string // touchpoint type, mapped to a survey by the demo's rules
	Score            int
	Comment          string
}

// Customers are the tour's customers, in the order they are surveyed.
func Customers() []Customer { return append([]Customer(nil), customers...) }

var customers = []Customer{
	{"cus_dana", "Dana", "he", 1001, "", "order_delivered", 9, "השליח הגיע בזמן והיה אדיב מאוד"},
	{"cus_reza", "Reza", "fa", 1002, "", "order_delivered", 4, "بسته دیر رسید و کسی جواب تلفن را نداد. شماره من ۰۹۱۲۳۴۵۶۷۸۹ است"},
	{"cus_layla", "Layla", "ar", 1003, "", "ticket_closed", 5, "حل الموظف مشكلتي بسرعة، شكراً"},
	{"cus_ivan", "Ivan", "ru", 1004, "", "order_delivered", 10, "Всё отлично, курьер позвонил заранее"},
	{"cus_emma", "Emma", "en", 1005, "", "ticket_closed", 2, "Took three emails to get an answer. Reach me at emma@example.com"},
	{"cus_noa", "Noa", "he", 1006, "", "order_delivered", 3, "ההזמנה הגיעה שבורה, ואף אחד לא חזר אליי"},
	{"cus_omid", "Omid", "fa", 1007, "", "order_delivered", 10, "خیلی سریع و مرتب بود"},
	{"cus_john", "John", "en", 1008, "", "order_delivered", 8, "skip"},
	{"cus_tamar", "Tamar", "en", 0, discordCustomer, "order_delivered", 6, "The app froze twice at checkout"},
}

// The closed loop: the detractor whose alert the team takes up, what the
// agent replies, how the customer answers, and the reason it is resolved with.
const (
	loopCustomer = "cus_noa"
	loopReply    = "Sorry, Noa: a new one is on its way today, and we are refunding the delivery fee."
	loopAnswer   = "תודה רבה! אני בבית כל היום"
	loopReason   = "refund"
	// The recovery survey: due recoveryAfter after the resolution (a team
	// would wait days, 48h; the tour cannot), and Noa's answer to it.
	recoveryAfter   = "3s"
	recoveryTeam    = "48h"
	recoveryScore   = 5
	recoveryComment = "קיבלתי את ההזמנה החדשה והחזר על המשלוח. שירות מצוין"
)

// webCustomer is reached by nobody's chat: the shop has only her e-mail
// address, so with --serve she gets a web answer link to send there.
var webCustomer = Customer{ID: "cus_yael", Name: "Yael", Locale: "he", Touchpoint: "order_delivered"}

// APIToken is the demo's API token (printed with --serve, for /v1).
const APIToken = "demo-api-token-0123456789abcdef"

const (
	signingSecret = "demo-signing-secret-0123456789ab"
	ambassador    = "U0AMBASSADOR"
	digestChannel = "C0VOICE"
	alertChannel  = "C0ALERTS"
	teamChannel   = "C0CXTEAM"

	discordCustomer   = "910000000000000001"
	discordAmbassador = "920000000000000001"
	discordGuild      = "930000000000000001"
	discordChannel    = "940000000000000001"
	discordRole       = "950000000000000001"
)

// digestSection is the digest section; %s is its local time.
const digestSection = `digests:
  - id: daily-voc
    to: slack:` + digestChannel + `
    at: "%s"
    timezone: Asia/Jerusalem
    days: [sun, mon, tue, wed, thu, fri, sat]
    surveys: [nps, csat]
    quotes: 5
    locale: en
`

// configYAML is the shop's configuration; the first %s is nps's web_link
// line (with --serve: links need the public URL), the second the digest
// section (none at first).
const configYAML = `product: Acme
timezone: Asia/Jerusalem
default_locale: en
surveys:
  - id: nps
    metric: nps
    title: {en: "Delivery NPS", he: "NPS משלוחים"}
    follow_up: true
    expires_after: 72h
%s  - id: csat
    metric: csat
    title: {en: "Support CSAT", he: "שביעות רצון מהתמיכה"}
    follow_up: true
    expires_after: 72h
  - id: csat-recovery
    metric: csat
    title: {en: "Recovery CSAT"}
    follow_up: true
    expires_after: 72h
touchpoints:
  - type: order_delivered
    survey: nps
    delay: 0s
  - type: ticket_closed
    survey: csat
    delay: 0s
fatigue:
  min_gap: 720h
%salerts:
  - to: slack:` + alertChannel + `
    on: detractor
    first_reply_within: 4h
    relay_window: 48h
    reasons: [refund, courier, fixed]
    recovery: {survey: csat-recovery, after: ` + recoveryAfter + `}
ambassadors:
  slack_users: [` + ambassador + `]
  discord_roles: ["` + discordRole + `"]
`
