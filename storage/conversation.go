package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

var _ surveys.Conversations = (*Store)(nil)

// errRedelivered stops a conversation transaction whose update was
// recorded before: Converse rolls it back and reports it not fresh.
var errRedelivered = errors.New("the update was handled before")

// Converse implements surveys.Conversations: the update id goes into
// inbound_updates (insert or ignore) in the same transaction as whatever fn
// records, so a redelivered update finds it and changes nothing.
//
// The insert goes with the transaction's first statement: on PostgreSQL
// the chat's first read carries it (a data-modifying WITH, one round trip
// for both), elsewhere it runs just before. A redelivery makes that call
// and every later one fail with errRedelivered, and the transaction rolls
// back whatever fn did.
func (s *Store) Converse(ctx context.Context, updateID string, fn func(tx surveys.ChatTx) error) (bool, error) {
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		c := &chatTx{s: s, ctx: ctx, tx: tx, update: updateID}
		err := fn(c)
		if err == nil {
			err = c.recordUpdate() // fn read nothing: record the update now
		}
		if c.redelivered {
			return errRedelivered
		}
		return err
	})
	if errors.Is(err, errRedelivered) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
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
	// update is the update id Converse has yet to record, "" once it is
	// recorded (or when there is none); redelivered says it was there.
	update      string
	redelivered bool
}

const insertUpdate = `INSERT INTO inbound_updates (id, received_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`

// recordUpdate records the update, if not done yet, on its own. Every
// method calls it before its first statement, so the update is recorded
// (and a redelivery stopped) before anything else is read or written.
func (c *chatTx) recordUpdate() error {
	if c.redelivered {
		return errRedelivered
	}
	if c.update == "" {
		return nil
	}
	res := c.tx.Exec(insertUpdate, c.update, c.s.now())
	if res.Error != nil {
		return fmt.Errorf("record update %s: %w", c.update, res.Error)
	}
	return c.recorded(res.RowsAffected > 0)
}

// recorded notes the outcome of the update's insert.
func (c *chatTx) recorded(inserted bool) error {
	c.update = ""
	if !inserted {
		c.redelivered = true
		return errRedelivered
	}
	return nil
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
	row, err := c.readChat(from, chatReadOf{})
	if err != nil {
		return surveys.ChatCustomer{}, err
	}
	return row.customer(from)
}

// ReadPress implements surveys.ChatTx: the chat's customer, the pressed
// invitation (locked) and whether it has a response, in one statement
// (with the update's insert on PostgreSQL).
func (c *chatTx) ReadPress(from surveys.Address, invitationID int64) (surveys.Pressed, error) {
	row, err := c.readChat(from, chatReadOf{invitationID: invitationID})
	if err != nil {
		return surveys.Pressed{}, err
	}
	cust, err := row.customer(from)
	if err != nil {
		return surveys.Pressed{}, err
	}
	p := surveys.Pressed{Customer: cust, Invitation: row.invitation(c)}
	if row.PriorScore != nil {
		p.Answered, p.AnsweredScore = true, *row.PriorScore
	}
	return p, nil
}

// ReadTyped implements surveys.ChatTx: the chat's customer, the response
// awaiting a comment and the open invitation (locked) in one statement
// (with the update's insert on PostgreSQL). Follow-ups past their window
// are marked skipped, as AwaitingComment does, by a statement of their
// own when there are any.
func (c *chatTx) ReadTyped(from surveys.Address, since, now time.Time) (surveys.Typed, error) {
	row, err := c.readChat(from, chatReadOf{typed: true, since: since.UTC(), now: now.UTC()})
	if err != nil {
		return surveys.Typed{}, err
	}
	cust, err := row.customer(from)
	if err != nil {
		return surveys.Typed{}, err
	}
	if row.Stale > 0 {
		if err := c.skipStale(cust.Key, since); err != nil {
			return surveys.Typed{}, err
		}
	}
	t := surveys.Typed{Customer: cust, Open: row.invitation(c)}
	if row.Awaiting.ID != 0 {
		t.Awaiting = row.Awaiting.response(cust.ExternalID) // the customer's own
	}
	return t, nil
}

