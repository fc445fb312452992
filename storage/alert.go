package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

// alertRow is one low-score response posted (or to be posted) to one
// alert target. status is the post's delivery, state the team's handling.
type alertRow struct {
	ID               int64
	ResponseID       int64
	Target           string
	Status           string
	State            string
	Assignee         string
	Resolution       string
	Replies          int
	MessageRef       string
	AttemptStartedAt *time.Time
	CreatedAt        time.Time
	PostedAt         *time.Time
	ClaimedAt        *time.Time
	ResolvedAt       *time.Time
	FirstReplyAt     *time.Time
	LastAgentAt      *time.Time
	RelayUntil       *time.Time
	RemindedAt       *time.Time
	// RecoveryInvitationID is the recovery survey made at resolution.
	RecoveryInvitationID *int64
}

func (alertRow) TableName() string { return "alerts" }

// alertEventRow is one stored step of an alert's timeline.
type alertEventRow struct {
	ID      int64
	AlertID int64
	At      time.Time
	Kind    string
	Actor   string
	Who     string
	Locale  string
	Text    string
}

func (alertEventRow) TableName() string { return "alert_events" }

func (r alertEventRow) event() surveys.AlertEvent {
	return surveys.AlertEvent{At: r.At.UTC(), Kind: surveys.AlertEventKind(r.Kind), From: r.Actor,
		Who: parseUser(r.Who), Locale: r.Locale, Text: r.Text}
}

func newAlertEventRow(alertID int64, e surveys.AlertEvent) alertEventRow {
	who := ""
	if e.Who.UserID != "" {
		who = surveys.AmbassadorKey(e.Who)
	}
	return alertEventRow{AlertID: alertID, At: e.At.UTC(), Kind: string(e.Kind), Actor: e.From, Who: who, Locale: e.Locale, Text: e.Text}
}

// timeline loads the stored steps of an alert, oldest first.
// timelines are the timelines of alertIDs, by alert.
func timelines(tx *gorm.DB, alertIDs []int64) (map[int64][]surveys.AlertEvent, error) {
	var rows []alertEventRow
	if err := tx.Where("alert_id IN ?", alertIDs).Order("alert_id, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the timelines of %d alerts: %w", len(alertIDs), err)
	}
	out := make(map[int64][]surveys.AlertEvent, len(alertIDs))
	for _, r := range rows {
		out[r.AlertID] = append(out[r.AlertID], r.event())
	}
	return out, nil
}

