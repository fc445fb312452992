package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/vocbot/vocbot/surveys"
)

var (
	_ surveys.BlockTx        = (*chatTx)(nil)
	_ surveys.BlockedCounter = (*Store)(nil)
)

// identityMatch is how a chat's address finds its linked identities, the
// same way chatTx.Customer does: an empty stored part matches any.
const identityMatch = `platform = ? AND (chat_id = ? OR chat_id = '') AND (user_id = ? OR user_id = '')
  AND NOT (chat_id = '' AND user_id = '')`

// SetBlocked implements surveys.BlockTx. A second block keeps the time of
// the first; the invitations made undeliverable stay so after an unblock
// (their time may have passed; the next touchpoint decides afresh).
func (c *chatTx) SetBlocked(from surveys.Address, blocked bool, at time.Time) (int, error) {
	if err := c.recordUpdate(); err != nil {
		return 0, err
	}
	at = at.UTC()
	args := []any{string(from.Platform), from.ChatID, from.UserID}
	if !blocked {
		res := c.tx.Exec(`UPDATE identities SET blocked_at = NULL WHERE `+identityMatch, args...)
		if res.Error != nil {
			return 0, fmt.Errorf("unblock %s: %w", from, res.Error)
		}
		return int(res.RowsAffected), nil
	}
	var rows []identityRow
	if err := c.lock(c.tx.Where(identityMatch, args...)).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("find the identities of %s: %w", from, err)
	}
	for _, r := range rows {
		if r.BlockedAt == nil {
			if err := c.exec("block "+from.String(), `UPDATE identities SET blocked_at = ? WHERE id = ?`, at, r.ID); err != nil {
				return 0, err
			}
		}
		// Scheduled invitations keep the address they were decided for.
		// Those of surveys with web links become web invitations whose
		// link goes to web_link_fallback, when it is on (weblink.go).
		if err := c.scheduledToWeb(r, at); err != nil {
			return 0, err
		}
		if err := c.exec("cancel invitations to "+from.String(), `UPDATE invitations SET status = 'undeliverable', detail = ?, updated_at = ?
WHERE customer_id = ? AND status = 'scheduled' AND platform = ? AND chat_id = ? AND user_id = ?`,
			surveys.BlockedDetail, at, r.CustomerID, r.Platform, r.ChatID, r.UserID); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// BlockedCustomers implements surveys.BlockedCounter: the customers, not
// forgotten, with at least one chat where they blocked the bot.
func (s *Store) BlockedCustomers(ctx context.Context) (int, error) {
	var n int64
	err := scan(s.db.gorm.WithContext(ctx).Raw(`SELECT count(*) FROM customers c
WHERE c.forgotten_at IS NULL AND EXISTS (SELECT 1 FROM identities i WHERE i.customer_id = c.id AND i.blocked_at IS NOT NULL)`), &n)
	if err != nil {
		return 0, fmt.Errorf("count customers who blocked the bot: %w", err)
	}
	return int(n), nil
}

// scheduledToWeb converts the scheduled invitations to the chat of
// identity r into web invitations, where the web link fallback applies.
func (c *chatTx) scheduledToWeb(r identityRow, at time.Time) error {
	if c.s.jobs == nil || c.s.jobs.webLink == nil {
		return nil
	}
	var ids []int64
	if err := c.tx.Model(&invitationRow{}).Where("customer_id = ? AND status = 'scheduled' AND platform = ? AND chat_id = ? AND user_id = ?",
		r.CustomerID, r.Platform, r.ChatID, r.UserID).Order("id").Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("find the invitations to %s: %w", r.Platform, err)
	}
	for _, id := range ids {
		detail := "a web link for web_link_fallback to send on; the customer " + surveys.BlockedDetail + " in " + r.Platform + " before it was sent"
		if _, err := convertToWeb(c.ctx, c.tx, c.s.jobs.insert, c.s.jobs.webLink, at, id, surveys.Scheduled, detail); err != nil {
			return fmt.Errorf("web link of invitation %d: %w", id, err)
		}
	}
	return nil
}
