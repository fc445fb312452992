package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

var _ surveys.Conversations = (*Store)(nil)

// Converse implements surveys.Conversations: the update id goes into
// inbound_updates (insert or ignore) in the same transaction as whatever fn
// records, so a redelivered update finds it and changes nothing.
func (s *Store) Converse(ctx context.Context, updateID string, fn func(tx surveys.ChatTx) error) (bool, error) {
	fresh := false
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		fresh = false
		if updateID != "" {
			res := tx.Exec(`INSERT INTO inbound_updates (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, updateID, s.now())
			if res.Error != nil {
				return fmt.Errorf("record update %s: %w", updateID, res.Error)
			}
			if res.RowsAffected == 0 {
				return nil
			}
		}
		fresh = true
		return fn(&chatTx{s: s, ctx: ctx, tx: tx})
	})
	if err != nil {
		return false, err
	}
	return fresh, nil
}

// ForgetCustomer implements surveys.Conversations with ForgetBy, the
// customer acting for themselves. The languages detected for their
// comments (migration 00005) are cleared first, in a transaction of their
// own: ForgetBy erases the comments and predates those columns.
func (s *Store) ForgetCustomer(ctx context.Context, externalID string, p surveys.Platform) error {
	err := s.db.inTx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE responses SET comment_lang = '', comment_lang_confidence = 0
WHERE customer_id IN (SELECT id FROM customers WHERE external_id = ? AND forgotten_at IS NULL)`, externalID).Error
	})
	if err != nil {
		return fmt.Errorf("forget customer: clear comment languages: %w", err)
	}
	_, err = s.ForgetBy(ctx, externalID, surveys.AuditEntry{Actor: ActorCustomer, Platform: p})
	return err
}

// chatTx implements surveys.ChatTx on one gorm transaction.
type chatTx struct {
	s   *Store
	ctx context.Context
	tx  *gorm.DB
	// externalIDs are the customers this transaction has read, by key:
	// the invitation or response loaded next is almost always the chat's
	// own customer's, and need not cost another query to name them.
	externalIDs map[int64]string
}

// externalID names customer id, from what the transaction read already
// when it can.
func (c *chatTx) externalID(id int64) (string, error) {
	if ext, ok := c.externalIDs[id]; ok {
		return ext, nil
	}
	var cust customerRow
	if err := c.tx.Select("external_id").Where("id = ?", id).Take(&cust).Error; err != nil {
		return "", translate(err)
	}
	c.remember(id, cust.ExternalID)
	return cust.ExternalID, nil
}

func (c *chatTx) remember(id int64, external string) {
	if c.externalIDs == nil {
		c.externalIDs = map[int64]string{}
	}
	c.externalIDs[id] = external
}

// delivered are the statuses of invitations that reached the customer. A
// "sending" one counts: a customer can tap before the send is recorded,
// and an answer proves the prompt arrived.
const deliveredWhere = "status IN ('sending', 'sent', 'unknown')"

func (c *chatTx) Customer(from surveys.Address) (surveys.ChatCustomer, error) {
	var row customerRow
	if from.Platform == surveys.Web {
		// A web answer comes with its invitation's customer: the signed
		// link, not a linked chat, says who it is.
		if err := c.tx.Where("external_id = ? AND forgotten_at IS NULL", from.UserID).Limit(1).Find(&row).Error; err != nil {
			return surveys.ChatCustomer{}, fmt.Errorf("find the customer of %s: %w", from, err)
		}
		if row.ID == 0 {
			return surveys.ChatCustomer{}, fmt.Errorf("customer of %s: %w", from, surveys.ErrNotFound)
		}
		return surveys.ChatCustomer{Key: row.ID, ExternalID: row.ExternalID, Locale: row.Locale, OptedOut: row.OptedOutAt != nil}, nil
	}
	err := c.tx.Raw(`
SELECT c.* FROM identities i JOIN customers c ON c.id = i.customer_id
WHERE i.platform = ? AND (i.chat_id = ? OR i.chat_id = '') AND (i.user_id = ? OR i.user_id = '')
  AND NOT (i.chat_id = '' AND i.user_id = '')
ORDER BY i.id DESC LIMIT 1`, string(from.Platform), from.ChatID, from.UserID).Scan(&row).Error
	if err != nil {
		return surveys.ChatCustomer{}, fmt.Errorf("find the customer of %s: %w", from, err)
	}
	if row.ID == 0 {
		return surveys.ChatCustomer{}, fmt.Errorf("chat %s is not linked: %w", from, surveys.ErrNotFound)
	}
	c.remember(row.ID, row.ExternalID)
	return surveys.ChatCustomer{Key: row.ID, ExternalID: row.ExternalID, Locale: row.Locale, OptedOut: row.OptedOutAt != nil}, nil
}