func timeline(tx *gorm.DB, alertID int64) ([]surveys.AlertEvent, error) {
	var rows []alertEventRow
	if err := tx.Where("alert_id = ?", alertID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load the timeline of alert %d: %w", alertID, err)
	}
	out := make([]surveys.AlertEvent, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// Delivery states of an alert post.
const (
	alertPending       = "pending"
	alertSending       = "sending"
	alertSent          = "sent"
	alertUnknown       = "unknown"
	alertUndeliverable = "undeliverable"
	alertFailed        = "failed"
)

func (r alertRow) alert() surveys.Alert {
	return surveys.Alert{
		ID:         r.ID,
		ResponseID: r.ResponseID,
		To:         parseTarget(r.Target),
		MessageRef: surveys.MessageRef(r.MessageRef),
		State:      surveys.AlertState(r.State),
		Assignee:   parseUser(r.Assignee),
		Resolution: r.Resolution,
		Replies:    r.Replies,
		CreatedAt:  r.CreatedAt.UTC(),
		PostedAt:   timeOf(r.PostedAt),
		ClaimedAt:  timeOf(r.ClaimedAt),
		ResolvedAt: timeOf(r.ResolvedAt),

		FirstReplyAt: timeOf(r.FirstReplyAt),
		LastAgentAt:  timeOf(r.LastAgentAt),
		RelayUntil:   timeOf(r.RelayUntil),
	}
}

// alertTarget is how a channel is written in alerts.target: "slack:C0123".
func alertTarget(to surveys.Address) string { return string(to.Platform) + ":" + to.ChatID }

func parseTarget(s string) surveys.Address {
	p, id, _ := strings.Cut(s, ":")
	return surveys.Address{Platform: surveys.Platform(p), ChatID: id}
}

func parseUser(s string) surveys.Address {
	if s == "" {
		return surveys.Address{}
	}
	p, id, _ := strings.Cut(s, ":")
	return surveys.Address{Platform: surveys.Platform(p), UserID: id}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// AlertView loads an alert with its response and the customer's chat;
// surveys.ErrNotFound if there is no such alert.
func (s *Store) AlertView(ctx context.Context, id int64) (surveys.AlertView, error) {
	var v surveys.AlertView
	err := s.db.inTx(ctx, func(tx *gorm.DB) error {
		var row alertRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		var err error
		v, err = alertView(tx, row)
		return err
	})
	if err != nil {
		return surveys.AlertView{}, fmt.Errorf("load alert %d: %w", id, translate(err))
	}
	return v, nil
}

// alertView is an alert row with its answer, its customer's chat, its
// timeline and its recovery survey.
func alertView(tx *gorm.DB, row alertRow) (surveys.AlertView, error) {
	views, err := alertViews(tx, []alertRow{row})
	if err != nil {
		return surveys.AlertView{}, err
	}
	return views[0], nil
}

// alertViews is alertView for a page of alerts, in the same order, with a
// fixed number of statements whatever the page's length (one per table it
// reads), not a few per alert.
func alertViews(tx *gorm.DB, rows []alertRow) ([]surveys.AlertView, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	alertIDs := make([]int64, len(rows))
	respIDs := make([]int64, len(rows))
	var recoveryIDs []int64
	for i, r := range rows {
		alertIDs[i], respIDs[i] = r.ID, r.ResponseID
		if r.RecoveryInvitationID != nil {
			recoveryIDs = append(recoveryIDs, *r.RecoveryInvitationID)
		}
	}
	var resps []responseRow
	if err := tx.Where("id IN ?", respIDs).Find(&resps).Error; err != nil {
		return nil, fmt.Errorf("load the answers of %d alerts: %w", len(rows), err)
	}
	respOf := make(map[int64]responseRow, len(resps))
	var custIDs, invIDs []int64
	for _, r := range resps {
		respOf[r.ID] = r
		custIDs, invIDs = append(custIDs, r.CustomerID), append(invIDs, r.InvitationID)
	}
	var custs []customerRow
	if err := tx.Select("id", "external_id").Where("id IN ?", custIDs).Find(&custs).Error; err != nil {
		return nil, fmt.Errorf("load the customers of %d alerts: %w", len(rows), err)
	}
	extOf := make(map[int64]string, len(custs))
	for _, c := range custs {
		extOf[c.ID] = c.ExternalID
	}
	var invs []invitationRow
	if err := tx.Select("id", "platform", "chat_id", "user_id").Where("id IN ?", invIDs).Find(&invs).Error; err != nil {
		return nil, fmt.Errorf("load the invitations of %d alerts: %w", len(rows), err)
	}
	invOf := make(map[int64]invitationRow, len(invs))
	for _, inv := range invs {
		invOf[inv.ID] = inv
	}
	timelines, err := timelines(tx, alertIDs)
	if err != nil {
		return nil, err
	}
	recoveries, err := recoveries(tx, recoveryIDs)
	if err != nil {
		return nil, err
	}
	out := make([]surveys.AlertView, len(rows))
	for i, row := range rows {
		resp, ok := respOf[row.ResponseID]
		if !ok {
			return nil, fmt.Errorf("alert %d: its answer %d: %w", row.ID, row.ResponseID, gorm.ErrRecordNotFound)
		}
		ext, ok := extOf[resp.CustomerID]
		if !ok {
			return nil, fmt.Errorf("alert %d: its customer %d: %w", row.ID, resp.CustomerID, gorm.ErrRecordNotFound)
		}
		inv, ok := invOf[resp.InvitationID]
		if !ok {
			return nil, fmt.Errorf("alert %d: its invitation %d: %w", row.ID, resp.InvitationID, gorm.ErrRecordNotFound)
		}
		a := row.alert()
		a.Timeline = timelines[row.ID]
		if row.RecoveryInvitationID != nil {
			r, ok := recoveries[*row.RecoveryInvitationID]
			if !ok {
				return nil, fmt.Errorf("load the recovery survey of alert %d: %w", row.ID, gorm.ErrRecordNotFound)
			}
			a.Recovery = r
		}
		out[i] = surveys.AlertView{
			Alert:    a,
			Response: resp.response(ext),
			Customer: surveys.Address{Platform: surveys.Platform(inv.Platform), ChatID: inv.ChatID, UserID: inv.UserID},
		}
	}
	return out, nil
}

// ChangeAlert implements surveys.AlertStore: change runs on the locked
// alert; when it reports a change, the new state and the audit entry are
// written in the same transaction.
func (s *Store) ChangeAlert(ctx context.Context, id int64, change func(a *surveys.Alert) (surveys.AuditEntry, bool)) (surveys.AlertView, bool, error) {
	var v surveys.AlertView
	changed := false
	err := s.db.inTx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("id = ?", id)
		if s.db.engine == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		} // SQLite: the write transaction (BEGIN IMMEDIATE) holds the database
		var row alertRow
		if err := q.Take(&row).Error; err != nil {
			return err
		}
		a := row.alert()
		tl, err := timeline(tx, id)
		if err != nil {
			return err
		}
		a.Timeline = tl
		entry, ok := change(&a)
		if !ok {
			v, err = alertView(tx, row)
			return err
		}
		assignee := ""
		if a.Assignee.UserID != "" {
			assignee = surveys.AmbassadorKey(a.Assignee)
		}
		if err := tx.Model(&alertRow{}).Where("id = ?", id).Updates(map[string]any{
			"state": string(a.State), "assignee": assignee, "resolution": a.Resolution, "replies": a.Replies,
			"claimed_at": optTime(a.ClaimedAt), "resolved_at": optTime(a.ResolvedAt),
			"first_reply_at": optTime(a.FirstReplyAt), "last_agent_at": optTime(a.LastAgentAt), "relay_until": optTime(a.RelayUntil),
		}).Error; err != nil {
			return err
		}
		for _, e := range a.Timeline[min(len(tl), len(a.Timeline)):] {
			r := newAlertEventRow(id, e)
			if err := tx.Create(&r).Error; err != nil {
				return fmt.Errorf("record a step of alert %d: %w", id, err)
			}
		}
		if err := s.recordAudit(tx, entry); err != nil {
			return err
		}
		if a.State == surveys.AlertResolved && a.Recovery != nil {
			if err := s.scheduleRecovery(ctx, tx, row, a.Recovery); err != nil {
				return err
			}
			if err := tx.Select("recovery_invitation_id").Where("id = ?", id).Take(&row).Error; err != nil {
				return err
			}
		}
		row.State, row.Assignee, row.Resolution, row.Replies = string(a.State), assignee, a.Resolution, a.Replies
		row.ClaimedAt, row.ResolvedAt = optTime(a.ClaimedAt), optTime(a.ResolvedAt)
		row.FirstReplyAt, row.LastAgentAt, row.RelayUntil = optTime(a.FirstReplyAt), optTime(a.LastAgentAt), optTime(a.RelayUntil)
		changed = true
		v, err = alertView(tx, row)
		return err
	})
	if err != nil {
		return surveys.AlertView{}, false, fmt.Errorf("change alert %d: %w", id, translate(err))
	}
	return v, changed, nil
}

