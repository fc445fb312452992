package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// The web link fallback: an invitation whose chat refuses it (the send
// failed as unreachable: blocked bot, closed direct messages) becomes a web
// invitation in the same transaction that records the failure, and a
// web_link_fallback job, enqueued in that transaction too, hands its link
// to the company's webhook so that their e-mail or SMS system sends it.

// WebLinkFallback configures the fallback; Delivery.WebLink nil turns it off.
type WebLinkFallback struct {
	// Eligible reports whether the survey offers web links (web_link: true).
	Eligible func(surveyID string) bool
	// Link is the signed link of a web invitation. It is called by the
	// job, so it may be bound after the job queue is built.
	Link func(inv surveys.Invitation) string
	// Hook hands the link on.
	Hook surveys.WebLinkHook
}

// WebLinkQueue is where web link jobs wait for a process with the hook.
const WebLinkQueue = "web_link_fallback"

// WebLinkReason is the handoff's reason: the chat could not be used.
const WebLinkReason = "undeliverable"

// WebLinkFallbackArgs is the job that hands one invitation's web link on.
type WebLinkFallbackArgs struct {
	InvitationID int64 `json:"invitation_id" river:"unique"`
}

// Kind names the job in river_job.
func (WebLinkFallbackArgs) Kind() string { return "web_link_fallback" }

// webLinkOpts: unique by args, so the link is handed on by one job however
// often the conversion is attempted; the invitation's state is the real
// guard. A retried job backs off as River does (seconds, then minutes).
func webLinkOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: WebLinkQueue, MaxAttempts: 14, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// WebLinkID is the handoff's stable id (the webhook-id header).
func WebLinkID(invitationID int64) string {
	return "vocbot-web-link-" + strconv.FormatInt(invitationID, 10)
}

// newWebLinkMetric counts fallbacks by result: enqueued (the chat refused,
// the link is on its way: counted by the job's first run), delivered (the webhook took it), retried (a
// 5xx, 408, 429 or timeout; tried again later), rejected (another 4xx or a
// redirect: given up), failed (retries exhausted), skipped (answered,
// expired or erased before the link went out).
func newWebLinkMetric() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vocbot_web_link_fallbacks_total",
		Help: "Web links handed to web_link_fallback for invitations a chat refused, by result: enqueued, delivered, " +
			"retried, rejected (4xx other than 408/429: given up), failed (retries exhausted), skipped.",
	}, []string{"result"})
}

// toWebLink is the fallback's half of a refused send, inside the
// transaction that records it: see convertToWeb.
func (w *sendSurveyWorker) toWebLink(ctx context.Context, tx *gorm.DB, id int64, sendErr error) (bool, error) {
	var platform string
	if err := scan(tx.Model(&invitationRow{}).Select("platform").Where("id = ?", id), &platform); err != nil {
		return false, err
	}
	detail := failureDetail("a web link for web_link_fallback to send on; the "+platform+" chat refused the survey", sendErr)
	return convertToWeb(ctx, tx, w.insert, w.d.WebLink, w.now(), id, surveys.Sending, detail)
}

// convertToWeb makes invitation id, in status from, a sent web invitation
// and enqueues the job that hands its link on, in tx, when the fallback is
// on and applies: the survey offers web links, the invitation has not
// expired, its customer is neither forgotten nor opted out. It reports
// false, changing nothing, otherwise.
func convertToWeb(ctx context.Context, tx *gorm.DB, insert *river.Client[*sql.Tx], fb *WebLinkFallback, now time.Time, id int64, from surveys.Status, detail string) (bool, error) {
	if fb == nil || fb.Hook == nil || fb.Eligible == nil || fb.Link == nil || insert == nil {
		return false, nil
	}
	var row invitationRow
	if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
		return false, err
	}
	if row.Status != string(from) || row.Platform == string(surveys.Web) || !fb.Eligible(row.SurveyID) {
		return false, nil
	}
	if row.ExpiresAt != nil && !now.Before(*row.ExpiresAt) {
		return false, nil // a link that is dead on arrival helps nobody
	}
	var cust customerRow
	if err := tx.Where("id = ? AND forgotten_at IS NULL", row.CustomerID).Limit(1).Find(&cust).Error; err != nil {
		return false, err
	}
	if cust.ID == 0 || cust.OptedOutAt != nil {
		return false, nil
	}
	res := tx.Model(&invitationRow{}).Where("id = ? AND status = ?", id, string(from)).Updates(map[string]any{
		"status":             string(surveys.Sent),
		"platform":           string(surveys.Web),
		"chat_id":            "",
		"user_id":            cust.ExternalID,
		"message_ref":        "",
		"sent_at":            now,
		"attempt_started_at": nil,
		"attempt_by":         nil,
		"detail":             detail,
		"updated_at":         now,
	})
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected != 1 {
		return false, nil
	}
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return false, err
	}
	if _, err := insert.InsertTx(ctx, sqlTx, WebLinkFallbackArgs{InvitationID: id}, webLinkOpts()); err != nil {
		return false, fmt.Errorf("enqueue web link of invitation %d: %w", id, err)
	}
	return true, nil
}

// finishUnreachable records a send the customer's chat refused: a web
// invitation when the fallback applies, else undeliverable.
func (w *sendSurveyWorker) finishUnreachable(ctx context.Context, id int64, p surveys.Platform, sendErr error, log *slog.Logger) {
	web := false
	err := w.db.inTx(ctx, func(tx *gorm.DB) error {
		var err error
		if web, err = w.toWebLink(ctx, tx, id, sendErr); err != nil || web {
			return err
		}
		return w.setStatus(tx, id, surveys.Undeliverable, failureDetail("unreachable", sendErr))
	})
	if err != nil {
		w.log.Error("could not record delivery outcome", "invitation_id", id, "status", surveys.Undeliverable, "err", err)
	}
	w.metrics.sent.WithLabelValues(string(p), string(surveys.Undeliverable)).Inc()
	if err == nil && web {
		log.Info("customer unreachable in the chat; their web link goes to web_link_fallback", "err", sendErr)
		return
	}
	log.Info("customer unreachable; not retried", "err", sendErr)
}

