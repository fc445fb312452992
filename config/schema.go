package config

// The YAML file's schema. Every key is declared here once: the yaml tag is
// the key, the field's type says what it accepts (decode.go reads the file by
// walking these structs), the default tag and the doc comment are its row in
// docs/configuration.md (TestDocsReference writes them there with -update
// and fails when the page and these structs disagree). vocbot config check
// prints the effective configuration through the same structs.
//
// Doc comments here are user documentation, written in Markdown; a default
// tag's 'quotes' become code spans.

// fileConfig is the whole file.
type fileConfig struct {
	Pos position `yaml:"-"`
	// the product or company name that fills `[X]` in question wordings; one line, at most 100 characters
	Product productName `yaml:"product" default:"empty"`
	// the workspace's time zone: trend windows, the ambassadors' quota day, and digests without their own
	Timezone zone `yaml:"timezone" default:"'UTC'"`
	// language for customers whose locale is unknown, and for digests without their own
	DefaultLocale locale `yaml:"default_locale" default:"'en'"`
	// see below
	Surveys []fileSurvey `yaml:"surveys" default:"the built-in surveys"`
	// rules mapping touchpoint types to surveys; without a rule the API call must name the survey
	Touchpoints []fileTouchpoint `yaml:"touchpoints" default:"none"`
	// see below
	Fatigue fileFatigue `yaml:"fatigue" default:"'min_gap: 720h'"`
	// scheduled summaries
	Digests []fileDigest `yaml:"digests" default:"none"`
	// instant posts of unhappy answers
	Alerts []fileAlert `yaml:"alerts" default:"none"`
	// who may use `/survey`
	Ambassadors fileAmbassadors `yaml:"ambassadors" default:"nobody"`
	// eNPS anonymity
	ENPS fileENPS `yaml:"enps" default:"thresholds 5 and 8"`
	// digits in Arabic and Persian
	Digits fileDigits `yaml:"digits" default:"native"`
	// see below
	WebLinkFallback fileWebLinkFallback `yaml:"web_link_fallback,omitempty" default:"none: a refused chat leaves the invitation undeliverable"`
}

// fileSurvey is one entry of surveys.
type fileSurvey struct {
	Pos position `yaml:"-"`
	// an id (see above), unique
	ID itemID `yaml:"id" default:"required"`
	// `nps` (0–10), `csat` (1–5), `ces` (CES 2.0, 1–7), `enps` (0–10, employees)
	Metric Metric `yaml:"metric" default:"required (the built-in's for a built-in id)"`
	// a mapping of locale to text overriding the built-in wording, e.g. `{en: "…", he: "…"}`; locales not listed keep the built-in wording; texts may not be empty
	Question wordings `yaml:"question" default:"built-in wording"`
	// `true` or `false`: ask "why?" after the score
	FollowUp bool `yaml:"follow_up" default:"'true'"`
	// a duration, more than 0: how long an invitation can be answered
	ExpiresAfter duration `yaml:"expires_after" default:"'72h'"`
	// a duration, less than `expires_after`: when the one reminder is sent
	ReminderAfter duration `yaml:"reminder_after" default:"no reminder"`
	// `true` or `false`: a customer with no reachable chat identity gets a signed web link to answer in the browser instead of being skipped as unreachable (the API returns it as `invitation.web_url`); needs `VOCBOT_PUBLIC_URL`
	WebLink bool `yaml:"web_link" default:"'false'"`
	// a mapping of locale to the survey's display name in digests, the dashboard, `/survey` commands and stats, e.g. `{en: "Support NPS", he: "…"}`; a locale not listed shows the `default_locale`'s title, then the English one, then the id
	Title wordings `yaml:"title" default:"the id and metric, e.g. 'nps · NPS'"`
	// the question asked after the score instead of the built-in "why?": a mapping of locale to text, or of score band (`detractor`, `passive`, `promoter`: NPS 0–6, 7–8, 9–10; CSAT 1–2, 3, 4–5; CES 1–3, 4, 5–7) to such a mapping, e.g. `{detractor: {en: "What should we fix first?"}}`. Bands and locales not listed keep the built-in question; `[X]` is the product.
	FollowUpQuestion followUpQuestion `yaml:"follow_up_question" default:"built-in wording"`
	// a mapping of locale to the thank-you text after the last answer; locales not listed keep the built-in text; `[X]` is the product
	Thanks wordings `yaml:"thanks" default:"built-in wording"`
	// at most 8 buttons shown after the score, "what was it mostly about?": a list of `{id: speed, en: "Speed", he: "…"}`, each with a unique id of 1 to 8 characters `a-z 0-9 _` and its label per locale (a locale not listed shows the `default_locale`'s label, then the English one, then the id). The customer's choice is stored with the response and counted in digests.
	Reasons []reason `yaml:"reasons" default:"none"`
}