func (c *chatTx) lock(q *gorm.DB) *gorm.DB {
	if c.s.db.engine == Postgres {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q // SQLite: the write transaction holds the database
}

func (c *chatTx) loadInvitation(q *gorm.DB, what string) (surveys.Invitation, error) {
	var rows []invitationRow
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return surveys.Invitation{}, fmt.Errorf("load %s: %w", what, err)
	}
	if len(rows) == 0 {
		return surveys.Invitation{}, fmt.Errorf("%s: %w", what, surveys.ErrNotFound)
	}
	ext, err := c.externalID(rows[0].CustomerID)
	if err != nil {
		return surveys.Invitation{}, fmt.Errorf("load customer of invitation %d: %w", rows[0].ID, err)
	}
	return rows[0].invitation(ext), nil
}

func (c *chatTx) LockInvitation(id int64) (surveys.Invitation, error) {
	return c.loadInvitation(c.lock(c.tx.Where("id = ?", id)), "invitation "+strconv.FormatInt(id, 10))
}

func (c *chatTx) OpenInvitation(customer int64, p surveys.Platform, now time.Time) (surveys.Invitation, error) {
	q := c.tx.Where("customer_id = ? AND platform = ? AND "+deliveredWhere+" AND expires_at > ?", customer, string(p), now.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = invitations.id)").
		Order("id DESC")
	return c.loadInvitation(c.lock(q), "open invitation")
}

func (c *chatTx) LatestInvitation(customer int64, p surveys.Platform) (surveys.Invitation, error) {
	q := c.tx.Where("customer_id = ? AND platform = ? AND "+deliveredWhere, customer, string(p)).Order("id DESC")
	return c.loadInvitation(q, "latest invitation")
}

func (c *chatTx) Response(invitationID int64) (surveys.Response, error) {
	return c.response(c.tx.Where("invitation_id = ?", invitationID), fmt.Sprintf("response to invitation %d", invitationID))
}

func (c *chatTx) response(q *gorm.DB, what string) (surveys.Response, error) {
	var rows []responseRow
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return surveys.Response{}, fmt.Errorf("load %s: %w", what, err)
	}
	if len(rows) == 0 {
		return surveys.Response{}, fmt.Errorf("%s: %w", what, surveys.ErrNotFound)
	}
	ext, err := c.externalID(rows[0].CustomerID)
	if err != nil {
		return surveys.Response{}, fmt.Errorf("load customer of response %d: %w", rows[0].ID, err)
	}
	return rows[0].response(ext), nil
}

func (c *chatTx) AddResponse(r surveys.Response, updateID string, alert bool) (surveys.Response, error) {
	state := r.CommentState
	if state == "" {
		state = surveys.CommentNone
	}
	var rows []responseRow
	err := c.tx.Raw(`
INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, comment_state, locale, platform, touchpoint_type, attributes, update_id, answered_at)
SELECT i.id, i.customer_id, i.survey_id, ?, ?, ?, ?, i.platform, t.type, t.attributes, ?, ?
FROM invitations i JOIN touchpoints t ON t.id = i.touchpoint_id
WHERE i.id = ?
ON CONFLICT (invitation_id) DO NOTHING
RETURNING *`, string(r.Metric), r.Score, string(state), r.Locale, updateID, r.AnsweredAt.UTC(), r.InvitationID).Scan(&rows).Error
	if err != nil {
		return surveys.Response{}, fmt.Errorf("record response to invitation %d: %w", r.InvitationID, err)
	}
	if len(rows) == 0 {
		return surveys.Response{}, fmt.Errorf("response to invitation %d: %w", r.InvitationID, surveys.ErrDuplicate)
	}
	row := rows[0]
	if alert {
		if err := c.s.jobs.insertTx(c.ctx, c.tx, AlertArgs{ResponseID: row.ID}, alertOpts()); err != nil {
			return surveys.Response{}, err
		}
	}
	ext, err := c.externalID(row.CustomerID)
	if err != nil {
		return surveys.Response{}, fmt.Errorf("load customer of response %d: %w", row.ID, err)
	}
	return row.response(ext), nil
}

