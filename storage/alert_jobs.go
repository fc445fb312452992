package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

// Alerts posts an alert for each low-score response to every target: the
// send_alert job the conversation enqueues with the response runs here.
// Each (response, target) is one alerts row that goes pending → sending →
// sent like an invitation: a post is never repeated after an
// ambiguous failure (the row becomes unknown), a 429 snoozes the job for
// Retry-After, a channel that is gone makes it undeliverable.
//
// If the survey asks "why?", the job waits up to CommentWait after the
// score for the comment (snoozing a second at a time), so the alert posts
// once with the comment, still within a minute of the answer. If the
// comment is slower, the alert posts without it and the job looks again
// every minute (within surveys.CommentWindow) to redraw it with the comment.
type Alerts struct {
	// Targets are the channels alerts go to (ChatID set).
	Targets []surveys.Address
	// Posters post and redraw alerts per platform. An alert whose platform
	// has none (its credentials are not set) fails for that target: logged,
	// counted in vocbot_alert_failures_total{reason="no_credentials"}.
	Posters map[surveys.Platform]surveys.AlertPoster
	// Locale is the staff's language for the cards.
	Locale string
	// Policy is how a channel's alerts are worked: the resolution reasons
	// its cards offer and its first-reply target (the SLA tick reminds
	// once in the thread when it passes). nil: default buttons, no target.
	Policy func(to surveys.Address) surveys.AlertPolicy
	// Title is a survey's display title in a locale for the cards; nil
	// shows survey ids.
	Title func(surveyID, locale string) string
	// CommentWait is how long to wait for the comment; 0 means
	// surveys.AlertCommentWait, negative posts at once.
	CommentWait time.Duration
	// Now is the clock; nil is the system clock.
	Now func() time.Time
	// Logger receives alert logs; nil uses the database's.
	Logger *slog.Logger
}

// dress words v for its card: the staff's locale, the channel's
// resolution reasons and the survey's title.
func (a Alerts) dress(v *surveys.AlertView) {
	v.Locale = a.Locale
	if a.Policy != nil {
		v.Reasons = a.Policy(v.Alert.To).Reasons
	}
	if a.Title != nil {
		v.Title = a.Title(v.Response.SurveyID, a.Locale)
	}
}

// alertCommentPoll is how often a job waiting for the comment looks again.
const alertCommentPoll = time.Second

// staleAlert is how long a post may stay "sending" before a later run
// takes it for a crash between the post and its record.
const staleAlert = 2 * time.Minute

// addAlertWorker registers the send_alert worker when alerts have targets,
// and the SLA tick when a target has a first-reply target.
func addAlertWorker(ws *river.Workers, db *DB, a Alerts, m *deliveryMetrics) (bool, []*river.PeriodicJob, error) {
	if len(a.Targets) == 0 {
		return false, nil, nil
	}
	if a.Now == nil {
		a.Now = func() time.Time { return time.Now().UTC() }
	}
	if a.Logger == nil {
		a.Logger = db.logger
	}
	if a.CommentWait == 0 {
		a.CommentWait = surveys.AlertCommentWait
	}
	if err := river.AddWorkerSafely(ws, &sendAlertWorker{db: db, a: a, metrics: m}); err != nil {
		return false, nil, fmt.Errorf("register alert worker: %w", err)
	}
	if a.Policy == nil || !slices.ContainsFunc(a.Targets, func(to surveys.Address) bool { return a.Policy(to).FirstReplyWithin > 0 }) {
		return true, nil, nil
	}
	if err := river.AddWorkerSafely(ws, &alertSLAWorker{db: db, a: a}); err != nil {
		return false, nil, fmt.Errorf("register alert SLA tick: %w", err)
	}
	return true, []*river.PeriodicJob{tick("alert_sla_tick", time.Minute, alertSLATickArgs{}, AlertQueue)}, nil
}

type sendAlertWorker struct {
	river.WorkerDefaults[AlertArgs]
	db      *DB
	a       Alerts
	metrics *deliveryMetrics
}

func (w *sendAlertWorker) Timeout(*river.Job[AlertArgs]) time.Duration { return time.Minute }

