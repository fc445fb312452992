package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

// Delivery is how send_survey jobs reach customers: a Sender per platform
// this process can talk to, and how to word the prompt. Platforms without a
// Sender get no queue here, so their jobs wait for a process that has one.
type Delivery struct {
	Senders map[surveys.Platform]surveys.Sender
	// Prompt builds the survey message for an invitation.
	Prompt func(surveys.Invitation) (surveys.Prompt, error)
	// Workers caps concurrent sends per platform (default 10).
	Workers int
	// SendTimeout bounds one platform call (default 30 s); a timeout is an
	// ambiguous failure.
	SendTimeout time.Duration
	// StaleAfter is how long an attempt may be in flight before a job that
	// finds it assumes the process died mid-send (default 2 min; longer than
	// SendTimeout, so a slow send elsewhere is never mistaken for one).
	StaleAfter time.Duration
	// Rates are the send limits each platform's adapter declares, enforced
	// through buckets shared by every replica; a platform without an entry
	// is not limited here (tests set their own).
	Rates map[surveys.Platform]surveys.SendLimits
	// WebLink turns invitations a chat refuses into web invitations whose
	// link goes to the company's webhook; nil: off.
	WebLink *WebLinkFallback
	// Reminders words and times the one reminder of unanswered surveys.
	Reminders Reminders
	// Logger receives delivery logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock of delivery's records (expiry, sent_at); nil is the
	// system clock. Tests that move time set it with the Engine's.
	Now func() time.Time
}

// staleSending is the default Delivery.StaleAfter.
const staleSending = 2 * time.Minute

// deliveryMetrics are the delivery counters on /metrics.
type deliveryMetrics struct {
	sent        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	latency     *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
	// digestFailures and alertFailures count posts given up, by reason.
	digestFailures *prometheus.CounterVec
	alertFailures  *prometheus.CounterVec
	// webLinks counts web link fallbacks by result (weblink.go).
	webLinks *prometheus.CounterVec
}

func newDeliveryMetrics() *deliveryMetrics {
	return &deliveryMetrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vocbot_messages_sent_total",
			Help: "Survey send events by platform and result: sent, rate_limited, failed, undeliverable, expired; " +
				"ambiguous (the call may or may not have reached the customer), unknown (an ambiguous send recorded as " +
				"such, never resent), ambiguous_then_delivered (the platform later confirmed an ambiguous send).",
		}, []string{"platform", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vocbot_send_duration_seconds",
			Help:    "Time of one platform send call.",
			Buckets: prometheus.DefBuckets,
		}, []string{"platform"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vocbot_delivery_latency_seconds",
			Help:    "From an invitation's due time to its delivery.",
			Buckets: []float64{0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600},
		}, []string{"platform"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vocbot_platform_ratelimited_total",
			Help: "429 answers from platforms.",
		}, []string{"platform"}),
		digestFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vocbot_digest_failures_total",
			Help: "Digests not posted, by platform and reason (no_credentials, unreachable, failed).",
		}, []string{"platform", "reason"}),
		alertFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vocbot_alert_failures_total",
			Help: "Alerts not posted, by platform and reason (no_credentials, unreachable, failed).",
		}, []string{"platform", "reason"}),
		webLinks: newWebLinkMetric(),
	}
}

func (m *deliveryMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.sent, m.duration, m.latency, m.rateLimited, m.digestFailures, m.alertFailures, m.webLinks}
}

// sendSurveyWorker runs the delivery state machine (never double-send):
//
//	A: lock the invitation; final → done; scheduled → sending (committed)
//	   platform call, outside any transaction
//	B: sent + message ref + job completion in one transaction
//
// so a crash anywhere leaves either a job that finds "sent" and stops, or
// one that finds a stale "sending" and treats it as ambiguous.
type sendSurveyWorker struct {
	river.WorkerDefaults[SendSurveyArgs]
	db      *DB
	d       Delivery
	metrics *deliveryMetrics
	log     *slog.Logger
	now     func() time.Time
	lease   time.Duration // how long a silent worker is presumed alive
	// insert enqueues the web link job in the transaction of a refused send.
	insert *river.Client[*sql.Tx]
}

// Timeout leaves room for rate-limit waits and the send itself.
func (w *sendSurveyWorker) Timeout(*river.Job[SendSurveyArgs]) time.Duration {
	return w.d.SendTimeout + 30*time.Second
}

