package storage

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/vocbot/vocbot/surveys"
)

// SendSurveyArgs is the job that delivers one invitation. Ingestion inserts
// it in the same transaction as the invitation; the delivery worker runs it.
type SendSurveyArgs struct {
	InvitationID int64 `json:"invitation_id" river:"unique"`
}

// Kind names the job in river_job.
func (SendSurveyArgs) Kind() string { return "send_survey" }

// sendSurveyOpts queues the job on its platform's queue (so each platform's
// worker count caps its concurrency) at the invitation's due time. Unique by
// args: a second insert for the same invitation is dropped while the first
// job row exists; the invitation's state is the real guard.
func sendSurveyOpts(platform surveys.Platform, due time.Time) *river.InsertOpts {
	return &river.InsertOpts{
		Queue:       string(platform),
		ScheduledAt: due,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}
