package storage

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// alertSLAWorker posts one reminder in the thread of every alert whose
// first-reply target passed with no reply to the customer. The reminder is
// claimed (reminded_at set, the timeline entry written) in one transaction
// before it is posted, so ticks on other replicas, later ticks and
// restarts never post it again; a crash between the claim and the post
// loses that one reminder rather than risk two.
type alertSLAWorker struct {
	river.WorkerDefaults[alertSLATickArgs]
	db *DB
	a  Alerts
}

func (w *alertSLAWorker) Work(ctx context.Context, _ *river.Job[alertSLATickArgs]) error {
	now := w.a.Now()
	log := w.a.Logger
	for _, to := range w.a.Targets {
		within := w.a.Policy(to).FirstReplyWithin
		if within <= 0 {
			continue
		}
		var due []alertRow
		err := w.db.gorm.WithContext(ctx).Where(
			"target = ? AND status = ? AND message_ref <> '' AND state <> ? AND first_reply_at IS NULL AND reminded_at IS NULL AND created_at <= ?",
			alertTarget(to), alertSent, string(surveys.AlertResolved), now.Add(-within).UTC()).Order("id").Limit(100).Find(&due).Error
		if err != nil {
			return fmt.Errorf("alert SLA tick: find alerts past their target: %w", err)
		}
		text := surveys.ReminderText(w.a.Locale, within)
		for _, row := range due {
			claimed := false
			err := w.db.inTx(ctx, func(tx *gorm.DB) error {
				res := tx.Exec("UPDATE alerts SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND first_reply_at IS NULL AND state <> ?",
					now.UTC(), row.ID, string(surveys.AlertResolved))
				if res.Error != nil || res.RowsAffected == 0 {
					return res.Error
				}
				claimed = true
				ev := newAlertEventRow(row.ID, surveys.AlertEvent{At: now, Kind: surveys.EventReminder, From: surveys.FromVocbot, Text: text})
				return tx.Create(&ev).Error
			})
			if err != nil {
				return fmt.Errorf("alert SLA tick: claim the reminder of alert %d: %w", row.ID, err)
			}
			if !claimed {
				continue
			}
			tp, ok := w.a.Posters[to.Platform].(surveys.ThreadPoster)
			if !ok {
				log.Warn("cannot post an alert's reminder: the platform has no thread poster here", "alert_id", row.ID, "platform", string(to.Platform))
				continue
			}
			if err := tp.PostInThread(ctx, to, surveys.MessageRef(row.MessageRef), text); err != nil {
				log.Warn("could not post an alert's reminder", "alert_id", row.ID, "err", err)
			}
		}
	}
	return nil
}