func (w *sendSurveyWorker) Work(ctx context.Context, job *river.Job[SendSurveyArgs]) error {
	id := job.Args.InvitationID
	inv, err := w.peek(ctx, id)
	if errors.Is(err, surveys.ErrNotFound) {
		return nil // erased with its customer; nothing to send
	}
	if err != nil {
		return err
	}
	if inv.Status.Final() {
		return nil
	}
	platform := inv.To.Platform
	sender := w.d.Senders[platform]
	if sender == nil {
		return river.JobSnooze(time.Minute) // a process with credentials will take it
	}
	log := w.log.With("invitation_id", id, "job_id", job.ID, "platform", platform)

	if checker, ok := sender.(surveys.DeliveryChecker); ok && inv.Status == surveys.Sending {
		// An earlier attempt's outcome is unknown: ask the platform first.
		if done, err := w.confirm(ctx, job, inv, checker, log); err != nil || done {
			return err
		}
	}

	if wait, err := w.db.takeSendTokens(ctx, w.d, inv.To); err != nil {
		return err
	} else if wait > 0 {
		return river.JobSnooze(snoozeFor(wait))
	}

	claimed, err := w.claim(ctx, id, sender)
	if err != nil || !claimed {
		return err
	}
	prompt, err := w.d.Prompt(inv)
	if err != nil {
		// Our configuration cannot word this survey (e.g. it was removed):
		// no retry helps, and the customer must not get a broken message.
		w.finish(ctx, id, platform, surveys.Undeliverable, failureDetail("cannot word the survey", err))
		log.Error("survey not sent: cannot build prompt", "err", err)
		return river.JobCancel(err)
	}

	callCtx, cancel := context.WithTimeout(ctx, w.d.SendTimeout)
	start := time.Now()
	ref, sendErr := sender.Send(callCtx, inv.To, prompt)
	timedOut := errors.Is(callCtx.Err(), context.DeadlineExceeded)
	cancel()
	// What the platform call did must be recorded even when shutdown
	// cancelled the job meanwhile: an unrecorded outcome is a stale
	// "sending" that waits for River's rescuer.
	ctx, cancelRecord := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancelRecord()
	w.metrics.duration.WithLabelValues(string(platform)).Observe(time.Since(start).Seconds())

	if sendErr == nil {
		if err := w.markSent(ctx, job, ref); err != nil {
			// The message is out; a rerun finds "sending" and, on platforms
			// without idempotency, records unknown instead of resending.
			return fmt.Errorf("record sent invitation %d: %w", id, err)
		}
		w.metrics.sent.WithLabelValues(string(platform), "sent").Inc()
		if !inv.DueAt.IsZero() {
			w.metrics.latency.WithLabelValues(string(platform)).Observe(w.now().Sub(inv.DueAt).Seconds())
		}
		log.Info("survey sent", "message_ref", string(ref))
		return nil
	}

	kind, retryAfter := surveys.FailureOf(sendErr)
	unknownWhy := "the platform may or may not have shown it (not resent)"
	var se *surveys.SendError
	if timedOut && !errors.As(sendErr, &se) {
		// The call outlived SendTimeout and the adapter did not say whether
		// the request had left: it may have arrived, so it is ambiguous,
		// never a definite failure to retry.
		kind = surveys.Ambiguous
	}
	if timedOut && kind == surveys.Ambiguous {
		unknownWhy = fmt.Sprintf("no answer within %s; the platform may or may not have shown it (not resent)", w.d.SendTimeout)
	}
	switch {
	case kind == surveys.RateLimited:
		w.metrics.sent.WithLabelValues(string(platform), "rate_limited").Inc()
		retryAfter = w.db.holdBack(ctx, w.metrics, inv.To, retryAfter, w.now(), log)
		if err := w.release(ctx, id); err != nil {
			return err
		}
		log.Info("rate limited by the platform; retrying later", "retry_after", retryAfter.String())
		return river.JobSnooze(snoozeFor(retryAfter))
	case kind == surveys.Unreachable:
		w.finishUnreachable(ctx, id, platform, sendErr, log) // weblink.go: a web link instead, where the survey offers one
		return river.JobCancel(sendErr)
	case kind == surveys.Ambiguous && isChecker(sender):
		// Stay "sending": once the attempt is stale, the next run asks the
		// platform whether it arrived before sending again.
		w.metrics.sent.WithLabelValues(string(platform), "ambiguous").Inc()
		log.Warn("survey delivery ambiguous; will check the platform before resending", "err", sendErr)
		return fmt.Errorf("ambiguous send of invitation %d: %w", id, sendErr)
	case kind == surveys.Ambiguous && !retrySafe(sender):
		// E.g. a timeout after the request was written: the customer may
		// have the survey, and this platform cannot tell. Counted and kept
		// visible as unknown; a duplicate would be worse than a miss.
		w.metrics.sent.WithLabelValues(string(platform), "ambiguous").Inc()
		w.finish(ctx, id, platform, surveys.Unknown, failureDetail(unknownWhy, sendErr))
		log.Warn("survey delivery unknown; not resent to avoid a duplicate", "err", sendErr)
		return nil
	case kind == surveys.Ambiguous:
		w.metrics.sent.WithLabelValues(string(platform), "ambiguous").Inc()
	}
	// Definite failure (or ambiguous on a platform that dedupes): retry with
	// River's backoff, until the attempts run out.
	if job.Attempt >= job.MaxAttempts {
		w.finish(ctx, id, platform, surveys.Undeliverable, failureDetail(fmt.Sprintf("gave up after %d attempts", job.Attempt), sendErr))
		return river.JobCancel(sendErr)
	}
	if kind != surveys.Ambiguous {
		w.metrics.sent.WithLabelValues(string(platform), "failed").Inc()
	}
	if err := w.release(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("send invitation %d: %w", id, sendErr)
}

// retrySafe: resending after an ambiguous failure cannot show the
// customer the survey twice, because the platform dedupes (RetrySafe) or
// because the worker asks it first (DeliveryChecker).
func retrySafe(s surveys.Sender) bool {
	rs, ok := s.(surveys.RetrySafe)
	return ok && rs.RetrySafe() || isChecker(s)
}

func isChecker(s surveys.Sender) bool {
	_, ok := s.(surveys.DeliveryChecker)
	return ok
}

// confirm resolves an earlier attempt left "sending": once it is stale,
// the platform is asked whether the prompt arrived; found → sent, with the
// job completed (done). Not found, or not stale yet, leaves it to claim.
func (w *sendSurveyWorker) confirm(ctx context.Context, job *river.Job[SendSurveyArgs], inv surveys.Invitation, checker surveys.DeliveryChecker, log *slog.Logger) (bool, error) {
	var row invitationRow
	if err := w.db.gorm.WithContext(ctx).Select("attempt_started_at", "attempt_by").Where("id = ?", inv.ID).Take(&row).Error; err != nil {
		return false, translate(err)
	}
	if wait, err := w.attemptWait(ctx, w.db.sql, row, w.now(), true); err != nil || wait > 0 {
		return false, err // claim snoozes until the attempt is over
	}
	prompt, err := w.d.Prompt(inv)
	if err != nil {
		return false, nil // claim and the send path report it
	}
	ref, found, err := checker.DeliveredTo(ctx, inv.To, prompt.Ref)
	if err != nil {
		return false, fmt.Errorf("check delivery of invitation %d: %w", inv.ID, err)
	}
	if !found {
		log.Info("earlier attempt did not arrive; sending again")
		return false, nil
	}
	if err := w.markSent(ctx, job, ref); err != nil {
		return false, fmt.Errorf("record sent invitation %d: %w", inv.ID, err)
	}
	// The earlier call was counted as ambiguous; it did reach the customer.
	w.metrics.sent.WithLabelValues(string(inv.To.Platform), "ambiguous_then_delivered").Inc()
	log.Info("earlier ambiguous attempt had arrived; recorded as sent", "message_ref", string(ref))
	return true, nil
}

// peek reads the invitation without a lock, to know where it goes.
func (w *sendSurveyWorker) peek(ctx context.Context, id int64) (surveys.Invitation, error) {
	var row invitationRow
	if err := w.db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return surveys.Invitation{}, translate(err)
	}
	return row.invitation(""), nil
}

