package telegramtest

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limits are the flood limits the fake enforces on the methods that send a
// message (sendMessage, sendPhoto). A send over a limit is not applied: it
// gets HTTP 429 {"ok":false,"error_code":429,"description":"Too Many
// Requests: retry after N","parameters":{"retry_after":N}}, N being the
// whole seconds (at least 1) until the send would fit, as Telegram answers.
// Telegram does not publish its exact algorithm; the fake follows its
// documented figures: about 30 messages a second for a bot, about one a
// second in a chat (short bursts allowed), 20 a minute in a group. Edits,
// callback answers and reads are not limited. The zero Limits is unlimited.
type Limits struct {
	// PerSecond is the most sends the bot may make in any one-second
	// window, over all chats (0: no global limit).
	PerSecond int
	// PerChatInterval and PerChatBurst are a private chat's bucket: it
	// holds PerChatBurst sends and refills one every PerChatInterval
	// (0: no per-chat limit).
	PerChatInterval time.Duration
	PerChatBurst    int
	// GroupPerMinute is the most sends in any one-minute window to a group
	// chat (a negative chat id; 0: no group limit).
	GroupPerMinute int
}

// TelegramLimits are the limits New enforces: 30 a second for the bot, one a
// second per chat with a burst of 10 (a conversation: survey, follow-up,
// thanks, a staff reply), 20 a minute per group.
var TelegramLimits = Limits{PerSecond: 30, PerChatInterval: time.Second, PerChatBurst: 10, GroupPerMinute: 20}

// limiter is the state of the limits; the Server's mu guards it.
type limiter struct {
	Limits
	global  []time.Time            // accepted sends of the last second, oldest first
	groups  map[string][]time.Time // accepted sends of the last minute per group
	chats   map[string]chatBucket  // per private chat
	limited map[string]int         // 429s answered, by method
}

type chatBucket struct {
	tokens float64
	at     time.Time
}

// limitedMethods are the calls that send a message.
var limitedMethods = map[string]bool{"sendMessage": true, "sendPhoto": true}

// SetLimits replaces the limits (and forgets the sends counted so far); a
// zero Limits turns them off, for tests that send faster than Telegram
// would allow on purpose.
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = newLimiter(l)
}

func newLimiter(l Limits) limiter {
	return limiter{Limits: l, groups: map[string][]time.Time{}, chats: map[string]chatBucket{}, limited: map[string]int{}}
}

// RateLimited is how many calls of method were answered 429 because they
// went over the Limits (injected faults are not counted).
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.limited[method]
}

// admit takes a send of method to chatID at now, or returns the 429 to
// answer; s.mu is held. A send taken that the method then refuses (a 400,
// a 403) is given back with refund: Telegram counts messages, and a test
// of its validation should not wait on the limits.
func (l *limiter) admit(method, chatID string, now time.Time) (refund func(), e *apiError) {
	if !limitedMethods[method] {
		return nil, nil
	}
	var wait time.Duration
	if l.PerSecond > 0 {
		l.global = trim(l.global, now.Add(-time.Second))
		if len(l.global) >= l.PerSecond {
			wait = max(wait, l.global[len(l.global)-l.PerSecond].Add(time.Second).Sub(now))
		}
	}
	group := strings.HasPrefix(chatID, "-")
	if group && l.GroupPerMinute > 0 {
		g := trim(l.groups[chatID], now.Add(-time.Minute))
		l.groups[chatID] = g
		if len(g) >= l.GroupPerMinute {
			wait = max(wait, g[len(g)-l.GroupPerMinute].Add(time.Minute).Sub(now))
		}
	}
	var b chatBucket
	perChat := !group && l.PerChatInterval > 0 && l.PerChatBurst > 0
	if perChat {
		b = l.chats[chatID]
		if b.at.IsZero() {
			b = chatBucket{tokens: float64(l.PerChatBurst), at: now}
		}
		b.tokens = math.Min(float64(l.PerChatBurst), b.tokens+float64(now.Sub(b.at))/float64(l.PerChatInterval))
		b.at = now
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)*float64(l.PerChatInterval)))
		}
	}
	if wait > 0 {
		l.limited[method]++
		secs := max(1, int(math.Ceil(wait.Seconds())))
		return nil, &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after " + strconv.Itoa(secs), retryAfter: secs}
	}
	if l.PerSecond > 0 {
		l.global = append(l.global, now)
	}
	if group && l.GroupPerMinute > 0 {
		l.groups[chatID] = append(l.groups[chatID], now)
	}
	if perChat {
		b.tokens--
		l.chats[chatID] = b
	}
	return func() { l.refund(chatID, group, perChat, now) }, nil
}

// refund gives back a send taken at now; s.mu is held.
func (l *limiter) refund(chatID string, group, perChat bool, now time.Time) {
	drop := func(ts []time.Time) []time.Time {
		for i := len(ts) - 1; i >= 0; i-- {
			if ts[i].Equal(now) {
				return append(ts[:i], ts[i+1:]...)
			}
		}
		return ts
	}
	if l.PerSecond > 0 {
		l.global = drop(l.global)
	}
	if group && l.GroupPerMinute > 0 {
		l.groups[chatID] = drop(l.groups[chatID])
	}
	if perChat {
		if b, ok := l.chats[chatID]; ok {
			b.tokens = math.Min(float64(l.PerChatBurst), b.tokens+1)
			l.chats[chatID] = b
		}
	}
}

// trim drops the times at or before cutoff (ts is sorted).
func trim(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	if i == 0 {
		return ts
	}
	return append(ts[:0], ts[i:]...)
}

// Send is one send for Replay: to ChatID, arriving at At.
type Send struct {
	ChatID string
	At     time.Time
}

// Replay runs sends (in the order they arrive; At must not go back)
// through the limits as the Server would, and returns how many it would
// have answered 429. It lets a test check a schedule against the fake's
// rules without waiting for it.
func (l Limits) Replay(sends []Send) (limited int) {
	lim := newLimiter(l)
	for _, s := range sends {
		if _, e := lim.admit("sendMessage", s.ChatID, s.At); e != nil {
			limited++
		}
	}
	return limited
}
