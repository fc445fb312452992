// Package slack is vocbot's Slack adapter, built on github.com/slack-go/slack.
//
// Outbound, a Bot implements surveys.Sender and surveys.Editor: a Prompt
// becomes a Block Kit message (a mrkdwn section with the text, actions blocks
// with one button per Choice) posted to a channel or to the customer's DM.
// Every prompt carries message metadata {event_type: "vocbot_delivery",
// event_payload: {delivery_id: Prompt.Ref}}, so after an ambiguous failure
// Delivered can look in the conversation history and tell whether the first
// attempt arrived. Failures come back as *surveys.SendError.
//
// Inbound, three http.Handlers serve Slack's HTTP Request URLs
// (/slack/events, /slack/interactivity, /slack/commands). Each verifies the
// request signature on the raw body before parsing and answers 401 without
// it. DMs and button presses become surveys.Incoming for a surveys.Handler;
// /survey commands go to a CommandHandler, and one that runs longer than
// 2.5 s answers "Working on it…" and sends its reply to response_url.
// RunSocketMode receives the same three over Socket Mode instead (an
// xapp- token, no public URL), decoded by the same functions.
//
// Package slacktest is the in-process fake of the Slack Web API and of Slack's
// signed requests that the tests (and vocbot demo) run against.
package slack