func (c *chatTx) AwaitingComment(customer int64, since time.Time) (surveys.Response, error) {
	awaiting := string(surveys.CommentAwaiting)
	if err := c.tx.Model(&responseRow{}).
		Where("customer_id = ? AND comment_state = ? AND answered_at <= ?", customer, awaiting, since.UTC()).
		Update("comment_state", string(surveys.CommentSkipped)).Error; err != nil {
		return surveys.Response{}, fmt.Errorf("close follow-ups past their window: %w", err)
	}
	q := c.tx.Where("customer_id = ? AND comment_state = ?", customer, awaiting).Order("answered_at DESC, id DESC")
	return c.response(q, "response awaiting a comment")
}

func (c *chatTx) SetComment(responseID int64, a surveys.FollowUpAnswer) error {
	updates := map[string]any{"comment_state": string(a.State), "comment_at": a.At.UTC()}
	if a.State == surveys.CommentGiven {
		updates["comment"] = a.Comment
		updates["comment_lang"] = a.Lang
		updates["comment_lang_confidence"] = a.LangConfidence
	}
	if err := c.tx.Model(&responseRow{}).Where("id = ?", responseID).Updates(updates).Error; err != nil {
		return fmt.Errorf("record comment of response %d: %w", responseID, err)
	}
	return nil
}

// SetReason records the reason button tapped, once: a second tap keeps
// the first.
func (c *chatTx) SetReason(responseID int64, reason string) error {
	if err := c.tx.Model(&responseRow{}).Where("id = ? AND reason = ''", responseID).Update("reason", reason).Error; err != nil {
		return fmt.Errorf("record reason of response %d: %w", responseID, err)
	}
	return nil
}

// UpdateHandled reports whether updateID is in inbound_updates.
func (c *chatTx) UpdateHandled(updateID string) (bool, error) {
	var n int64
	if err := c.tx.Raw(`SELECT COUNT(*) FROM inbound_updates WHERE id = ?`, updateID).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("look up update %s: %w", updateID, err)
	}
	return n > 0, nil
}

func (c *chatTx) SetOptedOut(customer int64, optedOut bool, at time.Time) error {
	at = at.UTC()
	if !optedOut {
		return c.exec("resume surveys", `UPDATE customers SET opted_out_at = NULL, updated_at = ? WHERE id = ?`, at, customer)
	}
	if err := c.exec("opt out", `UPDATE customers SET opted_out_at = ?, updated_at = ? WHERE id = ? AND opted_out_at IS NULL`, at, at, customer); err != nil {
		return err
	}
	if err := c.exec("skip unsent invitations", `UPDATE invitations SET status = 'skipped', skip_reason = 'opted_out',
  detail = 'the customer opted out of surveys (/stop) before it was sent', updated_at = ?
WHERE customer_id = ? AND status = 'scheduled'`, at, customer); err != nil {
		return err
	}
	// The reminder tick does not look at opt-outs: mark the surveys out there
	// as reminded, so that nobody who said /stop gets a reminder.
	if err := c.exec("suppress reminders", `UPDATE invitations SET reminded_at = ?, updated_at = ?
WHERE customer_id = ? AND status = 'sent' AND reminded_at IS NULL`, at, at, customer); err != nil {
		return err
	}
	return c.exec("skip follow-ups", `UPDATE responses SET comment_state = 'skipped', comment_at = ? WHERE customer_id = ? AND comment_state = 'awaiting'`, at, customer)
}

func (c *chatTx) SetLocale(customer int64, locale string) error {
	return c.exec("set locale", `UPDATE customers SET locale = ?, updated_at = ? WHERE id = ?`, locale, c.s.now(), customer)
}

func (c *chatTx) exec(what, sql string, args ...any) error {
	if err := c.tx.Exec(sql, args...).Error; err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
