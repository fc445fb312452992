package storage

import "github.com/riverqueue/river"

// AlertQueue is where alert jobs wait for the process that posts them.
const AlertQueue = "alerts"

// AlertArgs is the job that tells the team about a low score. The
// conversation inserts it in the same transaction as the response; its
// worker (issue 07) posts the alert. Until a worker is registered the job
// waits in AlertQueue (Jobs sets River's SkipUnknownJobCheck).
type AlertArgs struct {
	ResponseID int64 `json:"response_id" river:"unique"`
}

// Kind names the job in river_job.
func (AlertArgs) Kind() string { return "send_alert" }

// alertSLATickArgs is the periodic look for alerts past their first-reply
// target.
type alertSLATickArgs struct{}

// Kind names the job in river_job.
func (alertSLATickArgs) Kind() string { return "alert_sla_tick" }

// alertOpts are the alert job's insert options. No River unique key: the
// job is inserted only with its response, in the response's transaction
// (on PostgreSQL by the response's own INSERT), and a response is unique
// per invitation; the worker's alerts are unique per response and target.
func alertOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: AlertQueue}
}
