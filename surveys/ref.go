package surveys

import (
	"errors"
	"fmt"
	"strconv"
)

// Question is which question of an invitation a prompt asks: the score,
// the reason buttons, or the follow-up "why?".
type Question string

// The questions of a survey.
const (
	QuestionScore  Question = "score"
	QuestionReason Question = "reason"
	QuestionWhy    Question = "why"
)

// refLetter is each question's one-byte code inside a Ref string.
var refLetter = map[Question]byte{QuestionScore: 's', QuestionReason: 'r', QuestionWhy: 'w'}

// MaxRefLen is the longest Ref string: one letter and an int64 in decimal.
// Adapters pack a Ref, a score and their own MAC into Telegram's 64-byte
// callback data and Discord's 25-character nonce, so it stays this short.
const MaxRefLen = 20

// Ref ties a prompt, and so the answer to it, to one invitation and one of
// its questions. Prompt.Ref carries its String form; adapters hand it back
// in Incoming.Ref untouched. It identifies but does not authenticate:
// whoever answers must still be the invitation's recipient.
type Ref struct {
	InvitationID int64
	Question     Question
}

// String is the compact ASCII form: the question's letter ("s", "r" or "w")
// followed by the invitation id in decimal, e.g. "s1234". It is "" for a
// Ref that cannot be parsed back (id not positive, unknown question).
func (r Ref) String() string {
	letter, ok := refLetter[r.Question]
	if !ok || r.InvitationID <= 0 {
		return ""
	}
	return string(letter) + strconv.FormatInt(r.InvitationID, 10)
}

// ErrBadRef is wrapped by ParseRef's errors: the text is not a Ref vocbot
// made (a stale client, a forged button, another bot's data).
var ErrBadRef = errors.New("not a survey reference")

// ParseRef reads a Ref from its String form. Only the canonical form is
// accepted (no sign, no leading zeros), so ParseRef(s).String() == s.
func ParseRef(s string) (Ref, error) {
	if len(s) < 2 || len(s) > MaxRefLen {
		return Ref{}, fmt.Errorf("%w: %s has the wrong length", ErrBadRef, Quote(s))
	}
	var r Ref
	for q, letter := range refLetter {
		if s[0] == letter {
			r.Question = q
		}
	}
	if r.Question == "" {
		return Ref{}, fmt.Errorf("%w: %s names no question", ErrBadRef, Quote(s))
	}
	digits := s[1:]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' || (i == 0 && digits[i] == '0') {
			return Ref{}, fmt.Errorf("%w: %s has no invitation id", ErrBadRef, Quote(s))
		}
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Ref{}, fmt.Errorf("%w: %s has no invitation id", ErrBadRef, Quote(s))
	}
	r.InvitationID = id
	return r, nil
}
