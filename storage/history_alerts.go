package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

// ImportAlerts records alerts handled before vocbot (a previous tool's
// history, or the demo's simulated weeks) on responses already stored (by
// ImportHistory): each alert's row with its timings, its stored timeline
// and, for a resolved one, its recovery survey (invitation and answer).
// They are written to the tables the live path writes, with the same keys,
// so GET /v1/alerts, the exports and the digest's close-the-loop section
// read them like any other, and a recovery survey is never doubled.
//
// Read are: ResponseID, To, State, Assignee, Resolution, Replies,
// MessageRef, CreatedAt, PostedAt, ClaimedAt, ResolvedAt, FirstReplyAt,
// LastAgentAt, RelayUntil, Timeline (a reminder entry also marks the
// reminder as posted) and Recovery (SurveyID, Metric, To, DueAt, SentAt,
// Answered, Score, Comment, AnsweredAt). An alert already recorded for the
// same response and channel is left as it is; IDs are filled in.
func (s *Store) ImportAlerts(ctx context.Context, alerts []surveys.Alert) error {
	for i, a := range alerts {
		if err := checkPastAlert(a); err != nil {
			return fmt.Errorf("alert history, entry %d: %w", i+1, err)
		}
	}
	if len(alerts) == 0 {
		return nil
	}
	return s.db.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		for i := range alerts {
			a := &alerts[i]
			var resp responseRow
			if err := tx.Where("id = ?", a.ResponseID).Take(&resp).Error; err != nil {
				return fmt.Errorf("alert history, entry %d: response %d: %w", i+1, a.ResponseID, translate(err))
			}
			assignee := ""
			if a.Assignee.UserID != "" {
				assignee = surveys.AmbassadorKey(a.Assignee)
			}
			row := alertRow{ResponseID: a.ResponseID, Target: alertTarget(a.To), Status: alertSent, State: string(a.State),
				Assignee: assignee, Resolution: a.Resolution, Replies: a.Replies, MessageRef: string(a.MessageRef),
				CreatedAt: a.CreatedAt.UTC(), PostedAt: optTime(a.PostedAt), ClaimedAt: optTime(a.ClaimedAt),
				ResolvedAt: optTime(a.ResolvedAt), FirstReplyAt: optTime(a.FirstReplyAt), LastAgentAt: optTime(a.LastAgentAt),
				RelayUntil: optTime(a.RelayUntil)}
			if row.PostedAt == nil {
				row.PostedAt = optTime(a.CreatedAt)
			}
			for _, e := range a.Timeline {
				if e.Kind == surveys.EventReminder && row.RemindedAt == nil {
					row.RemindedAt = optTime(e.At)
				}
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return fmt.Errorf("record a past alert: %w", translate(res.Error))
			}
			if res.RowsAffected == 0 { // imported before: keep it as it is
				var old alertRow
				if err := tx.Select("id").Where("response_id = ? AND target = ?", row.ResponseID, row.Target).Take(&old).Error; err != nil {
					return fmt.Errorf("read a past alert: %w", translate(err))
				}
				a.ID = old.ID
				continue
			}
			a.ID = row.ID
			for _, e := range a.Timeline {
				ev := newAlertEventRow(row.ID, e)
				if err := tx.Create(&ev).Error; err != nil {
					return fmt.Errorf("record a step of past alert %d: %w", row.ID, err)
				}
			}
			if a.Recovery != nil {
				if err := importRecovery(tx, now, row, resp, a.Recovery); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// storedEvents are the timeline steps stored as rows (opened and expired
// come from the alert's own columns; the recovery steps from its survey).
var storedEvents = map[surveys.AlertEventKind]bool{
	surveys.EventClaimed: true, surveys.EventAgentReply: true, surveys.EventCustomerReply: true,
	surveys.EventReminder: true, surveys.EventResolved: true,
}

// checkPastAlert says what is wrong with an alert to import.
func checkPastAlert(a surveys.Alert) error {
	switch {
	case a.ResponseID <= 0:
		return fmt.Errorf("no response: give the id of the answer the alert was raised on")
	case a.To.Platform == "" || a.To.ChatID == "":
		return fmt.Errorf("no channel: give the platform and chat it was posted to")
	case a.CreatedAt.IsZero():
		return fmt.Errorf("no creation time")
	case a.State != surveys.AlertOpen && a.State != surveys.AlertClaimed && a.State != surveys.AlertResolved:
		return fmt.Errorf("state %q: use open, claimed or resolved", a.State)
	case (a.State == surveys.AlertResolved) != !a.ResolvedAt.IsZero():
		return fmt.Errorf("state %s with resolution time %v: a resolved alert has one, any other none", a.State, a.ResolvedAt)
	case a.State == surveys.AlertClaimed && a.ClaimedAt.IsZero():
		return fmt.Errorf("claimed with no claim time")
	case a.State != surveys.AlertOpen && a.Assignee.UserID == "":
		return fmt.Errorf("%s with nobody: give the assignee", a.State)
	case a.Replies < 0 || (a.Replies > 0) == a.FirstReplyAt.IsZero():
		return fmt.Errorf("%d replies with first reply time %v: replies need a first reply time and it needs replies", a.Replies, a.FirstReplyAt)
	case a.Recovery != nil && a.State != surveys.AlertResolved:
		return fmt.Errorf("a recovery survey on an alert that is not resolved")
	}
	for _, t := range []struct {
		name string
		at   time.Time
	}{{"claimed", a.ClaimedAt}, {"first reply", a.FirstReplyAt}, {"resolved", a.ResolvedAt}, {"latest reply", a.LastAgentAt}} {
		if !t.at.IsZero() && t.at.Before(a.CreatedAt) {
			return fmt.Errorf("%s at %s, before the alert was raised at %s", t.name, t.at.UTC().Format(time.RFC3339), a.CreatedAt.UTC().Format(time.RFC3339))
		}
	}
	for _, e := range a.Timeline {
		if !storedEvents[e.Kind] {
			return fmt.Errorf("timeline step %q: use claimed, agent_reply, customer_reply, reminder or resolved", e.Kind)
		}
		if e.From != surveys.FromAgent && e.From != surveys.FromCustomer && e.From != surveys.FromVocbot {
			return fmt.Errorf("timeline step %s from %q: use agent, customer or vocbot", e.Kind, e.From)
		}
	}
	if r := a.Recovery; r != nil {
		switch {
		case r.SurveyID == "":
			return fmt.Errorf("a recovery survey with no survey id")
		case r.SentAt.IsZero():
			return fmt.Errorf("recovery survey %s: no time it was sent", r.SurveyID)
		case r.SentAt.Before(a.ResolvedAt):
			return fmt.Errorf("recovery survey %s sent before the alert was resolved", r.SurveyID)
		case r.Answered && r.AnsweredAt.Before(r.SentAt):
			return fmt.Errorf("recovery survey %s answered before it was sent", r.SurveyID)
		}
		if r.Answered {
			if err := r.Metric.Scale().Check(r.Score); err != nil || r.Metric.Scale() == "" {
				return fmt.Errorf("recovery answer %s %d: not a score of that metric", r.Metric, r.Score)
			}
		}
	}
	return nil
}

// importRecovery records a past alert's recovery survey as the resolving
// transaction makes it (touchpoint vocbot / recovery:a<id>, invitation,
// link on the alert) with its answer, if any.
func importRecovery(tx *gorm.DB, now time.Time, row alertRow, resp responseRow, r *surveys.AlertRecovery) error {
	var orig invitationRow
	if err := tx.Select("platform", "chat_id", "user_id").Where("id = ?", resp.InvitationID).Take(&orig).Error; err != nil {
		return fmt.Errorf("load the invitation of past alert %d: %w", row.ID, translate(err))
	}
	to := r.To
	if to.Platform == "" {
		to = surveys.Address{Platform: surveys.Platform(orig.Platform), ChatID: orig.ChatID, UserID: orig.UserID}
	}
	ext := surveys.RecoveryExternalID(row.ID)
	attrs := resp.response("").Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["alert"] = surveys.Alert{ID: row.ID}.Ref()
	resolved := row.ResolvedAt.UTC()
	tp := touchpointRow{Source: surveys.RecoverySource, ExternalID: &ext, Type: surveys.RecoveryTouchpointType, OccurredAt: resolved,
		SurveyID: r.SurveyID, CustomerID: resp.CustomerID, Attributes: attributesJSON(attrs), RequestHash: ext, ReceivedAt: now}
	if err := tx.Create(&tp).Error; err != nil {
		return fmt.Errorf("record the recovery touchpoint of past alert %d: %w", row.ID, translate(err))
	}
	due, sent := r.DueAt.UTC(), r.SentAt.UTC()
	if r.DueAt.IsZero() {
		due = sent
	}
	inv := invitationRow{TouchpointID: tp.ID, CustomerID: resp.CustomerID, SurveyID: r.SurveyID, Status: string(surveys.Sent),
		Detail: "imported: recovery survey sent before vocbot", Platform: string(to.Platform), ChatID: to.ChatID, UserID: to.UserID,
		Locale: resp.Locale, DueAt: &due, ExpiresAt: timePtr(sent.Add(surveys.DefaultExpiry)), SentAt: &sent, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&inv).Error; err != nil {
		return fmt.Errorf("record the recovery invitation of past alert %d: %w", row.ID, translate(err))
	}
	if err := tx.Model(&alertRow{}).Where("id = ?", row.ID).Update("recovery_invitation_id", inv.ID).Error; err != nil {
		return fmt.Errorf("link past alert %d to its recovery survey: %w", row.ID, err)
	}
	if !r.Answered {
		return nil
	}
	answer := responseRow{InvitationID: inv.ID, CustomerID: resp.CustomerID, SurveyID: r.SurveyID, Metric: string(r.Metric), Score: r.Score,
		CommentState: string(surveys.CommentNone), Locale: resp.Locale, Platform: string(to.Platform),
		TouchpointType: surveys.RecoveryTouchpointType, Attributes: attributesJSON(attrs),
		UpdateID: fmt.Sprintf("history:%d", inv.ID), AnsweredAt: r.AnsweredAt.UTC()}
	if r.Comment != "" {
		c := r.Comment
		answer.Comment, answer.CommentState, answer.CommentAt = &c, string(surveys.CommentGiven), timePtr(r.AnsweredAt.UTC().Add(time.Minute))
	}
	if err := tx.Create(&answer).Error; err != nil {
		return fmt.Errorf("record the recovery answer of past alert %d: %w", row.ID, translate(err))
	}
	return nil
}

// BackdateAlerts moves every alert's times and timeline d into the past,
// the counterpart of Backdate for the demo: the alerts raised on the
// answers it moves to yesterday move with them.
func (s *Store) BackdateAlerts(ctx context.Context, d time.Duration) error {
	return s.db.inTx(ctx, func(tx *gorm.DB) error {
		var rows []alertRow
		if err := tx.Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := tx.Model(&alertRow{}).Where("id = ?", r.ID).Updates(map[string]any{
				"created_at": r.CreatedAt.Add(-d).UTC(), "posted_at": earlier(r.PostedAt, d), "claimed_at": earlier(r.ClaimedAt, d),
				"resolved_at": earlier(r.ResolvedAt, d), "first_reply_at": earlier(r.FirstReplyAt, d), "last_agent_at": earlier(r.LastAgentAt, d),
				"relay_until": earlier(r.RelayUntil, d), "reminded_at": earlier(r.RemindedAt, d), "attempt_started_at": earlier(r.AttemptStartedAt, d),
			}).Error; err != nil {
				return err
			}
		}
		var events []alertEventRow
		if err := tx.Select("id", "at").Find(&events).Error; err != nil {
			return err
		}
		for _, e := range events {
			if err := tx.Model(&alertEventRow{}).Where("id = ?", e.ID).Update("at", e.At.Add(-d).UTC()).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
