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

// sendSurveyJob is the delivery job of invitation id, due at due on
// platform's queue, as every path that makes one inserts it.
func sendSurveyJob(id int64, platform surveys.Platform, due time.Time) river.InsertManyParams {
	return river.InsertManyParams{Args: SendSurveyArgs{InvitationID: id}, InsertOpts: sendSurveyOpts(platform, due)}
}

// sendSurveyOpts queues the job on its platform's queue (so each platform's
// worker count caps its concurrency) at the invitation's due time. Unique by
// args: a second insert for the same invitation is dropped while the first
// job row exists; the invitation's state is the real guard.
//
// River puts a job given any ScheduledAt in its "scheduled" state, where it
// waits for River's scheduler (every 5 s) even when the time has already
// come; a survey due now is queued available instead, for the next fetch.
func sendSurveyOpts(platform surveys.Platform, due time.Time) *river.InsertOpts {
	opts := &river.InsertOpts{Queue: string(platform), UniqueOpts: river.UniqueOpts{ByArgs: true}}
	if due.After(time.Now()) {
		opts.ScheduledAt = due
	}
	return opts
}