func (w *sendAlertWorker) Work(ctx context.Context, job *river.Job[AlertArgs]) error {
	log := w.a.Logger.With("job_id", job.ID, "response_id", job.Args.ResponseID)
	now := w.a.Now()
	var resp responseRow
	err := w.db.gorm.WithContext(ctx).Select("id", "metric", "comment_state", "comment_at", "answered_at").
		Where("id = ?", job.Args.ResponseID).Take(&resp).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		log.Info("alert not posted: the response is gone")
		return nil
	}
	if err != nil {
		return fmt.Errorf("read response of alert: %w", translate(err))
	}
	if resp.Metric == string(surveys.ENPS) {
		// Employee surveys are anonymous below a threshold of answers:
		// an alert naming one employee's score would break it.
		log.Info("alert not posted: eNPS answers are anonymous")
		return nil
	}
	if resp.CommentState == string(surveys.CommentAwaiting) && now.Sub(resp.AnsweredAt) < w.a.CommentWait {
		return river.JobSnooze(alertCommentPoll)
	}
	for _, to := range w.a.Targets {
		if err := w.post(ctx, log.With("target", alertTarget(to)), job, to, now); err != nil {
			return err
		}
	}
	if resp.CommentState == string(surveys.CommentAwaiting) && now.Sub(resp.AnsweredAt) < surveys.CommentWindow {
		// Posted without the comment: look again later and redraw the
		// alerts when it comes (or the customer skips).
		return river.JobSnooze(alertCommentRecheck)
	}
	w.redrawLate(ctx, log, job.Args.ResponseID, timeOf(resp.CommentAt))
	return nil
}

// alertCommentRecheck is how often a posted alert without its comment looks
// for it, for up to surveys.CommentWindow.
const alertCommentRecheck = time.Minute

// redrawLate redraws the posted alerts of a response whose comment came
// after they were posted, so the comment shows.
func (w *sendAlertWorker) redrawLate(ctx context.Context, log *slog.Logger, responseID int64, commentAt time.Time) {
	if commentAt.IsZero() {
		return
	}
	var rows []alertRow
	if err := w.db.gorm.WithContext(ctx).Where("response_id = ? AND status = ? AND posted_at < ?", responseID, alertSent, commentAt.UTC()).
		Find(&rows).Error; err != nil {
		log.Warn("could not read alerts to show a late comment", "err", err)
		return
	}
	for _, row := range rows {
		poster := w.a.Posters[parseTarget(row.Target).Platform]
		if poster == nil {
			continue
		}
		var v surveys.AlertView
		if err := w.db.inTx(ctx, func(tx *gorm.DB) (err error) {
			v, err = alertView(tx, row)
			return err
		}); err != nil {
			log.Warn("could not load an alert to show a late comment", "alert_id", row.ID, "err", err)
			continue
		}
		w.a.dress(&v)
		if err := poster.UpdateAlert(ctx, v.Alert.To, v.Alert.MessageRef, v); err != nil {
			log.Warn("could not show a late comment in the alert", "alert_id", row.ID, "err", err)
		}
	}
}