// takeSendTokens waits for the platform's per-chat and global buckets;
// short waits sleep here, long ones come back for the job to snooze. The
// global bucket comes last: a paced one (Rate.Late) returns at the booked
// time, and the send follows at once.
func (db *DB) takeSendTokens(ctx context.Context, d Delivery, to surveys.Address) (time.Duration, error) {
	rates := d.Rates[to.Platform]
	buckets := []struct {
		key  string
		rate Rate
	}{{chatKey(to), chatRate(to, rates.PerChat)}, {string(to.Platform) + ":global", rates.Global}}
	for _, b := range buckets {
		if b.rate.Interval <= 0 {
			continue
		}
		if b.rate.Late > 0 {
			if wait, err := db.bookSendTime(ctx, b.key, b.rate); err != nil || wait > 0 {
				return wait, err
			}
			continue
		}
		for {
			wait, err := db.TakeToken(ctx, b.key, b.rate)
			if err != nil {
				return 0, err
			}
			if wait == 0 {
				break
			}
			if wait > time.Second {
				return wait, nil
			}
			if err := sleepCtx(ctx, wait); err != nil {
				return 0, err
			}
		}
	}
	return 0, nil
}

// bookSendTime books a time on a paced bucket's schedule and sleeps until
// it. A booking the worker reaches more than Late after its time is given
// up (the time stays spent: no one else sends in it) and another is booked.
// It returns a wait over a second for the job to snooze.
func (db *DB) bookSendTime(ctx context.Context, key string, r Rate) (time.Duration, error) {
	for {
		booking, wait, err := db.BookToken(ctx, key, r, bookAhead)
		if err != nil {
			return 0, err
		}
		if wait > time.Second {
			return wait, nil
		}
		if wait > 0 {
			if err := sleepCtx(ctx, wait); err != nil {
				return 0, err
			}
			continue
		}
		due := time.Now().Add(booking.In)
		if err := sleepCtx(ctx, booking.In); err != nil {
			return 0, err
		}
		if time.Since(due) <= r.Late {
			return 0, nil
		}
	}
}