// RelayToAlert implements surveys.ChatTx: the customer's latest alert whose
// relay is open at ev.At, reached in the chat of from (the survey's
// invitation went there), gets ev on its timeline. The alert row is locked
// so a resolution in flight is seen.
func (c *chatTx) RelayToAlert(customer int64, from surveys.Address, ev surveys.AlertEvent) (surveys.Alert, error) {
	if err := c.recordUpdate(); err != nil {
		return surveys.Alert{}, err
	}
	lock := ""
	if c.s.db.engine == Postgres {
		lock = " FOR UPDATE OF a"
	}
	var row alertRow
	err := scan(c.tx.Raw(`
SELECT a.* FROM alerts a
JOIN responses r ON r.id = a.response_id
JOIN invitations i ON i.id = r.invitation_id
WHERE r.customer_id = ? AND a.state <> 'resolved' AND a.relay_until IS NOT NULL AND a.relay_until > ?
  AND i.platform = ? AND (i.chat_id = ? OR i.chat_id = '') AND (i.user_id = ? OR i.user_id = '')
ORDER BY a.last_agent_at DESC, a.id DESC LIMIT 1`+lock,
		customer, ev.At.UTC(), string(from.Platform), from.ChatID, from.UserID), &row)
	if err != nil {
		return surveys.Alert{}, fmt.Errorf("find the alert relaying for %s: %w", from, err)
	}
	if row.ID == 0 {
		return surveys.Alert{}, surveys.ErrNotFound
	}
	r := newAlertEventRow(row.ID, ev)
	if err := c.tx.Create(&r).Error; err != nil {
		return surveys.Alert{}, fmt.Errorf("relay to alert %d: %w", row.ID, err)
	}
	return row.alert(), nil
}

// WaitingAlerts counts the alerts raised before since that nobody has
// resolved yet (surveys.WaitingAlertsCounter, for the digest).
func (s *Store) WaitingAlerts(ctx context.Context, since time.Time) (int, error) {
	var n int64
	err := s.db.gorm.WithContext(ctx).Model(&alertRow{}).
		Where("state <> ? AND created_at < ?", string(surveys.AlertResolved), since.UTC()).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count waiting alerts: %w", translate(err))
	}
	return int(n), nil
}

var (
	_ surveys.AlertStore           = (*Store)(nil)
	_ surveys.WaitingAlertsCounter = (*Store)(nil)
)

// UnresolvedAlerts lists the alerts not yet resolved, newest first, at
// most limit, with their response's survey and score.
func (s *Store) UnresolvedAlerts(ctx context.Context, limit int) ([]surveys.UnresolvedAlert, error) {
	var rows []alertRow
	db := s.db.gorm.WithContext(ctx)
	err := db.Where("state <> ?", string(surveys.AlertResolved)).Order("created_at DESC, id DESC").Limit(max(limit, 1)).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list unresolved alerts: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ResponseID
	}
	var answers []struct {
		ID       int64
		SurveyID string
		Score    int
	}
	if len(ids) > 0 {
		if err := db.Model(&responseRow{}).Select("id", "survey_id", "score").Where("id IN ?", ids).Find(&answers).Error; err != nil {
			return nil, fmt.Errorf("list unresolved alerts' answers: %w", err)
		}
	}
	byID := make(map[int64]int, len(answers))
	for i, a := range answers {
		byID[a.ID] = i
	}
	out := make([]surveys.UnresolvedAlert, len(rows))
	for i, r := range rows {
		out[i] = surveys.UnresolvedAlert{Alert: r.alert()}
		if j, ok := byID[r.ResponseID]; ok {
			out[i].SurveyID, out[i].Score = answers[j].SurveyID, answers[j].Score
		}
	}
	return out, nil
}
