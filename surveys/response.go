package surveys

import "time"

// Response is what a customer answered to one invitation: the score, and
// the "why?" comment if they gave one. There is at most one per invitation:
// the first answer wins.
type Response struct {
	ID           int64
	InvitationID int64
	CustomerID   string // the customer's external id
	SurveyID     string
	Metric       Metric
	Score        int
	Comment      string
	CommentState CommentState
	// Reason is the id of the reason button the customer tapped after the
	// score (one of the survey's Reasons), "" if none.
	Reason   string
	Locale   string
	Platform Platform
	// TouchpointType and Attributes come from the touchpoint that caused
	// the invitation, so scores can be broken down by them.
	TouchpointType string
	Attributes     map[string]string
	AnsweredAt     time.Time
	CommentAt      time.Time
}

// CommentState is where the follow-up question stands.
type CommentState string

// The follow-up states: none (no follow-up asked), awaiting (asked, the
// next message is the comment), given, skipped (the customer declined or
// the window passed), erased (the customer's data was forgotten).
const (
	CommentNone     CommentState = "none"
	CommentAwaiting CommentState = "awaiting"
	CommentGiven    CommentState = "given"
	CommentSkipped  CommentState = "skipped"
	CommentErased   CommentState = "erased"
)
