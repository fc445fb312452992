package surveys

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TextDirection is the base direction of a message's paragraphs.
type TextDirection int

// Directions; adapters set the paragraph direction where the platform can.
const (
	LTR TextDirection = iota
	RTL
)

// Choice is one answer the customer can tap; Value is what comes back.
type Choice struct{ Label, Value string }

// Prompt is a platform-neutral message: text, optional choices rendered
// natively (inline keyboard, Block Kit buttons, Discord buttons), and Ref,
// the opaque reference that ties an answer to its invitation and question.
type Prompt struct {
	Text    string
	Choices []Choice
	Dir     TextDirection
	Ref     string
	// Hint says how to answer where the answer is typed into the chat
	// ("Just reply with a message."). A surface that offers its own way
	// (Discord's "Write an answer" form, the web page's comment box)
	// leaves it out; ChatText is the text with it.
	Hint string
}

// ChatText is the prompt's text followed by its hint, for chats where the
// customer answers by typing a message.
func (p Prompt) ChatText() string {
	if p.Hint == "" {
		return p.Text
	}
	return p.Text + " " + p.Hint
}

// MessageRef identifies a message on its platform (chat and message id,
// Slack channel and ts), so it can be edited later.
type MessageRef string

// Sender delivers prompts on one platform; each adapter implements it.
type Sender interface {
	Send(ctx context.Context, to Address, p Prompt) (MessageRef, error)
}

// SendFailure classifies why a send failed, which decides what happens to
// the invitation.
type SendFailure int

// The failure kinds an adapter reports through *SendError.
const (
	// Failed is definite: the platform answered with an error, or the request
	// never left. Retried with backoff.
	Failed SendFailure = iota
	// RateLimited: the platform said 429; wait RetryAfter, then retry.
	RateLimited
	// Unreachable: blocked by the user, chat not found, cannot initiate: never retried.
	Unreachable
	// Ambiguous: the request may have been applied (timeout after writing,
	// connection lost). On platforms without idempotency keys it is not resent.
	Ambiguous
)

// SendError is what a Sender returns when a send fails.
type SendError struct {
	Kind       SendFailure
	RetryAfter time.Duration // for RateLimited
	Err        error
}

