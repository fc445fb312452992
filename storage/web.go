package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/vocbot/vocbot/surveys"
)

// What the HTTP face keeps: its signing keys, the dashboard's one-time
// sign-in links and its sessions. Tokens and session ids are stored only
// as SHA-256 hashes, so a copy of the database signs nobody in.

type serverSecretRow struct {
	Name      string
	Value     []byte
	CreatedAt time.Time
}

func (serverSecretRow) TableName() string { return "server_secrets" }

type signinTokenRow struct {
	TokenHash string `gorm:"primaryKey"`
	Who       string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (signinTokenRow) TableName() string { return "signin_tokens" }

type signinSessionRow struct {
	IDHash    string `gorm:"primaryKey"`
	Who       string
	ExpiresAt time.Time
	EndedAt   *time.Time
	CreatedAt time.Time
}

func (signinSessionRow) TableName() string { return "signin_sessions" }

// ServerSecret is the 32-byte key named name, made at random the first time
// any replica asks and the same for all of them afterwards.
func (s *Store) ServerSecret(ctx context.Context, name string) ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, fmt.Errorf("server secret %s: %w", name, err)
	}
	db := s.db.gorm.WithContext(ctx)
	// Two replicas starting at once both insert; the first wins, both read it.
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&serverSecretRow{Name: name, Value: fresh[:], CreatedAt: s.now()}).Error; err != nil {
		return nil, fmt.Errorf("server secret %s: %w", name, translate(err))
	}
	var row serverSecretRow
	if err := db.Where("name = ?", name).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("server secret %s: %w", name, translate(err))
	}
	return row.Value, nil
}

// randomToken is 256 random bits in base64url.
func randomToken() (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw[:]), nil
}

// CreateSignInToken issues a one-time dashboard sign-in token for who,
// valid for ttl, and records it in the audit log (without the token).
func (s *Store) CreateSignInToken(ctx context.Context, who string, ttl time.Duration) (string, time.Time, error) {
	token, err := randomToken()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign-in token: %w", err)
	}
	now := s.now()
	expires := now.Add(ttl).Truncate(time.Second)
	err = s.db.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&signinTokenRow{TokenHash: tokenHash(token), Who: who, ExpiresAt: expires, CreatedAt: now}).Error; err != nil {
			return translate(err)
		}
		return s.recordAudit(tx, surveys.AuditEntry{At: now, Actor: who, Action: "dashboard.link", Result: "ok",
			Detail: "one-time sign-in link issued, valid until " + expires.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("create sign-in token: %w", err)
	}
	return token, expires, nil
}

// SignInTokenValid reports whether token is an unused, unexpired sign-in
// token, without spending it (the page that asks to confirm).
func (s *Store) SignInTokenValid(ctx context.Context, token string) (bool, error) {
	var n int64
	err := s.db.gorm.WithContext(ctx).Model(&signinTokenRow{}).
		Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash(token), s.now()).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("check sign-in token: %w", err)
	}
	return n > 0, nil
}

// RedeemSignInToken spends token and opens a session for its holder, valid
// for ttl, in one transaction (audited): the session id goes into the
// cookie. An unknown, used or expired token is surveys.ErrNotFound.
func (s *Store) RedeemSignInToken(ctx context.Context, token string, ttl time.Duration) (session, who string, expires time.Time, err error) {
	session, err = randomToken()
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("session id: %w", err)
	}
	err = s.db.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		res := tx.Model(&signinTokenRow{}).
			Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", tokenHash(token), now).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("sign-in token unknown, used or expired: %w", surveys.ErrNotFound)
		}
		var t signinTokenRow
		if err := tx.Where("token_hash = ?", tokenHash(token)).Take(&t).Error; err != nil {
			return err
		}
		who = t.Who
		expires = now.Add(ttl).Truncate(time.Second)
		if err := tx.Create(&signinSessionRow{IDHash: tokenHash(session), Who: who, ExpiresAt: expires, CreatedAt: now}).Error; err != nil {
			return translate(err)
		}
		return s.recordAudit(tx, surveys.AuditEntry{At: now, Actor: who, Action: "dashboard.signin", Result: "ok",
			Detail: "signed in to the dashboard with a one-time link; session until " + expires.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("redeem sign-in token: %w", err)
	}
	return session, who, expires, nil
}

// SessionWho is who holds the open session whose id is session;
// surveys.ErrNotFound when it is unknown, ended or expired.
func (s *Store) SessionWho(ctx context.Context, session string) (string, error) {
	var rows []signinSessionRow
	err := s.db.gorm.WithContext(ctx).
		Where("id_hash = ? AND ended_at IS NULL AND expires_at > ?", tokenHash(session), s.now()).
		Limit(1).Find(&rows).Error
	if err != nil {
		return "", fmt.Errorf("look up session: %w", err)
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("session unknown, ended or expired: %w", surveys.ErrNotFound)
	}
	return rows[0].Who, nil
}

// EndSession signs the session out (audited); ending an unknown or ended
// session does nothing.
func (s *Store) EndSession(ctx context.Context, session string) error {
	err := s.db.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var rows []signinSessionRow
		if err := tx.Where("id_hash = ? AND ended_at IS NULL", tokenHash(session)).Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		if err := tx.Model(&signinSessionRow{}).Where("id_hash = ?", tokenHash(session)).Update("ended_at", now).Error; err != nil {
			return err
		}
		return s.recordAudit(tx, surveys.AuditEntry{At: now, Actor: rows[0].Who, Action: "dashboard.signout", Result: "ok",
			Detail: "signed out of the dashboard"})
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