// webLinkWorker hands the web link of a converted invitation to the hook.
type webLinkWorker struct {
	river.WorkerDefaults[WebLinkFallbackArgs]
	db      *DB
	fb      WebLinkFallback
	metrics *deliveryMetrics
	log     *slog.Logger
	now     func() time.Time
}

// Timeout bounds one webhook call (the hook has its own, shorter one).
func (w *webLinkWorker) Timeout(*river.Job[WebLinkFallbackArgs]) time.Duration { return time.Minute }

func (w *webLinkWorker) Work(ctx context.Context, job *river.Job[WebLinkFallbackArgs]) error {
	id := job.Args.InvitationID
	log := w.log.With("invitation_id", id, "job_id", job.ID)
	if job.Attempt == 1 {
		// Counted by its job's first run: once per converted invitation,
		// whichever transaction converted it.
		w.metrics.webLinks.WithLabelValues("enqueued").Inc()
	}
	var row invitationRow
	err := w.db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		w.metrics.webLinks.WithLabelValues("skipped").Inc()
		return nil // erased with its customer
	}
	if err != nil {
		return fmt.Errorf("web link of invitation %d: %w", id, err)
	}
	var cust customerRow
	if err := w.db.gorm.WithContext(ctx).Where("id = ? AND forgotten_at IS NULL", row.CustomerID).Limit(1).Find(&cust).Error; err != nil {
		return fmt.Errorf("web link of invitation %d: %w", id, err)
	}
	if cust.ID == 0 {
		w.metrics.webLinks.WithLabelValues("skipped").Inc()
		return nil // forgotten
	}
	ext := cust.ExternalID
	inv := row.invitation(ext)
	if inv.To.Platform != surveys.Web || inv.Status != surveys.Sent {
		w.metrics.webLinks.WithLabelValues("skipped").Inc()
		log.Info("web link not handed on: the invitation is no longer an open web invitation", "status", string(inv.Status))
		return nil
	}
	if !w.now().Before(inv.ExpiresAt) {
		w.metrics.webLinks.WithLabelValues("skipped").Inc()
		log.Warn("web link not handed on: the invitation expired before the webhook took it")
		return nil
	}
	h := surveys.WebLinkHandoff{ID: WebLinkID(id), InvitationID: id, CustomerID: ext, SurveyID: inv.SurveyID,
		WebURL: w.fb.Link(inv), ExpiresAt: inv.ExpiresAt.UTC().Truncate(time.Second), Reason: WebLinkReason}
	if h.WebURL == "" {
		return fmt.Errorf("web link of invitation %d: no web links yet (VOCBOT_PUBLIC_URL unset?)", id)
	}
	err = w.fb.Hook.HandOff(ctx, h)
	if err == nil {
		w.metrics.webLinks.WithLabelValues("delivered").Inc()
		log.Info("web link handed to web_link_fallback")
		return nil
	}
	kind, retryAfter := surveys.FailureOf(err)
	switch {
	case kind == surveys.Unreachable:
		w.metrics.webLinks.WithLabelValues("rejected").Inc()
		log.Error("web_link_fallback refused the web link; not retried (fix the receiver, then resend the survey)", "err", err)
		w.giveUp(ctx, id, "web_link_fallback refused its web link: "+err.Error(), log)
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		w.metrics.webLinks.WithLabelValues("failed").Inc()
		log.Error("web link not handed to web_link_fallback; giving up", "attempts", job.Attempt, "err", err)
		w.giveUp(ctx, id, fmt.Sprintf("web_link_fallback did not take its web link after %d attempts: %s", job.Attempt, err), log)
		return river.JobCancel(err)
	case kind == surveys.RateLimited && retryAfter > 0:
		w.metrics.webLinks.WithLabelValues("retried").Inc()
		log.Warn("web_link_fallback asked to wait; retrying", "retry_after", retryAfter.String())
		return river.JobSnooze(retryAfter)
	}
	w.metrics.webLinks.WithLabelValues("retried").Inc()
	log.Warn("web link not handed to web_link_fallback yet; retrying with backoff", "attempt", job.Attempt, "err", err)
	return fmt.Errorf("web link of invitation %d: %w", id, err)
}

// giveUp records that nobody got the link: an unanswered web invitation
// becomes undeliverable again, with why (the link stops working).
func (w *webLinkWorker) giveUp(ctx context.Context, id int64, why string, log *slog.Logger) {
	err := w.db.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&responseRow{}).Where("invitation_id = ?", id).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		return tx.Model(&invitationRow{}).Where("id = ? AND status = ? AND platform = ?", id, string(surveys.Sent), string(surveys.Web)).
			Updates(map[string]any{"status": string(surveys.Undeliverable), "detail": truncateDetail(why), "updated_at": w.now()}).Error
	})
	if err != nil {
		log.Error("could not record that the web link was not handed on", "err", err)
	}
}

// truncateDetail cuts a stored detail to maxDetail characters.
func truncateDetail(d string) string {
	r := []rune(urlPattern.ReplaceAllString(d, "[url]"))
	if len(r) > maxDetail {
		return string(r[:maxDetail-1]) + "…"
	}
	return string(r)
}