func (e *SendError) Error() string {
	kind := [...]string{"failed", "rate limited", "unreachable", "ambiguous"}[e.Kind]
	if e.Kind == RateLimited {
		return fmt.Sprintf("send %s (retry after %s): %v", kind, e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("send %s: %v", kind, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// FailureOf classifies any error from a Sender; errors that are not a
// *SendError count as Failed (definite, retried).
func FailureOf(err error) (SendFailure, time.Duration) {
	var se *SendError
	if errors.As(err, &se) {
		return se.Kind, se.RetryAfter
	}
	return Failed, 0
}

// Incoming is something a person said to vocbot in a chat: a typed message,
// a command ("/stop"), or a button press (Value set, Ref from the prompt).
// ID is the platform's unique id of the update, so a redelivery is
// recognized; adapters never pass raw platform payloads.
type Incoming struct {
	ID     string
	From   Address
	Text   string
	Value  string
	Ref    string
	Locale string // the user's language as the platform reports it, if any
	// Message is, for a button press, the message the button is on, in the
	// form the platform's Sender returns and its Editor takes (Telegram
	// "chat:message_id", Slack "channel:ts", Discord "channel:message").
	// Every platform's press carries it, so a press that beats the delivery
	// job's record of the sent message can still update the prompt. "" for
	// typed messages, or when the platform did not say.
	Message MessageRef
	// Event is set when the update is not something said but something
	// that happened to the chat (the person blocked or unblocked the bot);
	// "" for messages and presses. Text, Value and Ref are then empty.
	Event Event
}

// Clean returns in with every text field made storable (CleanText: no NUL,
// valid UTF-8). Adapters call it on what they decode, and the Handlers of
// this package again on what they are given, so a hostile or broken client
// never turns into a storage error.
func (in Incoming) Clean() Incoming {
	in.ID = CleanText(in.ID)
	in.From = in.From.clean()
	in.Text = CleanText(in.Text)
	in.Value = CleanText(in.Value)
	in.Ref = CleanText(in.Ref)
	in.Locale = CleanText(in.Locale)
	in.Message = MessageRef(CleanText(string(in.Message)))
	in.Event = Event(CleanText(string(in.Event)))
	return in
}

func (a Address) clean() Address {
	a.Platform = Platform(CleanText(string(a.Platform)))
	a.ChatID = CleanText(a.ChatID)
	a.UserID = CleanText(a.UserID)
	return a
}

// Handler receives what people say; the Engine implements it and answers
// through the platform's Sender.
type Handler interface {
	Handle(ctx context.Context, in Incoming) error
}

type committedKey struct{}

// WithCommitted returns ctx carrying done, for an adapter that acknowledges
// an update to the person (Telegram's answer to a button press) and wants
// to do so as soon as the update is safely recorded: a Handler calls
// Committed once what the update changed is committed, before slower
// follow-ups (editing the prompt, sending replies). A Handler may not call
// it (nothing to record, or an error first): the adapter then acknowledges
// when Handle returns, as before.
func WithCommitted(ctx context.Context, done func()) context.Context {
	return context.WithValue(ctx, committedKey{}, done)
}

// Committed tells the adapter behind ctx (WithCommitted) that the update is
// recorded; without one it does nothing.
func Committed(ctx context.Context) {
	if done, ok := ctx.Value(committedKey{}).(func()); ok && done != nil {
		done()
	}
}

// Editor is the optional capability to change a prompt already sent, e.g.
// to show the recorded choice instead of the buttons.
type Editor interface {
	Edit(ctx context.Context, to Address, ref MessageRef, p Prompt) error
}

// RetrySafe is the optional capability of a Sender whose platform
// recognizes a resent prompt (Discord's nonce, Slack's delivery metadata),
// so an ambiguous failure may be retried without showing the customer the
// survey twice. Senders without it are never retried after an ambiguous
// failure: their invitation becomes Unknown.
type RetrySafe interface {
	RetrySafe() bool
}

// DeliveryChecker is the optional capability of a Sender whose platform
// can tell whether a prompt with a given Ref reached the chat (Slack: the
// delivery metadata in the channel's history). After an ambiguous failure
// the delivery worker asks instead of guessing: found means sent, not
// found means send again.
type DeliveryChecker interface {
	DeliveredTo(ctx context.Context, to Address, ref string) (MessageRef, bool, error)
}

// minSecretLen is the shortest string Scrub treats as a secret: shorter ones
// (an unset token, a test's "x") would blank out ordinary words.
const minSecretLen = 8

// Scrub returns err with every occurrence of secrets (bot tokens, app
// tokens, signing keys), plain or URL-escaped, removed from its message, so
// the error can be logged, stored and returned without giving a credential
// away. A *SendError stays one, with the same Kind and RetryAfter, and the
// chain stays for errors.Is and errors.As; adapters must still keep
// credentials out of the errors they wrap (e.g. a *url.Error's URL), since a
// caller that unwraps to them reads their own message.
func Scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	if se, ok := err.(*SendError); ok {
		return &SendError{Kind: se.Kind, RetryAfter: se.RetryAfter, Err: Scrub(se.Err, secrets...)}
	}
	msg := err.Error()
	clean := ScrubText(msg, secrets...)
	if clean == msg {
		return err
	}
	return &scrubbed{msg: clean, err: err}
}

// ScrubText is Scrub for a string.
func ScrubText(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) < minSecretLen {
			continue
		}
		for _, form := range []string{secret, url.PathEscape(secret), url.QueryEscape(secret)} {
			s = strings.ReplaceAll(s, form, "[redacted]")
		}
	}
	return s
}

// scrubbed is an error whose message had secrets removed.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