// chatReadOf is what readChat reads besides the customer: invitation
// invitationID and its response's score, or (typed) the response awaiting
// a comment since and the invitation open at now.
type chatReadOf struct {
	invitationID int64
	typed        bool
	since, now   time.Time
}

// chatRead is one row of readChat: columns of absent rows are NULL, read
// as zero values.
type chatRead struct {
	Recorded           int64 // 1 when the update was inserted by this read
	CustID             int64
	CustExternalID     string
	CustLocale         string
	CustOptedOutAt     *time.Time
	Invitation         invitationRow `gorm:"embedded"`
	InvitationCustomer string
	PriorScore         *int
	Awaiting           responseRow `gorm:"embedded;embeddedPrefix:awaiting_"`
	Stale              int64       // follow-ups awaiting past their window
}

func (r chatRead) customer(from surveys.Address) (surveys.ChatCustomer, error) {
	if r.CustID == 0 {
		if from.Platform == surveys.Web {
			return surveys.ChatCustomer{}, fmt.Errorf("customer of %s: %w", from, surveys.ErrNotFound)
		}
		return surveys.ChatCustomer{}, fmt.Errorf("chat %s is not linked: %w", from, surveys.ErrNotFound)
	}
	return surveys.ChatCustomer{Key: r.CustID, ExternalID: r.CustExternalID, Locale: r.CustLocale, OptedOut: r.CustOptedOutAt != nil}, nil
}

// invitation is the invitation read, the zero Invitation if none.
func (r chatRead) invitation(c *chatTx) surveys.Invitation {
	if r.Invitation.ID == 0 {
		return surveys.Invitation{}
	}
	c.remember(r.Invitation.CustomerID, r.InvitationCustomer)
	return r.Invitation.invitation(r.InvitationCustomer)
}

// awaitingColumns are responseRow's columns, read as awaiting_<column>.
var awaitingColumns = []string{"id", "invitation_id", "customer_id", "survey_id", "metric", "score", "comment",
	"comment_state", "comment_at", "reason", "locale", "platform", "touchpoint_type", "attributes", "update_id", "answered_at"}

