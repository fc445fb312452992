package storage

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vocbot/vocbot/surveys"
)

// AlertWork runs the send_alert worker once for a response, as River would
// on the given attempt.
func AlertWork(ctx context.Context, db *DB, a Alerts, responseID int64, attempt int) error {
	if a.Logger == nil {
		a.Logger = db.logger
	}
	if a.Now == nil {
		a.Now = func() time.Time { return time.Now().UTC() }
	}
	if a.CommentWait == 0 {
		a.CommentWait = surveys.AlertCommentWait
	}
	w := &sendAlertWorker{db: db, a: a}
	return w.Work(ctx, &river.Job[AlertArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: attempt, MaxAttempts: 25}, Args: AlertArgs{ResponseID: responseID}})
}

// AlertStatus is the delivery status of a response's alert.
func AlertStatus(ctx context.Context, db *DB, responseID int64) (string, error) {
	var row alertRow
	err := db.gorm.WithContext(ctx).Where("response_id = ?", responseID).Take(&row).Error
	return row.Status, err
}

// AlertSLAWork runs the alert SLA tick once, as River would.
func AlertSLAWork(ctx context.Context, db *DB, a Alerts) error {
	if a.Logger == nil {
		a.Logger = db.logger
	}
	w := &alertSLAWorker{db: db, a: a}
	return w.Work(ctx, &river.Job[alertSLATickArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 25}})
}
