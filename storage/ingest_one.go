package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// A lone event on PostgreSQL: the general path (ingestTx) sends a statement
// per step, eleven round trips. This one sends four: BEGIN, one statement
// that takes the key's lock, checks the key and the event id, upserts and
// locks the customer, links the chats, records the touchpoint and the key
// and reads the customer's state, then one that records the invitation and
// its delivery job (insertInvitationPG), and COMMIT.
//
// The transaction is REPEATABLE READ so that the state read in the same
// statement as the customer's lock is consistent: every ingestion updates
// its customer's row, so if another transaction wrote this customer after
// the snapshot was taken, the upsert fails with a serialization failure
// instead of deciding on stale fatigue state. That failure, a unique
// violation (a concurrent copy of the event or key) and a replay are left
// to the general path, which waits on locks and replays; the rare cost is
// one rolled-back transaction.

// errGeneralPath says the event needs the general path (a replay).
var errGeneralPath = errors.New("storage: event seen before")

// oneRead is what the first statement returns.
type oneRead struct {
	Got          bool           // the key's lock was free (or there is no key)
	Seen         bool           // the key or the event id is recorded already
	CustomerID   sql.NullInt64  // the customer's row (absent when Seen or !Got)
	Locale       sql.NullString //
	TimeZone     sql.NullString //
	OptedOutAt   sql.NullTime   //
	TouchpointID sql.NullInt64  // the new touchpoint
	LastSurveyAt sql.NullTime   // the latest invitation that counts for fatigue
	Identities   []byte         // JSON: the customer's chats, oldest first
}

const oneReadSQL = `
WITH lk AS MATERIALIZED (
  SELECT CASE WHEN @key = '' THEN true
              ELSE pg_try_advisory_xact_lock(hashtextextended(@lock, 0)) END AS got
), seen AS MATERIALIZED (
  SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE @key <> '' AND source = @source AND key = @key)
      OR EXISTS (SELECT 1 FROM touchpoints WHERE @ext <> '' AND source = @source AND external_id = @ext) AS seen
), c AS (
  INSERT INTO customers (external_id, name, locale, time_zone, created_at, updated_at)
  SELECT @customer, @name, @locale, @tz, @now, @now
  WHERE (SELECT got FROM lk) AND NOT (SELECT seen FROM seen)
  ` + customerUpsert + `
  RETURNING id, locale, time_zone, opted_out_at
), li AS (
  INSERT INTO identities (customer_id, platform, chat_id, user_id, created_at)
  SELECT c.id, v.platform, v.chat_id, v.user_id, @now
  FROM c, unnest(CAST(@platforms AS text[]), CAST(@chats AS text[]), CAST(@users AS text[])) AS v (platform, chat_id, user_id)
  ON CONFLICT (platform, chat_id, user_id) DO NOTHING
  RETURNING id, platform, chat_id, user_id, blocked_at
), t AS (
  INSERT INTO touchpoints (source, external_id, type, occurred_at, survey_id, customer_id, attributes, request_hash, received_at)
  SELECT @source, NULLIF(@ext, ''), @type, @occurred, @survey, c.id, CAST(@attributes AS jsonb), @hash, @now FROM c
  RETURNING id
), k AS (
  INSERT INTO idempotency_keys (source, key, request_hash, touchpoint_id, created_at)
  SELECT @source, @key, @hash, t.id, @now FROM t WHERE @key <> ''
)
SELECT (SELECT got FROM lk) AS got, (SELECT seen FROM seen) AS seen,
  c.id AS customer_id, c.locale, c.time_zone, c.opted_out_at,
  (SELECT id FROM t) AS touchpoint_id,
  (SELECT max(due_at) FROM invitations WHERE customer_id = c.id AND ` + fatigueWhere + `) AS last_survey_at,
  (SELECT json_agg(json_build_object('p', i.platform, 'c', i.chat_id, 'u', i.user_id, 'b', i.blocked_at IS NOT NULL) ORDER BY i.id)
     FROM (SELECT id, platform, chat_id, user_id, blocked_at FROM identities WHERE customer_id = c.id
           UNION ALL SELECT id, platform, chat_id, user_id, blocked_at FROM li) i) AS identities
FROM (SELECT 1) one LEFT JOIN c ON true`

// ingestOnePG stores one event in four round trips. handled is false when
// the event must take the general path (nothing was written then).
func (s *Store) ingestOnePG(ctx context.Context, in surveys.Ingestion, decide surveys.DecideFunc) (res surveys.Ingested, handled bool, err error) {
	tp := in.Touchpoint
	c := tp.Customer
	platforms := make(textArray, len(c.Identities))
	chats := make(textArray, len(c.Identities))
	users := make(textArray, len(c.Identities))
	for i, a := range c.Identities {
		platforms[i], chats[i], users[i] = string(a.Platform), a.ChatID, a.UserID
	}
	now := s.now()
	args := map[string]any{
		"key": in.IdempotencyKey, "lock": "idempotency/" + tp.Source + "/" + in.IdempotencyKey,
		"source": tp.Source, "ext": tp.ExternalID, "hash": in.RequestHash,
		"customer": c.ExternalID, "name": c.Name, "locale": c.Locale, "tz": c.TimeZone, "now": now,
		"platforms": platforms, "chats": chats, "users": users,
		"type": tp.Type, "occurred": tp.OccurredAt.UTC(), "survey": tp.SurveyID, "attributes": attributesJSON(tp.Attributes),
	}
	err = s.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r oneRead
		if err := scan(tx.Raw(oneReadSQL, args), &r); err != nil {
			return fmt.Errorf("record touchpoint: %w", err)
		}
		switch {
		case !r.Got:
			return surveys.ErrInProgress
		case r.Seen:
			return errGeneralPath
		case !r.CustomerID.Valid || !r.TouchpointID.Valid:
			return errors.New("record touchpoint: no customer or touchpoint row returned")
		}
		st := surveys.CustomerState{OptedOut: r.OptedOutAt.Valid, Locale: r.Locale.String, TimeZone: r.TimeZone.String}
		if r.LastSurveyAt.Valid {
			st.LastSurveyAt = r.LastSurveyAt.Time.UTC()
		}
		if len(r.Identities) > 0 {
			var ids []struct {
				P, C, U string
				B       bool
			}
			if err := json.Unmarshal(r.Identities, &ids); err != nil {
				return fmt.Errorf("load identities: %w", err)
			}
			for _, id := range ids {
				a := surveys.Address{Platform: surveys.Platform(id.P), ChatID: id.C, UserID: id.U}
				if id.B {
					st.Blocked = append(st.Blocked, a)
				} else {
					st.Identities = append(st.Identities, a)
				}
			}
		}
		d := decide(tp, st)
		inv := invitationFor(d, r.CustomerID.Int64, now)
		inv.TouchpointID = r.TouchpointID.Int64
		if err := s.insertInvitationPG(tx, &inv, now); err != nil {
			return err
		}
		res = surveys.Ingested{Invitation: inv.invitation(c.ExternalID)}
		return nil
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	err = translate(err)
	switch {
	case err == nil, errors.Is(err, surveys.ErrInProgress):
		return res, true, err
	case errors.Is(err, errGeneralPath), retryable(err), uniqueViolation(err):
		return surveys.Ingested{}, false, nil
	}
	return surveys.Ingested{}, true, err
}

// uniqueViolation says a concurrent transaction stored the same event id,
// key or chat first (SQLSTATE 23505).
func uniqueViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505"
}