// readChat reads the customer of the chat at from and what of says, in one
// statement that always returns one row. On PostgreSQL the update's insert
// rides along as a data-modifying WITH.
func (c *chatTx) readChat(from surveys.Address, of chatReadOf) (chatRead, error) {
	var with []string
	var args []any
	recorded := "1"
	if c.s.db.engine == Postgres && c.update != "" && !c.redelivered {
		with = append(with, `dedupe AS (`+insertUpdate+` RETURNING id)`)
		args = append(args, c.update, c.s.now())
		recorded = "(SELECT count(*) FROM dedupe)"
	} else if err := c.recordUpdate(); err != nil {
		return chatRead{}, err
	}
	if from.Platform == surveys.Web {
		// A web answer comes with its invitation's customer: the signed
		// link, not a linked chat, says who it is.
		with = append(with, `cust AS (SELECT * FROM customers WHERE external_id = ? AND forgotten_at IS NULL LIMIT 1)`)
		args = append(args, from.UserID)
	} else {
		with = append(with, `cust AS (
SELECT c.* FROM identities i JOIN customers c ON c.id = i.customer_id
WHERE i.platform = ? AND (i.chat_id = ? OR i.chat_id = '') AND (i.user_id = ? OR i.user_id = '')
  AND NOT (i.chat_id = '' AND i.user_id = '')
ORDER BY i.id DESC LIMIT 1)`)
		args = append(args, string(from.Platform), from.ChatID, from.UserID)
	}
	lock := "" // SQLite: the write transaction holds the database
	if c.s.db.engine == Postgres {
		lock = " FOR UPDATE"
	}
	sel := `SELECT ` + recorded + ` AS recorded,
  cust.id AS cust_id, cust.external_id AS cust_external_id, cust.locale AS cust_locale, cust.opted_out_at AS cust_opted_out_at`
	joins := `
FROM (SELECT 1 AS one) one
LEFT JOIN cust ON 1 = 1`
	switch {
	case of.invitationID != 0:
		with = append(with, `inv AS (SELECT * FROM invitations WHERE id = ?`+lock+`)`)
		args = append(args, of.invitationID)
	case of.typed:
		// As OpenInvitation.
		with = append(with, `inv AS (SELECT * FROM invitations
WHERE customer_id = (SELECT id FROM cust) AND platform = ? AND `+deliveredWhere+` AND expires_at > ?
  AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.invitation_id = invitations.id)
ORDER BY id DESC LIMIT 1`+lock+`)`)
		args = append(args, string(from.Platform), of.now)
		// As AwaitingComment: the latest follow-up inside its window, and
		// how many are past it (ReadTyped skips those).
		with = append(with, `aw AS (SELECT * FROM responses
WHERE customer_id = (SELECT id FROM cust) AND comment_state = 'awaiting' AND answered_at > ?
ORDER BY answered_at DESC, id DESC LIMIT 1)`)
		args = append(args, of.since)
		sel += `, (SELECT count(*) FROM responses WHERE customer_id = cust.id AND comment_state = 'awaiting' AND answered_at <= ?) AS stale`
		args = append(args, of.since)
		for _, col := range awaitingColumns {
			sel += ", aw." + col + " AS awaiting_" + col
		}
		joins += `
LEFT JOIN aw ON 1 = 1`
	}
	if of.invitationID != 0 || of.typed {
		sel += `, inv.*, ic.external_id AS invitation_customer, r.score AS prior_score`
		joins += `
LEFT JOIN inv ON 1 = 1
LEFT JOIN customers ic ON ic.id = inv.customer_id
LEFT JOIN responses r ON r.invitation_id = inv.id`
	}
	var row chatRead
	if err := scan(c.tx.Raw("WITH "+strings.Join(with, ",\n")+"\n"+sel+joins, args...), &row); err != nil {
		return chatRead{}, fmt.Errorf("find the customer of %s: %w", from, err)
	}
	if recorded != "1" {
		if err := c.recorded(row.Recorded > 0); err != nil {
			return chatRead{}, err
		}
	}
	if row.CustID != 0 {
		c.remember(row.CustID, row.CustExternalID)
	}
	return row, nil
}