// sleepCtx sleeps d, or returns ctx's error if it ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// holdBack records a platform's 429 so that every replica waits (the chat's
// bucket is blocked until retryAfter has passed) and returns how long the
// job snoozes.
func (db *DB) holdBack(ctx context.Context, m *deliveryMetrics, to surveys.Address, retryAfter time.Duration, now time.Time, log *slog.Logger) time.Duration {
	m.rateLimited.WithLabelValues(string(to.Platform)).Inc()
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	if err := db.BlockBucket(ctx, chatKey(to), now.Add(retryAfter)); err != nil {
		log.Warn("could not record the platform's retry-after", "err", err)
	}
	return retryAfter
}

// chatKey names the per-chat bucket; ids only, no personal data.
func chatKey(to surveys.Address) string {
	id := to.ChatID
	if id == "" {
		id = to.UserID
	}
	return string(to.Platform) + ":chat:" + id
}

// chatRate: Telegram groups (negative ids) allow 20 messages a minute.
func chatRate(to surveys.Address, r Rate) Rate {
	if to.Platform == surveys.Telegram && strings.HasPrefix(to.ChatID, "-") {
		return Rate{Interval: 3 * time.Second, Burst: 1}
	}
	return r
}

// claim is transaction A: it moves a scheduled invitation to sending. It
// reports false when there is nothing to send (already final, expired, or
// an earlier attempt's outcome is unknowable).
func (w *sendSurveyWorker) claim(ctx context.Context, id int64, sender surveys.Sender) (bool, error) {
	claimed := false
	self := workerOf(ctx)
	err := w.db.inTx(ctx, func(tx *gorm.DB) error {
		var row invitationRow
		q := tx.Where("id = ?", id)
		if w.db.engine == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&row).Error; err != nil {
			return err
		}
		now := w.now()
		status := surveys.Status(row.Status)
		switch {
		case status.Final():
			return nil
		case row.ExpiresAt != nil && !now.Before(*row.ExpiresAt):
			w.metrics.sent.WithLabelValues(row.Platform, "expired").Inc()
			return w.setStatus(tx, id, surveys.Expired, "not delivered before it expired")
		}
		sqlTx, err := sqlTxOf(tx)
		if err != nil {
			return err
		}
		if status == surveys.Sending {
			wait, err := w.attemptWait(ctx, sqlTx, row, now, isChecker(sender))
			if err != nil {
				return err
			}
			if wait > 0 {
				return river.JobSnooze(wait) // another worker may be sending right now
			}
			if !retrySafe(sender) {
				// The worker stopped between the send and its record: the
				// customer may have the survey. Never resend blindly.
				w.metrics.sent.WithLabelValues(row.Platform, "unknown").Inc()
				return w.setStatus(tx, id, surveys.Unknown, "interrupted while sending; not resent to avoid a duplicate")
			}
		}
		updates := map[string]any{
			"status":             string(surveys.Sending),
			"attempts":           gorm.Expr("attempts + 1"),
			"attempt_started_at": now,
			"attempt_by":         nil,
			"updated_at":         now,
		}
		if self != "" {
			// A worker the others presumed dead starts no attempt: they
			// may be resolving its earlier ones right now.
			if err := w.db.holdLease(ctx, sqlTx, self, w.lease); err != nil {
				return err
			}
			updates["attempt_by"] = self
		}
		claimed = true
		return tx.Model(&invitationRow{}).Where("id = ?", id).Updates(updates).Error
	})
	if err != nil {
		var snooze *river.JobSnoozeError
		if errors.As(err, &snooze) {
			return false, err
		}
		return false, fmt.Errorf("claim invitation %d: %w", id, err)
	}
	return claimed, nil
}

