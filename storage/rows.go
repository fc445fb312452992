package storage

import (
	"encoding/json"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

// Rows are how tables look to gorm; the domain types in surveys carry no
// tags. Converters below are the only place the two meet.

type customerRow struct {
	ID         int64
	ExternalID string
	Name       string
	Locale     string
	TimeZone   string
	OptedOutAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (customerRow) TableName() string { return "customers" }

type identityRow struct {
	ID         int64
	CustomerID int64
	Platform   string
	ChatID     string
	UserID     string
	CreatedAt  time.Time
	// BlockedAt is when the person blocked the bot in this chat; nil if not.
	BlockedAt *time.Time
}

func (identityRow) TableName() string { return "identities" }

func (r identityRow) address() surveys.Address {
	return surveys.Address{Platform: surveys.Platform(r.Platform), ChatID: r.ChatID, UserID: r.UserID}
}

type touchpointRow struct {
	ID          int64
	Source      string
	ExternalID  *string
	Type        string
	OccurredAt  time.Time
	SurveyID    string
	CustomerID  int64
	Attributes  string
	RequestHash string
	ReceivedAt  time.Time
}

func (touchpointRow) TableName() string { return "touchpoints" }

type idempotencyKeyRow struct {
	Source       string `gorm:"primaryKey"`
	Key          string `gorm:"primaryKey"`
	RequestHash  string
	TouchpointID int64
	CreatedAt    time.Time
}

func (idempotencyKeyRow) TableName() string { return "idempotency_keys" }

type invitationRow struct {
	ID               int64
	TouchpointID     int64
	CustomerID       int64
	SurveyID         string
	Status           string
	SkipReason       string
	Detail           string
	Platform         string
	ChatID           string
	UserID           string
	Locale           string
	DueAt            *time.Time
	ExpiresAt        *time.Time
	Attempts         int
	AttemptStartedAt *time.Time
	AttemptBy        *string // the job worker that made the current attempt
	SentAt           *time.Time
	MessageRef       string
	RemindedAt       *time.Time
	// AwaitingJob: scheduled, due beyond the job horizon, its delivery job
	// not made yet (the queue_surveys tick makes it).
	AwaitingJob bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (invitationRow) TableName() string { return "invitations" }

// jobNow reports whether the invitation's delivery job is made with it: it
// is scheduled, and due within the job horizon.
func (r invitationRow) jobNow() bool {
	return r.Status == string(surveys.Scheduled) && !r.AwaitingJob
}

// invitation converts a row; customerExternalID comes from the customers row.
func (r invitationRow) invitation(customerExternalID string) surveys.Invitation {
	return surveys.Invitation{
		ID:           r.ID,
		TouchpointID: r.TouchpointID,
		CustomerID:   customerExternalID,
		SurveyID:     r.SurveyID,
		Status:       surveys.Status(r.Status),
		SkipReason:   surveys.SkipReason(r.SkipReason),
		Detail:       r.Detail,
		To:           surveys.Address{Platform: surveys.Platform(r.Platform), ChatID: r.ChatID, UserID: r.UserID},
		Locale:       r.Locale,
		DueAt:        timeOf(r.DueAt),
		ExpiresAt:    timeOf(r.ExpiresAt),
		SentAt:       timeOf(r.SentAt),
		MessageRef:   r.MessageRef,
		CreatedAt:    r.CreatedAt.UTC(),
	}
}

type linkTokenRow struct {
	TokenHash  string `gorm:"primaryKey"`
	CustomerID int64
	ExpiresAt  time.Time
	UsedAt     *time.Time
	CreatedAt  time.Time
}

func (linkTokenRow) TableName() string { return "link_tokens" }

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func attributesJSON(a map[string]string) string {
	if len(a) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(a) // map[string]string always marshals
	return string(b)
}
