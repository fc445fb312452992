package surveys

import (
	"context"
	"time"
)

// ChatCustomer is the customer a chat is linked to, as a conversation sees
// them.
type ChatCustomer struct {
	// Key is storage's own id of the customer; ChatTx methods take it back.
	Key        int64
	ExternalID string
	Locale     string // chosen with /language or given by the CRM; "" if neither
	OptedOut   bool
}

// FollowUpAnswer is how a follow-up question ended: a comment (State
// CommentGiven, Comment as written, its language told from its script) or
// none (CommentSkipped).
type FollowUpAnswer struct {
	State          CommentState
	Comment        string
	Lang           string  // scoring.DetectLanguage of Comment
	LangConfidence float64 // its confidence, 0–1
	At             time.Time
}

// Pressed is what a press of a score button needs before the answer is
// recorded, read in one go (ChatTx.ReadPress).
type Pressed struct {
	// Customer is who the chat is linked to, as ChatTx.Customer says.
	Customer ChatCustomer
	// Invitation is the pressed one, locked as by ChatTx.LockInvitation;
	// its ID is 0 when there is no such invitation.
	Invitation Invitation
	// Answered says the invitation has a response already, whose score is
	// AnsweredScore.
	Answered      bool
	AnsweredScore int
}

// Typed is what a typed message (not a command) needs before it is worked
// out, read in one go (ChatTx.ReadTyped).
type Typed struct {
	// Customer is who the chat is linked to, as ChatTx.Customer says.
	Customer ChatCustomer
	// Awaiting is what ChatTx.AwaitingComment finds; ID 0 when nothing
	// awaits a comment.
	Awaiting Response
	// Open is what ChatTx.OpenInvitation finds, locked; ID 0 when no
	// invitation is open.
	Open Invitation
}

// Conversations is what the Engine needs from storage to hold survey
// conversations; storage.Store implements it next to Store.
type Conversations interface {
	// Converse runs fn in one transaction that also records updateID (the
	// platform's id of the update) as handled. If it was handled before,
	// fresh is false and nothing fn did is kept: a redelivery is
	// acknowledged and ignored. The store may record the update with fn's
	// first read, so fn may have started, and its tx calls then fail,
	// before the redelivery is known. fn may run more than once when its
	// transaction lost a race, so it must touch nothing but tx. An empty
	// updateID is never deduped.
	Converse(ctx context.Context, updateID string, fn func(tx ChatTx) error) (fresh bool, err error)
	// ForgetCustomer erases the customer's personal data at their own
	// request (/delete_my_data, from platform p), audited, in its own
	// transaction: comments, attributes, name, locale, time zone, chats and
	// link tokens; the external id becomes a pseudonym; scores stay,
	// anonymous. ErrNotFound if they were forgotten already.
	ForgetCustomer(ctx context.Context, externalID string, p Platform) error
}

// ChatTx is one conversation transaction. Errors are ErrNotFound for a
// missing row, else storage failures.
type ChatTx interface {
	// Customer is who the chat at from is linked to (a linked identity on
	// the platform whose chat and user match from, '' matching any).
	Customer(from Address) (ChatCustomer, error)
	// ReadPress is Customer(from) and LockInvitation(invitationID) in one
	// read, with whether the invitation has a response: what a score press
	// needs. ErrNotFound when the chat is not linked; an invitation that
	// does not exist has ID 0.
	ReadPress(from Address, invitationID int64) (Pressed, error)
	// ReadTyped is Customer(from), then AwaitingComment(customer, since)
	// and OpenInvitation(customer, from.Platform, now) in one read: what a
	// typed message needs. ErrNotFound when the chat is not linked.
	ReadTyped(from Address, since, now time.Time) (Typed, error)
	// LockInvitation loads an invitation and holds its lock until the
	// transaction ends, so two answers to it are recorded in turn.
	LockInvitation(id int64) (Invitation, error)
	// OpenInvitation is the customer's latest invitation on platform p that
	// reached them (sent, or unknown: an answer proves it arrived), has no
	// response and has not expired at now; it is locked like LockInvitation.
	OpenInvitation(customer int64, p Platform, now time.Time) (Invitation, error)
	// LatestInvitation is the customer's latest invitation on p that reached
	// them, answered or not, expired or not.
	LatestInvitation(customer int64, p Platform) (Invitation, error)
	// Response is the response to an invitation.
	Response(invitationID int64) (Response, error)
	// AddResponse records r for r.InvitationID (Score, Metric, Locale,
	// CommentState, AnsweredAt; survey, platform, touchpoint type and
	// attributes come from the invitation and its touchpoint) with the
	// update that carried it. With alert, the low-score alert job is
	// enqueued in the same transaction. ErrDuplicate when the invitation
	// already has a response: the first answer wins.
	AddResponse(r Response, updateID string, alert bool) (Response, error)
	// AwaitingComment is the customer's latest response whose follow-up
	// question is awaiting an answer and was asked after since; responses
	// awaiting since before that are marked skipped (the window passed).
	AwaitingComment(customer int64, since time.Time) (Response, error)
	// SetComment records how the follow-up question ended.
	SetComment(responseID int64, c FollowUpAnswer) error
	// SetReason records the id of the reason button the customer tapped;
	// a response that has a reason keeps it.
	SetReason(responseID int64, reason string) error
	// UpdateHandled reports whether the update updateID was handled (a
	// Converse with it committed).
	UpdateHandled(updateID string) (bool, error)
	// SetOptedOut records /stop (true) or /resume (false). Stopping also
	// skips the customer's invitations not yet sent and follow-ups awaiting,
	// and no reminder goes out for the surveys they have.
	SetOptedOut(customer int64, optedOut bool, at time.Time) error
	// SetLocale records the language the customer chose.
	SetLocale(customer int64, locale string) error
	// RelayToAlert adds ev (a customer's message) to the timeline of the
	// customer's alert that is relaying at ev.At: one whose staff replied
	// to this customer in the chat of from, not resolved, inside its relay
	// window (the latest such). ErrNotFound when there is none.
	RelayToAlert(customer int64, from Address, ev AlertEvent) (Alert, error)
}
