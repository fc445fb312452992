// Package telegram is vocbot's Telegram adapter, built on
// github.com/go-telegram-bot-api/telegram-bot-api/v5 (v5.5.1, Bot API 5.5).
//
// Outbound, a Bot implements surveys.Sender and surveys.Editor: a Prompt
// becomes an HTML message (every piece of text escaped, RTL lines marked
// so they read right in RTL languages) with an inline keyboard, 0–10 in two rows left to
// right. Each button's callback data packs the Prompt's Ref, the Choice's
// Value and a truncated HMAC over both and the chat (and user) it was sent
// to, so a pressed button cannot be forged into an answer for another
// invitation or replayed in another chat. Failures come back as
// *surveys.SendError: 429 → RateLimited, blocked or unknown chats →
// Unreachable, a request that may have been applied → Ambiguous (Telegram
// has no idempotency key, so the worker never resends it).
//
// Inbound, updates arrive by long polling (Poll, our own loop: explicit
// offsets and allowed_updates, retry_after honoured) or by webhook
// (WebhookHandler for POST /telegram/webhook, RegisterWebhook). Messages
// and commands ("/start TOKEN") and verified button presses become
// surveys.Incoming for a surveys.Handler; every callback query is answered
// within 3 s, even when the handler fails.
//
// The SDK has no context.Context and a few known bugs:
// every call here goes through one wrapper that gives it the caller's
// context and traces whether the request got a connection (if not, the
// failure is definite); methods returning True go through Request, never
// Send; Update.FromChat is never called.
//
// Package telegramtest is the in-process fake Bot API the tests (and
// vocbot demo) run against.
package telegram
