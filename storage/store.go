package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// Store keeps vocbot's domain data: customers and their chats, touchpoints,
// invitations and their delivery jobs. It implements surveys.Store.
type Store struct {
	db    *DB
	jobs  *Jobs
	now   func() time.Time
	group *groupCommit // nil: each Ingest commits alone
}

var _ surveys.Store = (*Store)(nil)

// NewStore serves surveys from db; jobs is where delivery jobs are enqueued
// (in the same transaction as the rows that need them).
func NewStore(db *DB, jobs *Jobs) *Store {
	return &Store{db: db, jobs: jobs, now: func() time.Time { return time.Now().UTC() }, group: newGroupCommit(db.engine)}
}

// maxTxAttempts bounds retries of a transaction that lost a race (a unique
// key taken by a concurrent writer, a deadlock between two batches).
const maxTxAttempts = 4

// retryTx runs fn in a transaction, again when it lost a race that a fresh
// attempt resolves: the second attempt sees the winner's rows and replays.
func (s *Store) retryTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var err error
	for range maxTxAttempts {
		err = s.db.inTx(ctx, fn)
		if !retryable(err) {
			return err
		}
	}
	return err
}

func retryable(err error) bool {
	if errors.Is(err, surveys.ErrDuplicate) {
		return true
	}
	var pg *pgconn.PgError
	// 40001 serialization failure, 40P01 deadlock detected.
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// Ingest implements surveys.Store: everything about one touchpoint is
// written in one transaction, under the customer's row lock, so two
// touchpoints of one customer decide in turn and fatigue holds. Concurrent
// calls share a transaction (group commit); each returns after its commit.
func (s *Store) Ingest(ctx context.Context, in surveys.Ingestion, decide surveys.DecideFunc) (surveys.Ingested, error) {
	if s.group == nil {
		return s.ingestAlone(ctx, in, decide)
	}
	return s.ingestGrouped(ctx, in, decide)
}

// ingestTx is one touchpoint inside tx. Invitations decided earlier in the
// same transaction (a batch) are rows already, so fatigue sees them.
func (s *Store) ingestTx(ctx context.Context, tx *gorm.DB, in surveys.Ingestion, decide surveys.DecideFunc) (surveys.Ingested, error) {
	tp := in.Touchpoint
	if in.IdempotencyKey != "" {
		key, err := s.lockKey(tx, tp.Source, in.IdempotencyKey)
		if err != nil {
			return surveys.Ingested{}, err
		}
		if key.TouchpointID != 0 {
			if key.RequestHash != in.RequestHash {
				return surveys.Ingested{}, surveys.ErrIdempotencyKeyReused
			}
			return s.replay(tx, key.TouchpointID)
		}
	}

	cust, err := s.lockCustomer(tx, tp.Customer)
	if err != nil {
		return surveys.Ingested{}, err
	}

	if tp.ExternalID != "" {
		var prev touchpointRow
		if err := tx.Where("source = ? AND external_id = ?", tp.Source, tp.ExternalID).Limit(1).Find(&prev).Error; err != nil {
			return surveys.Ingested{}, fmt.Errorf("look up touchpoint: %w", err)
		}
		if prev.ID != 0 {
			if prev.RequestHash != in.RequestHash {
				return surveys.Ingested{}, surveys.ErrIdempotencyKeyReused
			}
			res, err := s.replay(tx, prev.ID)
			if err == nil && in.IdempotencyKey != "" {
				err = s.saveKey(tx, tp.Source, in, prev.ID)
			}
			return res, err
		}
	}

	if err := s.linkIdentities(tx, cust.ID, tp.Customer.Identities); err != nil {
		return surveys.Ingested{}, err
	}
	states, err := s.customerStates(tx, map[string]customerRow{cust.ExternalID: cust})
	if err != nil {
		return surveys.Ingested{}, err
	}
	d := decide(tp, states[cust.ID])

	now := s.now()
	tpRow := touchpointRowFor(in, cust.ID, now)
	if err := tx.Create(&tpRow).Error; err != nil {
		return surveys.Ingested{}, fmt.Errorf("record touchpoint: %w", err)
	}
	inv := invitationFor(d, cust.ID, now)
	inv.TouchpointID = tpRow.ID
	if err := tx.Create(&inv).Error; err != nil {
		return surveys.Ingested{}, fmt.Errorf("record invitation: %w", err)
	}
	if in.IdempotencyKey != "" {
		if err := s.saveKey(tx, tp.Source, in, tpRow.ID); err != nil {
			return surveys.Ingested{}, err
		}
	}
	if inv.jobNow() {
		job := sendSurveyJob(inv.ID, d.To.Platform, d.DueAt)
		if err := s.jobs.insertTx(ctx, tx, job.Args, job.InsertOpts); err != nil {
			return surveys.Ingested{}, err
		}
	}
	return surveys.Ingested{Invitation: inv.invitation(cust.ExternalID)}, nil
}

// lockKey takes the key's lock for this transaction and returns its row
// (zero when the key is new). On PostgreSQL a concurrent request with the
// same key holds the lock until it commits: answer ErrInProgress (409)
// rather than wait (the draft's "in progress").
func (s *Store) lockKey(tx *gorm.DB, source, k string) (idempotencyKeyRow, error) {
	var key idempotencyKeyRow
	if s.db.engine == Postgres {
		var got bool
		if err := scan(tx.Raw(`SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))`,
			"idempotency/"+source+"/"+k), &got); err != nil {
			return key, fmt.Errorf("lock idempotency key: %w", err)
		}
		if !got {
			return key, surveys.ErrInProgress
		}
	}
	if err := tx.Where("source = ? AND key = ?", source, k).Limit(1).Find(&key).Error; err != nil {
		return key, fmt.Errorf("look up idempotency key: %w", err)
	}
	return key, nil
}

// checkKey locks a whole request's key and reports whether it was recorded
// already with the same hash; another hash is ErrIdempotencyKeyReused.
func (s *Store) checkKey(tx *gorm.DB, source, k, hash string) (bool, error) {
	key, err := s.lockKey(tx, source, k)
	if err != nil {
		return false, err
	}
	if key.TouchpointID == 0 {
		return false, nil
	}
	if key.RequestHash != hash {
		return false, surveys.ErrIdempotencyKeyReused
	}
	return true, nil
}

func (s *Store) saveKey(tx *gorm.DB, source string, in surveys.Ingestion, touchpointID int64) error {
	row := idempotencyKeyRow{Source: source, Key: in.IdempotencyKey, RequestHash: in.RequestHash, TouchpointID: touchpointID, CreatedAt: s.now()}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("record idempotency key: %w", err)
	}
	return nil
}

