package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vocbot/vocbot/surveys"
)

// traceKey carries a *trace through a request's context, so the transport
// can tell call what happened below discordgo.
type traceKey struct{}

// trace is what one REST call saw: whether the server answered at all
// (connected) and with which status.
type trace struct {
	connected atomic.Bool
	status    atomic.Int32
}

// call makes one JSON REST call through discordgo and decodes the answer
// into out (nil: ignore it). Errors are *surveys.SendError wrapping an
// *apiError: never discordgo's own errors, whose text carries the response
// body and whose Request carries the token.
func (b *Bot) call(ctx context.Context, method, endpoint, route string, body, out any) error {
	return b.callFiles(ctx, method, endpoint, route, body, nil, out)
}

// callFiles is call with files attached: multipart/form-data with the
// JSON body as payload_json and the files as files[n].
func (b *Bot) callFiles(ctx context.Context, method, endpoint, route string, body any, files []*discordgo.File, out any) error {
	if err := ctx.Err(); err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: &apiError{method: method, route: route, cause: err}}
	}
	var (
		raw         []byte
		contentType = "application/json"
		err         error
	)
	if len(files) > 0 {
		contentType, raw, err = discordgo.MultipartBodyWithJSON(body, files)
	} else {
		raw, err = jsonBody(body)
	}
	if err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: &apiError{method: method, route: route, detail: "encode the request: " + err.Error()}}
	}
	tr := &trace{}
	tctx := httptrace.WithClientTrace(context.WithValue(ctx, traceKey{}, tr),
		&httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { tr.connected.Store(true) }})
	s := b.s
	if strings.HasPrefix(route, "/interactions/") || strings.HasPrefix(route, "/webhooks/") {
		s = b.hooks
	}
	var resp []byte
	if raw == nil {
		resp, err = s.RequestRaw(method, endpoint, "", nil, bucket(route), 0, discordgo.WithContext(tctx))
	} else {
		resp, err = s.RequestRaw(method, endpoint, contentType, raw, bucket(route), 0, discordgo.WithContext(tctx))
	}
	if err != nil {
		return b.classify(ctx, method, route, err, tr)
	}
	if out != nil && len(resp) > 0 {
		if err := json.Unmarshal(resp, out); err != nil {
			// Discord answered 2xx: the call was applied.
			return &surveys.SendError{Kind: surveys.Ambiguous, Err: &apiError{method: method, route: route, status: int(tr.status.Load()), detail: "unreadable answer"}}
		}
	}
	return nil
}

// bucket keys discordgo's rate limiter by route; Discord's buckets are per
// route and channel, which the route's major parameter would add, but one
// bucket per route is stricter and never wrong.
func bucket(route string) string { return "vocbot:" + route }

// apiError is a failed REST call as vocbot tells it: method, route template
// (never the URL: webhook URLs hold interaction tokens), status, and
// Discord's code and message. It never holds the bot token.
type apiError struct {
	method, route string
	status        int
	code          int
	message       string
	detail        string
	cause         error // a context error, for errors.Is
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "discord %s %s", e.method, e.route)
	if e.status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.status)
	}
	if e.code != 0 {
		fmt.Fprintf(&b, ": code %d", e.code)
	}
	if e.message != "" {
		fmt.Fprintf(&b, " (%s)", e.message)
	}
	if e.detail != "" {
		fmt.Fprintf(&b, ": %s", e.detail)
	}
	if e.cause != nil {
		fmt.Fprintf(&b, ": %v", e.cause)
	}
	return b.String()
}

func (e *apiError) Unwrap() error { return e.cause }

// Discord's JSON error codes vocbot acts on.
const (
	codeUnknownChannel  = 10003
	codeUnknownMessage  = 10008
	codeUnknownUser     = 10013
	codeMissingAccess   = 50001
	codeCannotDM        = 50007
	codeUnknownInteract = 10062
)

// defaultRetryAfter is assumed for a 429 that names no wait.
const defaultRetryAfter = 5 * time.Second

// classify maps a discordgo error to a send failure:
//   - 429 → RateLimited with Discord's retry_after;
//   - 50007 (cannot DM this user), 403, unknown channel/user/message → Unreachable;
//   - other answers (400, 401, 5xx) → Failed: definite, and retried safely
//     since every message carries a nonce;
//   - no answer after the request left (timeout, connection lost) →
//     Ambiguous, which the worker may retry because the Bot is RetrySafe;
//   - no connection at all (refused, DNS, TLS) → Failed.
func (b *Bot) classify(ctx context.Context, method, route string, err error, tr *trace) error {
	status := int(tr.status.Load())
	e := &apiError{method: method, route: route, status: status}
	kind := surveys.Failed
	var (
		rl   *discordgo.RateLimitError
		rest *discordgo.RESTError
	)
	switch {
	case errors.As(err, &rl):
		e.status = http.StatusTooManyRequests
		after := time.Duration(0)
		if rl.TooManyRequests != nil {
			after = rl.RetryAfter
			e.message = b.scrub(rl.Message)
		}
		if after <= 0 {
			after = defaultRetryAfter
		}
		return &surveys.SendError{Kind: surveys.RateLimited, RetryAfter: after, Err: e}
	case errors.As(err, &rest) && rest.Response != nil:
		e.status = rest.Response.StatusCode
		if rest.Message != nil {
			e.code = rest.Message.Code
			if e.status < 500 {
				e.message = b.scrub(shorten(rest.Message.Message, 200))
			}
		}
		switch {
		case e.code == codeCannotDM, e.status == http.StatusForbidden,
			e.code == codeUnknownChannel, e.code == codeUnknownUser, e.code == codeUnknownMessage:
			kind = surveys.Unreachable
		}
	case status == http.StatusTooManyRequests:
		// A 429 whose body discordgo could not read (a proxy's page).
		return &surveys.SendError{Kind: surveys.RateLimited, RetryAfter: defaultRetryAfter, Err: e}
	case status != 0:
		// An answer discordgo could not take in (cut-off body, 502 after
		// retries are off): treat like any other answer.
		e.detail = "unreadable answer"
	default:
		if ctx.Err() != nil {
			e.cause = ctx.Err()
		} else {
			e.detail = b.scrub(transportError(err))
		}
		if tr.connected.Load() || isTimeout(err) {
			kind = surveys.Ambiguous
		}
		if ctx.Err() != nil && !tr.connected.Load() {
			kind = surveys.Failed
		}
	}
	return &surveys.SendError{Kind: kind, Err: e}
}

// transportError is a network error without the request URL, which for
// webhooks carries an interaction token.
func transportError(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Error()
	}
	// url.Error's text names the URL: keep only what is below it.
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return "request failed"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// scrub removes the bot token from text that came from outside.
func (b *Bot) scrub(s string) string {
	if b.token == "" {
		return s
	}
	return strings.ReplaceAll(s, b.token, "[token]")
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
