package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

// An alert's recovery survey is an ordinary invitation made in the
// transaction that resolves the alert. Its touchpoint's key (source
// "vocbot", external id "recovery:a<id>") is unique, so however many
// replicas resolve the alert, and however often, there is one; the alert's
// recovery_invitation_id links the two.

// scheduleRecovery records the recovery invitation of alert row as plan
// decides it, with its delivery job when it is scheduled on a chat.
func (s *Store) scheduleRecovery(ctx context.Context, tx *gorm.DB, row alertRow, plan *surveys.AlertRecovery) error {
	if row.RecoveryInvitationID != nil || plan == nil || plan.Decide == nil {
		return nil
	}
	var resp responseRow
	if err := tx.Where("id = ?", row.ResponseID).Take(&resp).Error; err != nil {
		return fmt.Errorf("load the answer of alert %d: %w", row.ID, err)
	}
	// The customer's row is updated, as every ingestion's upsert does, so
	// the recovery invitation and a touchpoint ingested at the same moment
	// see each other in their fatigue checks: whichever comes second waits
	// for this row's lock (or, in a lone event's REPEATABLE READ
	// transaction, fails to serialize and retries), then reads the other's
	// invitation.
	var custs []customerRow
	if err := scan(tx.Raw(`UPDATE customers SET updated_at = ? WHERE id = ?
RETURNING id, external_id, name, locale, time_zone, opted_out_at, created_at, updated_at`, s.now(), resp.CustomerID), &custs); err != nil {
		return fmt.Errorf("lock the customer of alert %d: %w", row.ID, err)
	}
	if len(custs) != 1 {
		return fmt.Errorf("the customer of alert %d: %w", row.ID, surveys.ErrNotFound)
	}
	cust := custs[0]
	var orig invitationRow
	if err := tx.Select("platform", "chat_id", "user_id").Where("id = ?", resp.InvitationID).Take(&orig).Error; err != nil {
		return fmt.Errorf("load the invitation of alert %d: %w", row.ID, err)
	}
	states, err := s.customerStates(tx, map[string]customerRow{cust.ExternalID: cust})
	if err != nil {
		return err
	}
	d := plan.Decide(surveys.RecoveryInput{
		Customer:       states[cust.ID],
		Chat:           surveys.Address{Platform: surveys.Platform(orig.Platform), ChatID: orig.ChatID, UserID: orig.UserID},
		TouchpointType: resp.TouchpointType,
		CustomerID:     cust.ExternalID,
		Locale:         resp.Locale,
	})

	now := s.now()
	ext := surveys.RecoveryExternalID(row.ID)
	attrs := resp.response("").Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["alert"] = surveys.Alert{ID: row.ID}.Ref()
	tp := touchpointRow{
		Source: surveys.RecoverySource, ExternalID: &ext, Type: surveys.RecoveryTouchpointType, OccurredAt: now,
		SurveyID: d.SurveyID, CustomerID: cust.ID, Attributes: attributesJSON(attrs), RequestHash: ext, ReceivedAt: now,
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&tp)
	if res.Error != nil {
		return fmt.Errorf("record the recovery touchpoint of alert %d: %w", row.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		// Made already (the link was lost to a forgotten invitation, or a
		// concurrent resolution committed first): never a second one.
		return nil
	}
	inv := invitationFor(d, cust.ID, now)
	inv.TouchpointID = tp.ID
	if d.Invited() && d.To.Platform == surveys.Web {
		inv.SentAt = timePtr(d.DueAt) // the link is handed out from its due time
	}
	if err := tx.Create(&inv).Error; err != nil {
		return fmt.Errorf("record the recovery invitation of alert %d: %w", row.ID, err)
	}
	if inv.jobNow() {
		job := sendSurveyJob(inv.ID, d.To.Platform, d.DueAt)
		if err := s.jobs.insertTx(ctx, tx, job.Args, job.InsertOpts); err != nil {
			return err
		}
	}
	if err := tx.Model(&alertRow{}).Where("id = ?", row.ID).Update("recovery_invitation_id", inv.ID).Error; err != nil {
		return fmt.Errorf("link alert %d to its recovery survey: %w", row.ID, err)
	}
	return nil
}

// recoveries are the recovery surveys of the invitations ids (the alerts'
// recovery_invitation_id), with their answers, by invitation.
func recoveries(tx *gorm.DB, ids []int64) (map[int64]*surveys.AlertRecovery, error) {
	out := make(map[int64]*surveys.AlertRecovery, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var invs []invitationRow
	if err := tx.Where("id IN ?", ids).Find(&invs).Error; err != nil {
		return nil, fmt.Errorf("load %d recovery surveys: %w", len(ids), err)
	}
	for _, inv := range invs {
		out[inv.ID] = &surveys.AlertRecovery{
			SurveyID: inv.SurveyID, InvitationID: inv.ID, Invitation: surveys.Status(inv.Status),
			SkipReason: surveys.SkipReason(inv.SkipReason), Detail: inv.Detail,
			To:    surveys.Address{Platform: surveys.Platform(inv.Platform), ChatID: inv.ChatID, UserID: inv.UserID},
			DueAt: timeOf(inv.DueAt), SentAt: timeOf(inv.SentAt),
		}
	}
	var resps []responseRow
	if err := tx.Where("invitation_id IN ?", ids).Find(&resps).Error; err != nil {
		return nil, fmt.Errorf("load the answers of %d recovery surveys: %w", len(ids), err)
	}
	for _, a := range resps {
		r := out[a.InvitationID]
		if r == nil || r.Answered {
			continue
		}
		r.Answered, r.ResponseID, r.Metric, r.Score = true, a.ID, surveys.Metric(a.Metric), a.Score
		r.AnsweredAt = a.AnsweredAt.UTC()
		if a.Comment != nil && a.CommentState == string(surveys.CommentGiven) {
			r.Comment = *a.Comment
		}
	}
	return out, nil
}

// DigestAlerts implements surveys.DigestAlertReader: the alerts raised on
// q.Surveys within q.Current, with their timings and recovery answers.
func (s *Store) DigestAlerts(ctx context.Context, q surveys.DigestQuery) ([]surveys.DigestAlert, error) {
	var rows []struct {
		Target                              string
		CreatedAt                           time.Time
		ClaimedAt, FirstReplyAt, ResolvedAt *time.Time
		RecoveryMetric                      *string
		RecoveryScore                       *int
	}
	err := scan(s.db.gorm.WithContext(ctx).Raw(`SELECT a.target, a.created_at, a.claimed_at, a.first_reply_at, a.resolved_at,
		rr.metric AS recovery_metric, rr.score AS recovery_score
		FROM alerts a JOIN responses r ON r.id = a.response_id
		LEFT JOIN responses rr ON a.recovery_invitation_id IS NOT NULL AND rr.invitation_id = a.recovery_invitation_id
		WHERE r.survey_id IN ? AND a.created_at >= ? AND a.created_at < ?
		ORDER BY a.id`, q.Surveys, q.Current.Start.UTC(), q.Current.End.UTC()), &rows)
	if err != nil {
		return nil, fmt.Errorf("read alerts for digest %s: %w", q.DigestID, err)
	}
	out := make([]surveys.DigestAlert, len(rows))
	for i, r := range rows {
		out[i] = surveys.DigestAlert{To: parseTarget(r.Target), CreatedAt: r.CreatedAt.UTC(),
			ClaimedAt: timeOf(r.ClaimedAt), FirstReplyAt: timeOf(r.FirstReplyAt), ResolvedAt: timeOf(r.ResolvedAt)}
		if r.RecoveryMetric != nil && r.RecoveryScore != nil {
			out[i].Recovery = &surveys.AlertRecovery{Answered: true, Metric: surveys.Metric(*r.RecoveryMetric), Score: *r.RecoveryScore}
		}
	}
	return out, nil
}

var _ surveys.DigestAlertReader = (*Store)(nil)