func (w *sendSurveyWorker) setStatus(tx *gorm.DB, id int64, s surveys.Status, detail string) error {
	updates := map[string]any{"status": string(s), "detail": detail, "updated_at": w.now()}
	return tx.Model(&invitationRow{}).Where("id = ?", id).Updates(updates).Error
}

// attemptWait tells how long an earlier attempt left "sending" may still be
// in flight; 0 means it is over and may be resolved. An attempt is over when
// it is older than StaleAfter, or when the worker that made it is dead: at
// once where nothing will be resent or the platform dedupes a resend; where
// the platform is asked first (asked), once the dead worker's own send
// would have timed out, so that the answer cannot miss a send in flight.
func (w *sendSurveyWorker) attemptWait(ctx context.Context, q querier, row invitationRow, now time.Time, asked bool) (time.Duration, error) {
	if row.AttemptStartedAt == nil {
		return 0, nil
	}
	age := now.Sub(*row.AttemptStartedAt)
	if age >= w.d.StaleAfter {
		return 0, nil
	}
	if row.AttemptBy != nil {
		alive, err := w.db.workerAlive(ctx, q, *row.AttemptBy, w.lease)
		if err != nil {
			return 0, err
		}
		if !alive {
			if !asked {
				return 0, nil
			}
			return max(w.d.SendTimeout+time.Second-age, 0), nil
		}
	}
	return w.d.StaleAfter - age, nil
}

// workerOf is the id of the job worker running the job in ctx ("" outside one).
func workerOf(ctx context.Context) string {
	c, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return ""
	}
	return c.ID()
}

// maxDetail caps the failure text stored with an invitation.
const maxDetail = 500

var urlPattern = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"']+`)

// failureDetail is the stored explanation of a failed delivery: what
// happened, then the error with any URL removed (a platform URL may carry a
// token) and cut to maxDetail characters.
func failureDetail(what string, err error) string {
	msg := urlPattern.ReplaceAllString(err.Error(), "[url]")
	d := what + ": " + msg
	if utf8.RuneCountInString(d) > maxDetail {
		r := []rune(d)
		d = string(r[:maxDetail-1]) + "…"
	}
	return d
}

// snoozeFor is how long to snooze a job that must wait d. River moves
// snoozes longer than its scheduler interval back to the queue only at
// the scheduler's next run (up to 5 s late), shorter ones are fetched as
// soon as they are due; so a long wait wakes up a scheduler interval early
// and the worker snoozes the short rest (the bucket is still blocked).
func snoozeFor(d time.Duration) time.Duration {
	if d > 2*riverSchedulerInterval {
		return d - riverSchedulerInterval
	}
	return d
}

// riverSchedulerInterval is River's (fixed) scheduler period.
const riverSchedulerInterval = 5 * time.Second

// markSent is transaction B: the invitation is sent with its message
// reference and the job is completed in the same commit.
func (w *sendSurveyWorker) markSent(ctx context.Context, job *river.Job[SendSurveyArgs], ref surveys.MessageRef) error {
	return w.db.inTx(ctx, func(tx *gorm.DB) error {
		now := w.now()
		if err := tx.Model(&invitationRow{}).Where("id = ?", job.Args.InvitationID).Updates(map[string]any{
			"status":      string(surveys.Sent),
			"sent_at":     now,
			"message_ref": string(ref),
			"updated_at":  now,
		}).Error; err != nil {
			return err
		}
		sqlTx, err := sqlTxOf(tx)
		if err != nil {
			return err
		}
		_, err = river.JobCompleteTx[*riverdatabasesql.Driver](ctx, sqlTx, job)
		return err
	})
}

// release puts an invitation back to scheduled after a definite failure.
func (w *sendSurveyWorker) release(ctx context.Context, id int64) error {
	err := w.db.inTx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&invitationRow{}).Where("id = ? AND status = ?", id, string(surveys.Sending)).
			Updates(map[string]any{"status": string(surveys.Scheduled), "updated_at": w.now()}).Error
	})
	if err != nil {
		return fmt.Errorf("release invitation %d: %w", id, err)
	}
	return nil
}

// finish records a final outcome; failing to record it is logged, since the
// job's own outcome (cancel, or a rerun finding "sending") stays safe.
func (w *sendSurveyWorker) finish(ctx context.Context, id int64, p surveys.Platform, s surveys.Status, detail string) {
	err := w.db.inTx(ctx, func(tx *gorm.DB) error { return w.setStatus(tx, id, s, detail) })
	if err != nil {
		w.log.Error("could not record delivery outcome", "invitation_id", id, "status", s, "err", err)
	}
	w.metrics.sent.WithLabelValues(string(p), string(s)).Inc()
}