func (c *chatTx) lock(q *gorm.DB) *gorm.DB {
	if c.s.db.engine == Postgres {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q // SQLite: the write transaction holds the database
}

func (c *chatTx) loadInvitation(q *gorm.DB, what string) (surveys.Invitation, error) {
	if err := c.recordUpdate(); err != nil {
		return surveys.Invitation{}, err
	}
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
	if err := c.recordUpdate(); err != nil {
		return surveys.Response{}, err
	}
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

// insertResponse writes the response from its invitation and touchpoint;
// a second response to an invitation inserts nothing.
const insertResponse = `INSERT INTO responses (invitation_id, customer_id, survey_id, metric, score, comment_state, locale, platform, touchpoint_type, attributes, update_id, answered_at)
SELECT i.id, i.customer_id, i.survey_id, ?, ?, ?, ?, i.platform, t.type, t.attributes, ?, ?
FROM invitations i JOIN touchpoints t ON t.id = i.touchpoint_id
WHERE i.id = ?
ON CONFLICT (invitation_id) DO NOTHING
RETURNING *`

// insertResponseWithAlert is insertResponse and, when the next parameter
// is true, the response's alert job (a River job row, as River's own
// insert writes it with alertOpts and no unique key) and, when the last
// is, the notification River's insert sends so that a listening worker
// fetches it at once: one round trip instead of three. The job exists
// only if the response row was inserted by the same statement, so there
// is one per response.
const insertResponseWithAlert = `WITH resp AS (
` + insertResponse + `
), job AS (
INSERT INTO river_job (args, kind, max_attempts, priority, queue, state)
SELECT jsonb_build_object('response_id', resp.id), ?, ?, ?, ?, 'available' FROM resp WHERE ?
RETURNING queue
)
SELECT resp.*, (SELECT count(*) FROM (SELECT pg_notify(current_schema() || '.river_insert', json_build_object('queue', job.queue)::text) FROM job WHERE ?) AS n) AS notified
FROM resp`

func (c *chatTx) AddResponse(r surveys.Response, updateID string, alert bool) (surveys.Response, error) {
	if err := c.recordUpdate(); err != nil {
		return surveys.Response{}, err
	}
	state := r.CommentState
	if state == "" {
		state = surveys.CommentNone
	}
	args := []any{string(r.Metric), r.Score, string(state), r.Locale, updateID, r.AnsweredAt.UTC(), r.InvitationID}
	var rows []responseRow
	var err error
	if c.s.db.engine == Postgres {
		opts := alertOpts()
		args = append(args, AlertArgs{}.Kind(), river.MaxAttemptsDefault, river.PriorityDefault, opts.Queue, alert, alert && c.s.jobs.notifyDue(opts.Queue))
		err = scan(c.tx.Raw(insertResponseWithAlert, args...), &rows)
	} else {
		err = scan(c.tx.Raw(insertResponse, args...), &rows)
	}
	if err != nil {
		return surveys.Response{}, fmt.Errorf("record response to invitation %d: %w", r.InvitationID, err)
	}
	if len(rows) == 0 {
		return surveys.Response{}, fmt.Errorf("response to invitation %d: %w", r.InvitationID, surveys.ErrDuplicate)
	}
	row := rows[0]
	if alert && c.s.db.engine != Postgres {
		// SQLite has no data-modifying WITH: River inserts the job (and its
		// notification row) with statements of its own.
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
	if err := c.recordUpdate(); err != nil {
		return surveys.Response{}, err
	}
	if err := c.skipStale(customer, since); err != nil {
		return surveys.Response{}, err
	}
	q := c.tx.Where("customer_id = ? AND comment_state = ?", customer, string(surveys.CommentAwaiting)).Order("answered_at DESC, id DESC")
	return c.response(q, "response awaiting a comment")
}

// skipStale marks the customer's follow-ups asked at or before since
// skipped: their window passed.
func (c *chatTx) skipStale(customer int64, since time.Time) error {
	if err := c.tx.Model(&responseRow{}).
		Where("customer_id = ? AND comment_state = ? AND answered_at <= ?", customer, string(surveys.CommentAwaiting), since.UTC()).
		Update("comment_state", string(surveys.CommentSkipped)).Error; err != nil {
		return fmt.Errorf("close follow-ups past their window: %w", err)
	}
	return nil
}

func (c *chatTx) SetComment(responseID int64, a surveys.FollowUpAnswer) error {
	if err := c.recordUpdate(); err != nil {
		return err
	}
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
	if err := c.recordUpdate(); err != nil {
		return err
	}
	if err := c.tx.Model(&responseRow{}).Where("id = ? AND reason = ''", responseID).Update("reason", reason).Error; err != nil {
		return fmt.Errorf("record reason of response %d: %w", responseID, err)
	}
	return nil
}

// UpdateHandled reports whether updateID is in inbound_updates.
func (c *chatTx) UpdateHandled(updateID string) (bool, error) {
	var n int64
	if err := scan(c.tx.Raw(`SELECT COUNT(*) FROM inbound_updates WHERE id = ?`, updateID), &n); err != nil {
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
	if err := c.recordUpdate(); err != nil {
		return err
	}
	if err := c.tx.Exec(sql, args...).Error; err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
