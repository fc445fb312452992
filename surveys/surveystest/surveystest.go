// Package surveystest has fakes of the surveys package's boundaries for
// tests: a recording Sender that stands in for every chat platform, and a
// Clock that moves only when told to.
package surveystest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

var (
	_ surveys.Sender = (*Sender)(nil)
	_ surveys.Editor = (*Sender)(nil)
	_ surveys.Clock  = (*Clock)(nil)
)

// Op is what a recorded call did.
type Op string

// The calls a Sender records.
const (
	OpSend Op = "send"
	OpEdit Op = "edit"
)

// Call is one Send or Edit as the Sender saw it. Ref is the message the
// call created (Send) or changed (Edit); Err is what it returned.
type Call struct {
	Op     Op
	To     surveys.Address
	Prompt surveys.Prompt
	Ref    surveys.MessageRef
	Err    error
}

// Sender records every prompt sent or edited, in order, and fails the
// calls a test scripts. Successful sends get the message refs "m1", "m2", …
// in order. The zero value is ready to use and safe for concurrent use.
type Sender struct {
	mu     sync.Mutex
	calls  []Call
	sent   int
	next   []error                   // failures of the next calls, in order
	always map[surveys.Address]error // failure of every call to an address
}

// Fail makes the next len(errs) calls, Send or Edit, return errs in order;
// a nil entry lets its call succeed. Scripted calls come before FailTo.
func (s *Sender) Fail(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, errs...)
}

// FailTo makes every call to the address return err until FailTo(to, nil).
func (s *Sender) FailTo(to surveys.Address, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.always, to)
		return
	}
	if s.always == nil {
		s.always = make(map[surveys.Address]error)
	}
	s.always[to] = err
}

// Send records the prompt and returns the next message ref, or the
// scripted failure. A done ctx fails it as a definite failure.
func (s *Sender) Send(ctx context.Context, to surveys.Address, p surveys.Prompt) (surveys.MessageRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Call{Op: OpSend, To: to, Prompt: p, Err: s.failure(ctx, to)}
	if c.Err == nil {
		s.sent++
		c.Ref = surveys.MessageRef(fmt.Sprintf("m%d", s.sent))
	}
	s.calls = append(s.calls, c)
	return c.Ref, c.Err
}

// Edit records the new prompt for ref, or returns the scripted failure.
// Editing a ref this Sender never returned fails as Unreachable, like a
// platform's "message not found".
func (s *Sender) Edit(ctx context.Context, to surveys.Address, ref surveys.MessageRef, p surveys.Prompt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Call{Op: OpEdit, To: to, Prompt: p, Ref: ref, Err: s.failure(ctx, to)}
	if c.Err == nil && !s.known(to, ref) {
		c.Err = &surveys.SendError{Kind: surveys.Unreachable, Err: fmt.Errorf("message %s to %s not found", ref, to)}
	}
	s.calls = append(s.calls, c)
	return c.Err
}

// failure is the error the current call must return; s.mu is held.
func (s *Sender) failure(ctx context.Context, to surveys.Address) error {
	if err := ctx.Err(); err != nil {
		return &surveys.SendError{Kind: surveys.Failed, Err: err}
	}
	if len(s.next) > 0 {
		err := s.next[0]
		s.next = s.next[1:]
		return err
	}
	return s.always[to]
}

// known reports whether ref was returned by a successful send to to.
func (s *Sender) known(to surveys.Address, ref surveys.MessageRef) bool {
	for _, c := range s.calls {
		if c.Op == OpSend && c.Err == nil && c.Ref == ref && c.To == to {
			return true
		}
	}
	return false
}

// Calls returns every call so far, failed ones included, in order.
func (s *Sender) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Sent returns the prompts delivered to the address, in order: successful
// sends only, as the customer would have seen them before any edit.
func (s *Sender) Sent(to surveys.Address) []surveys.Prompt {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []surveys.Prompt
	for _, c := range s.calls {
		if c.Op == OpSend && c.Err == nil && c.To == to {
			out = append(out, c.Prompt)
		}
	}
	return out
}

// Failure is a *surveys.SendError of the given kind, for Fail and FailTo.
func Failure(kind surveys.SendFailure) *surveys.SendError {
	return &surveys.SendError{Kind: kind, Err: errors.New("scripted failure")}
}

// RateLimited is the *surveys.SendError of a 429 asking to wait after.
func RateLimited(after time.Duration) *surveys.SendError {
	return &surveys.SendError{Kind: surveys.RateLimited, RetryAfter: after, Err: errors.New("scripted 429 Too Many Requests")}
}

// Clock is a surveys.Clock that stands still until Set or Advance moves it.
// It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock showing now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, backwards if need be.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