// fileTouchpoint is one entry of touchpoints.
type fileTouchpoint struct {
	Pos position `yaml:"-"`
	// the touchpoint type as the API receives it: 1 to 64 characters `a-z 0-9 _ . -` starting with a letter or digit, the API's own rule (`Order:Delivered` is refused); one rule per type
	Type touchpointType `yaml:"type" default:"required"`
	// the id of a built-in or listed survey
	Survey surveyRef `yaml:"survey" default:"required"`
	// a duration, 0 or more: how long after the touchpoint the invitation is due
	Delay duration `yaml:"delay" default:"'0s'"`
	// a number more than 0 and at most 1: the share of touchpoints that get a survey
	Sample share `yaml:"sample" default:"'1'"`
	// `"HH:MM-HH:MM"` in the recipient's local time; nothing is sent inside, delivery waits for its end. The window may wrap midnight (`"21:00-09:00"`); start and end may not be equal. The start is inside the window, the end is not.
	QuietHours QuietHours `yaml:"quiet_hours,omitempty" default:"none"`
}

// fileFatigue is the fatigue section.
type fileFatigue struct {
	Pos position `yaml:"-"`
	// a duration, 0 or more: the least time between two invitations to the same customer, across platforms and surveys. `0s` turns the limit off.
	MinGap duration `yaml:"min_gap" default:"'720h'"`
}

// fileDigest is one entry of digests.
type fileDigest struct {
	Pos position `yaml:"-"`
	// an id, unique; it keys the once-a-day guarantee, so renaming a digest sends it again that day
	ID itemID `yaml:"id" default:"required"`
	// a channel
	To Target `yaml:"to" default:"required"`
	// a time of day; the digest is posted at the first minute at or after it (across a DST gap, right after the gap)
	At TimeOfDay `yaml:"at" default:"required"`
	// a time zone for `at` and `days`
	Timezone zone `yaml:"timezone" default:"the top-level 'timezone'"`
	// a list of `sun`, `mon`, `tue`, `wed`, `thu`, `fri`, `sat` (case-insensitive), no repeats, not empty
	Days []weekday `yaml:"days,flow" default:"every day"`
	// a list of survey ids, no repeats, not empty
	Surveys []surveyRef `yaml:"surveys,flow,omitempty" default:"all surveys"`
	// a whole number 0 to 10: customer quotes shown
	Quotes int `yaml:"quotes" default:"'5'"`
	// a locale
	Locale locale `yaml:"locale" default:"the top-level 'default_locale'"`
	// touchpoint attribute names (e.g. `[region, agent]`): each survey is also broken down by them, segments ranked with smoothed scores
	Breakdowns []attribute `yaml:"breakdowns,flow" default:"none"`
	// post even on a day with no new responses (a quiet day is otherwise skipped)
	PostWhenEmpty bool `yaml:"post_when_empty" default:"'false'"`
}