// post runs one target's post through its state machine.
func (w *sendAlertWorker) post(ctx context.Context, log *slog.Logger, job *river.Job[AlertArgs], to surveys.Address, now time.Time) error {
	db := w.db.gorm.WithContext(ctx)
	target := alertTarget(to)
	fresh := alertRow{ResponseID: job.Args.ResponseID, Target: target, Status: alertPending, State: string(surveys.AlertOpen), CreatedAt: now.UTC()}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return fmt.Errorf("create alert: %w", translate(err))
	}
	var row alertRow
	if err := db.Where("response_id = ? AND target = ?", job.Args.ResponseID, target).Take(&row).Error; err != nil {
		return fmt.Errorf("read alert: %w", translate(err))
	}
	switch row.Status {
	case alertSent, alertUnknown, alertUndeliverable, alertFailed:
		return nil
	case alertSending:
		if row.AttemptStartedAt != nil && now.Sub(*row.AttemptStartedAt) < staleAlert {
			return river.JobSnooze(staleAlert)
		}
		log.Warn("alert post was interrupted; not reposted to avoid a duplicate", "alert_id", row.ID)
		return w.setStatus(ctx, row.ID, alertSending, alertUnknown)
	}
	poster := w.a.Posters[to.Platform]
	if poster == nil {
		// Waiting would only postpone it every minute, unseen: say so once.
		log.Error("alert not posted: no credentials for its platform", "alert_id", row.ID,
			"err", fmt.Sprintf("vocbot has no %s adapter running (its credentials are not set)", to.Platform))
		w.failed(to, "no_credentials")
		return w.setStatus(ctx, row.ID, alertPending, alertFailed)
	}
	res := db.Model(&alertRow{}).Where("id = ? AND status = ?", row.ID, alertPending).
		Updates(map[string]any{"status": alertSending, "attempt_started_at": now.UTC()})
	if res.Error != nil {
		return fmt.Errorf("claim alert: %w", translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return nil // another worker has it
	}
	var v surveys.AlertView
	if err := w.db.inTx(ctx, func(tx *gorm.DB) (err error) {
		v, err = alertView(tx, row)
		return err
	}); err != nil {
		_ = w.setStatus(context.WithoutCancel(ctx), row.ID, alertSending, alertPending)
		return fmt.Errorf("load alert: %w", err)
	}
	w.a.dress(&v)
	ref, postErr := poster.PostAlert(ctx, to, v)
	if postErr == nil {
		err := db.Model(&alertRow{}).Where("id = ?", row.ID).
			Updates(map[string]any{"status": alertSent, "message_ref": string(ref), "posted_at": w.a.Now().UTC()}).Error
		if err != nil {
			return fmt.Errorf("record posted alert: %w", translate(err))
		}
		log.Info("alert posted", "alert_id", row.ID, "message_ref", string(ref))
		w.catchUp(ctx, log, poster, to, ref, row)
		return nil
	}
	kind, retryAfter := surveys.FailureOf(postErr)
	switch {
	case kind == surveys.Unreachable:
		log.Error("alert channel unreachable", "alert_id", row.ID, "err", postErr)
		w.failed(to, "unreachable")
		return w.setStatus(ctx, row.ID, alertSending, alertUndeliverable)
	case kind == surveys.Ambiguous:
		log.Warn("alert post outcome unknown; not reposted", "alert_id", row.ID, "err", postErr)
		return w.setStatus(ctx, row.ID, alertSending, alertUnknown)
	case job.Attempt >= job.MaxAttempts:
		log.Error("alert not posted after every attempt", "alert_id", row.ID, "err", postErr)
		w.failed(to, "failed")
		return w.setStatus(ctx, row.ID, alertSending, alertFailed)
	}
	if err := w.setStatus(ctx, row.ID, alertSending, alertPending); err != nil {
		return err
	}
	if kind == surveys.RateLimited {
		return river.JobSnooze(max(retryAfter, time.Second))
	}
	return fmt.Errorf("post alert: %w", postErr)
}

// failed counts an alert given up for one target.
func (w *sendAlertWorker) failed(to surveys.Address, reason string) {
	if w.metrics != nil {
		w.metrics.alertFailures.WithLabelValues(string(to.Platform), reason).Inc()
	}
}

func (w *sendAlertWorker) setStatus(ctx context.Context, id int64, from, to string) error {
	err := w.db.gorm.WithContext(ctx).Model(&alertRow{}).Where("id = ? AND status = ?", id, from).
		Update("status", to).Error
	if err != nil {
		return fmt.Errorf("set alert %d %s: %w", id, to, translate(err))
	}
	return nil
}

// catchUp redraws an alert that someone handled between its post and the
// record of its message (a click within the same second): the desk could
// not redraw a message it did not know yet.
func (w *sendAlertWorker) catchUp(ctx context.Context, log *slog.Logger, poster surveys.AlertPoster, to surveys.Address, ref surveys.MessageRef, posted alertRow) {
	var v surveys.AlertView
	err := w.db.inTx(ctx, func(tx *gorm.DB) error {
		var now alertRow
		if err := tx.Where("id = ?", posted.ID).Take(&now).Error; err != nil {
			return err
		}
		if now.State == posted.State && now.Assignee == posted.Assignee && now.Replies == posted.Replies {
			return nil
		}
		var err error
		v, err = alertView(tx, now)
		return err
	})
	if err != nil || v.Alert.ID == 0 {
		return
	}
	w.a.dress(&v)
	if err := poster.UpdateAlert(ctx, to, ref, v); err != nil {
		log.Warn("could not redraw the alert handled while it was posted", "alert_id", posted.ID, "err", err)
	}
}
