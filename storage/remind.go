package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// Reminders configures the one reminder an unanswered survey may get.
type Reminders struct {
	// After says how long after sending a survey is reminded; 0 means never.
	After func(surveyID string) time.Duration
	// Prompt words the reminder.
	Prompt func(inv surveys.Invitation, now time.Time) (surveys.Prompt, error)
	// Every is how often due reminders are looked for (default a minute).
	Every time.Duration
}

// SendReminderArgs is the job that reminds one customer of one survey.
type SendReminderArgs struct {
	InvitationID int64 `json:"invitation_id" river:"unique"`
}

// Kind names the job in river_job.
func (SendReminderArgs) Kind() string { return "send_reminder" }

type reminderTickArgs struct{}

func (reminderTickArgs) Kind() string { return "reminder_tick" }

// notOptedOut keeps reminders from customers who said /stop or were forgotten.
const notOptedOut = "NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = invitations.customer_id AND (c.opted_out_at IS NOT NULL OR c.forgotten_at IS NOT NULL))"

// reminderBatch bounds the reminders one tick schedules; the next tick takes the rest.
const reminderBatch = 1000

// reminderTickWorker finds sent, unanswered, unexpired invitations whose
// reminder is due and schedules one job each (unique by invitation).
type reminderTickWorker struct {
	river.WorkerDefaults[reminderTickArgs]
	db  *DB
	r   Reminders
	now func() time.Time
}

func (w *reminderTickWorker) Work(ctx context.Context, _ *river.Job[reminderTickArgs]) error {
	if w.r.After == nil {
		return nil
	}
	now := w.now()
	var due []invitationRow
	err := w.db.gorm.WithContext(ctx).
		Select("id", "survey_id", "platform", "sent_at", "expires_at").
		Where("status = ? AND reminded_at IS NULL AND expires_at > ?", string(surveys.Sent), now).
		Where("platform <> ?", string(surveys.Web)). // a web link has no chat to remind in
		Where("NOT EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = invitations.id)").
		Where(notOptedOut).
		Order("sent_at").Limit(reminderBatch).Find(&due).Error
	if err != nil {
		return fmt.Errorf("find unanswered surveys: %w", err)
	}
	var jobs []river.InsertManyParams
	for _, inv := range due {
		after := w.r.After(inv.SurveyID)
		if after <= 0 || inv.SentAt == nil {
			continue
		}
		at := inv.SentAt.Add(after)
		if at.After(now) || !at.Before(*inv.ExpiresAt) {
			continue
		}
		jobs = append(jobs, river.InsertManyParams{
			Args:       SendReminderArgs{InvitationID: inv.ID},
			InsertOpts: &river.InsertOpts{Queue: inv.Platform, UniqueOpts: river.UniqueOpts{ByArgs: true}},
		})
	}
	if len(jobs) == 0 {
		return nil
	}
	return w.db.inTx(ctx, func(tx *gorm.DB) error {
		return insertManyTx(ctx, river.ClientFromContext[*sql.Tx](ctx), tx, jobs)
	})
}

// sendReminderWorker sends a reminder at most once: the invitation is
// marked reminded before the send, so a crash or an ambiguous failure
// leaves it reminded (a missing reminder is better than a double one).
type sendReminderWorker struct {
	river.WorkerDefaults[SendReminderArgs]
	db      *DB
	d       Delivery
	metrics *deliveryMetrics
	log     *slog.Logger
	now     func() time.Time
}

func (w *sendReminderWorker) Work(ctx context.Context, job *river.Job[SendReminderArgs]) error {
	id := job.Args.InvitationID
	var row invitationRow
	if err := w.db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // erased with its customer
		}
		return err
	}
	inv := row.invitation("")
	sender := w.d.Senders[inv.To.Platform]
	if sender == nil || w.d.Reminders.Prompt == nil {
		return river.JobSnooze(time.Minute)
	}
	if wait, err := w.db.takeSendTokens(ctx, w.d, inv.To); err != nil {
		return err
	} else if wait > 0 {
		return river.JobSnooze(snoozeFor(wait))
	}
	now := w.now()
	claimed := false
	err := w.db.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&invitationRow{}).
			Where("id = ? AND status = ? AND reminded_at IS NULL AND expires_at > ?", id, string(surveys.Sent), now).
			Where("NOT EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = invitations.id)").
			Where(notOptedOut).
			Updates(map[string]any{"reminded_at": now, "updated_at": now})
		claimed = res.RowsAffected == 1
		return res.Error
	})
	if err != nil || !claimed {
		return err // answered, expired or reminded meanwhile: nothing to do
	}
	prompt, err := w.d.Reminders.Prompt(inv, now)
	if err != nil {
		w.log.Error("reminder not sent: cannot build prompt", "invitation_id", id, "err", err)
		return river.JobCancel(err)
	}
	callCtx, cancel := context.WithTimeout(ctx, w.d.SendTimeout)
	_, sendErr := sender.Send(callCtx, inv.To, prompt)
	cancel()
	if sendErr == nil {
		w.metrics.sent.WithLabelValues(string(inv.To.Platform), "reminded").Inc()
		return nil
	}
	if kind, retryAfter := surveys.FailureOf(sendErr); kind == surveys.RateLimited {
		// Definitely not shown: give the reminder back and try later.
		retryAfter = w.db.holdBack(ctx, w.metrics, inv.To, retryAfter, now, w.log)
		if err := w.db.inTx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&invitationRow{}).Where("id = ?", id).Update("reminded_at", nil).Error
		}); err != nil {
			return err
		}
		w.log.Info("reminder rate limited by the platform; retrying later", "invitation_id", id, "retry_after", retryAfter.String())
		return river.JobSnooze(snoozeFor(retryAfter))
	}
	w.log.Info("reminder not delivered; not retried (at most one reminder)", "invitation_id", id, "err", sendErr)
	return nil
}