// fileAlert is one entry of alerts.
type fileAlert struct {
	Pos position `yaml:"-"`
	// a channel
	To Target `yaml:"to" default:"required"`
	// `detractor`, the only event for now: NPS and eNPS 0–6, CSAT 1–2, CES 1–3. Two alerts with the same `to` and `on` are an error (every answer would be posted twice).
	On AlertOn `yaml:"on" default:"'detractor'"`
	// a duration, 0 for none: the target for the first reply to the customer; when it passes unanswered, one reminder is posted in the alert's thread
	FirstReplyWithin duration `yaml:"first_reply_within" default:"none"`
	// a duration, more than 0: after a staff reply, the customer's messages go back to the alert's thread until it is resolved or this long after the last staff reply
	RelayWindow duration `yaml:"relay_window" default:"'168h'"`
	// resolution reason ids (e.g. `[refund, fixed, explained, no_action]`), offered as buttons and accepted by `/survey resolve a12 <reason>`; without them, Resolve offers handled / no action and a typed reason is free text
	Reasons []itemID `yaml:"reasons,flow" default:"none"`
	// a follow-up survey sent to the customer some time after the alert is resolved, e.g. `{survey: csat-recovery, after: 48h}`: see below
	Recovery fileRecovery `yaml:"recovery,flow,omitempty" default:"none"`
}

// fileRecovery is alerts[].recovery.
type fileRecovery struct {
	Pos position `yaml:"-"`
	// the id of a built-in or listed survey, asked in the customer's chat (or as a web link when the survey has `web_link`). The customer's opt-out (`/stop`) and the quiet hours of the alert's touchpoint rule apply; the fatigue gap does not. An alert that expires unresolved gets none.
	Survey surveyRef `yaml:"survey" default:"required"`
	// a duration, more than 0: how long after the resolution the survey is due
	After duration `yaml:"after" default:"'48h'"`
}

// fileAmbassadors is the ambassadors section.
type fileAmbassadors struct {
	Pos position `yaml:"-"`
	// Slack user ids, `U…` or `W…` (profile → ⋮ → Copy member ID)
	SlackUsers []slackUser `yaml:"slack_users,flow" default:"none"`
	// Discord role ids, numbers, quoted or not (Developer Mode → right-click the role → Copy Role ID); members of any of them qualify
	DiscordRoles []discordRole `yaml:"discord_roles,flow" default:"none"`
	// Discord user ids, numbers, quoted or not (Developer Mode → right-click the user → Copy User ID); for staff without one of the roles
	DiscordUsers []discordUser `yaml:"discord_users,flow" default:"none"`
	// Telegram user ids, positive numbers
	TelegramUsers []telegramUser `yaml:"telegram_users,flow" default:"none"`
	// a whole number, 1 or more: invitations one ambassador may send with `/survey send` per day, counted in the top-level `timezone`
	DailyQuota int `yaml:"daily_quota" default:"'50'"`
}

// fileENPS is the enps section.
type fileENPS struct {
	Pos position `yaml:"-"`
	// a whole number 3 to 10: the least number of answers for which an eNPS score is shown, in any cell, filter or drill-down
	AnonymityThreshold int `yaml:"anonymity_threshold" default:"'5'"`
	// a whole number from `anonymity_threshold` to 100: the least number of answers for which eNPS comments are shown. Raising `anonymity_threshold` above 8 raises this default with it.
	CommentThreshold int `yaml:"comment_threshold" default:"'8'"`
}

// fileDigits is the digits section.
type fileDigits struct {
	Pos position `yaml:"-"`
	// `native` (Arabic-Indic ٠١٢٣) or `latin` (0123); many Gulf and Levant readers prefer `latin`
	Arabic digitStyle `yaml:"ar" default:"'native'"`
	// `native` (Persian ۰۱۲۳) or `latin` (0123)
	Persian digitStyle `yaml:"fa" default:"'native'"`
}

// fileWebLinkFallback is the web_link_fallback section.
type fileWebLinkFallback struct {
	Pos position `yaml:"-"`
	// an absolute `http://` or `https://` URL, no fragment: when a chat refuses a survey (the customer blocked the bot or closed their direct messages) and the survey has `web_link: true`, the invitation becomes a web invitation and vocbot POSTs its link here, signed per Standard Webhooks with `VOCBOT_WEB_LINK_FALLBACK_SECRET`, for your e-mail or SMS system to send (see [web-answers.md](web-answers.md)); needs `VOCBOT_PUBLIC_URL`
	URL hookURL `yaml:"url" default:"required"`
}
