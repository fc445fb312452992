// Package discord is vocbot's Discord adapter, built on
// github.com/bwmarrin/discordgo (v0.29.0, API v9).
//
// Outbound, a Bot implements surveys.Sender, surveys.Editor,
// surveys.RetrySafe, surveys.DigestPoster and surveys.AlertPoster. A Prompt
// becomes a DM (POST /users/@me/channels, then the message) whose content
// is markdown-escaped, RTL lines marked, cut at 2,000 characters, with the
// choices as buttons at most five a row. Each button's custom_id packs the
// Prompt's Ref, the Choice's Value and a truncated HMAC over both and the
// channel (and user) it went to, so a press cannot be forged or replayed
// elsewhere. Every message carries a nonce with enforce_nonce, made from
// the channel and the Ref, so a send retried after a timeout returns the
// first message instead of posting twice: an ambiguous failure is safe to
// retry. Digests and alerts are embeds within Discord's limits, the digest
// with its chart attached (multipart, payload_json). discordgo's own 429
// retry is off; failures come back as *surveys.SendError built from the
// method, the route and Discord's code, never from discordgo's errors,
// which carry the response body and the request with its token.
//
// Inbound, Mount serves POST /discord/interactions (Ed25519 over timestamp
// and body, 5-minute window, PING answered, stateless) when a public key
// is configured; otherwise Receivers holds the gateway (discordgo's
// Session: hello, identify, heartbeats, resume), which also delivers DMs
// typed to the bot. Button presses become surveys.Incoming (with the
// message pressed on, so the prompt can be edited), the "write an answer"
// button opens a modal whose text is the comment, the customer commands
// (/stop, /resume, /language, /delete_my_data, /help) become Incoming with
// that text, and /survey's subcommand and options become a
// surveys.CommandRequest with the member's roles. Everything is answered
// within Discord's 3 seconds; slower work is deferred and finished through
// the interaction's webhook.
//
// Package discordtest is the in-process fake of Discord that the tests
// (and vocbot demo) run against.
package discord