// replay returns what an earlier identical request produced.
func (s *Store) replay(tx *gorm.DB, touchpointID int64) (surveys.Ingested, error) {
	inv, err := s.invitationByTouchpoint(tx, touchpointID)
	if err != nil {
		return surveys.Ingested{}, err
	}
	return surveys.Ingested{Invitation: inv, Replayed: true}, nil
}

func (s *Store) invitationByTouchpoint(tx *gorm.DB, touchpointID int64) (surveys.Invitation, error) {
	return loadInvitation(tx.Where("touchpoint_id = ?", touchpointID), fmt.Sprintf("invitation of touchpoint %d", touchpointID))
}

// loadInvitation loads the invitation q selects, with its customer's
// external id; what names it in errors.
func loadInvitation(q *gorm.DB, what string) (surveys.Invitation, error) {
	var row invitationRow
	if err := q.Take(&row).Error; err != nil {
		return surveys.Invitation{}, fmt.Errorf("load %s: %w", what, translate(err))
	}
	var cust customerRow
	if err := q.Session(&gorm.Session{NewDB: true}).Select("external_id").Where("id = ?", row.CustomerID).Take(&cust).Error; err != nil {
		return surveys.Invitation{}, fmt.Errorf("load customer of invitation %d: %w", row.ID, translate(err))
	}
	return row.invitation(cust.ExternalID), nil
}

// lockCustomer creates or updates one customer and holds its row lock until
// the transaction ends (see upsertCustomers).
func (s *Store) lockCustomer(tx *gorm.DB, c surveys.Customer) (customerRow, error) {
	rows, err := s.upsertCustomers(tx, []surveys.Customer{c})
	if err != nil {
		return customerRow{}, err
	}
	return rows[c.ExternalID], nil
}

// fatigueWhere selects the invitations that reached, or will reach, the
// customer. It is spelled out, not bound, so that the planner matches the
// partial index invitations_fatigue (a bound list hides it from PostgreSQL).
const fatigueWhere = "status IN ('scheduled', 'sending', 'sent', 'unknown') AND due_at IS NOT NULL"

// CreateLinkToken implements surveys.Store. The token is 128 random bits in
// base64url (fits Telegram's 64-character start parameter); only its hash
// is stored. The customer is created if vocbot has not seen them yet.
func (s *Store) CreateLinkToken(ctx context.Context, customerExternalID string, ttl time.Duration) (string, time.Time, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("link token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	expires := s.now().Add(ttl).Truncate(time.Second)
	err := s.db.inTx(ctx, func(tx *gorm.DB) error {
		cust, err := s.lockCustomer(tx, surveys.Customer{ExternalID: customerExternalID})
		if err != nil {
			return err
		}
		return tx.Create(&linkTokenRow{TokenHash: tokenHash(token), CustomerID: cust.ID, ExpiresAt: expires, CreatedAt: s.now()}).Error
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("create link token: %w", err)
	}
	return token, expires, nil
}

// RedeemLinkToken implements surveys.Store. Pressing a link is explicit
// consent, so the chat moves to the link's customer if it was linked to
// another. An unknown, used or expired token is surveys.ErrNotFound.
func (s *Store) RedeemLinkToken(ctx context.Context, token string, addr surveys.Address) (string, error) {
	var external string
	err := s.db.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&linkTokenRow{}).
			Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash(token), now).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("link token unknown, used or expired: %w", surveys.ErrNotFound)
		}
		var lt linkTokenRow
		if err := tx.Where("token_hash = ?", tokenHash(token)).Take(&lt).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO identities (customer_id, platform, chat_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET customer_id = excluded.customer_id`,
			lt.CustomerID, string(addr.Platform), addr.ChatID, addr.UserID, now).Error; err != nil {
			return err
		}
		var cust customerRow
		if err := tx.Select("external_id").Where("id = ?", lt.CustomerID).Take(&cust).Error; err != nil {
			return err
		}
		external = cust.ExternalID
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("redeem link token: %w", err)
	}
	return external, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Invitation loads one invitation by id.
func (s *Store) Invitation(ctx context.Context, id int64) (surveys.Invitation, error) {
	return loadInvitation(s.db.gorm.WithContext(ctx).Where("id = ?", id), fmt.Sprintf("invitation %d", id))
}
