package storage

import (
	"cmp"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivershared/uniquestates"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// The batch path's writes on PostgreSQL bind each column as one array and
// unnest it: one statement per table whatever the batch's size, a few
// dozen parameters instead of thousands. They go to the transaction's
// connection directly, not through gorm, so that Go slices reach pgx as
// slices, which it sends as binary arrays (gorm would expand them into IN
// lists, and a slice wrapped as a text literal is parsed back by pgx before
// it is sent). On a batch of 1,000 the multi-row VALUES statements spent
// more CPU binding parameters than PostgreSQL spent inserting.

// pgQuery runs q in tx's transaction with args bound as pgx binds them.
func pgQuery(tx *gorm.DB, q string, args ...any) (*sql.Rows, error) {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return nil, err
	}
	return sqlTx.QueryContext(tx.Statement.Context, q, args...)
}

// pgExec is pgQuery for statements that return no rows.
func pgExec(tx *gorm.DB, q string, args ...any) error {
	sqlTx, err := sqlTxOf(tx)
	if err != nil {
		return err
	}
	_, err = sqlTx.ExecContext(tx.Statement.Context, q, args...)
	return err
}

// upsertCustomersPG is upsertCustomers in one statement.
func upsertCustomersPG(tx *gorm.DB, cs []surveys.Customer, now time.Time) (map[string]customerRow, error) {
	ext := make([]string, len(cs))
	name := make([]string, len(cs))
	locale := make([]string, len(cs))
	tz := make([]string, len(cs))
	for i, c := range cs {
		ext[i], name[i], locale[i], tz[i] = c.ExternalID, c.Name, c.Locale, c.TimeZone
	}
	// ORDER BY keeps the rows locked in external-id order (see
	// upsertCustomers): unnest's order is the array's, which is sorted.
	rows, err := pgQuery(tx, `
INSERT INTO customers (external_id, name, locale, time_zone, created_at, updated_at)
SELECT u.external_id, u.name, u.locale, u.time_zone, $5, $5
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u (external_id, name, locale, time_zone, n)
ORDER BY u.n
`+customerUpsert+`
RETURNING id, external_id, locale, time_zone, opted_out_at`, ext, name, locale, tz, now)
	if err != nil {
		return nil, fmt.Errorf("record customers: %w", err)
	}
	defer rows.Close()
	out := make(map[string]customerRow, len(cs))
	for rows.Next() {
		var r customerRow
		if err := rows.Scan(&r.ID, &r.ExternalID, &r.Locale, &r.TimeZone, &r.OptedOutAt); err != nil {
			return nil, fmt.Errorf("record customers: %w", err)
		}
		out[r.ExternalID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("record customers: %w", err)
	}
	return out, nil
}

// insertIdentitiesPG is insertIdentities in one statement.
func insertIdentitiesPG(tx *gorm.DB, links []identityRow, now time.Time) error {
	cust := make([]int64, len(links))
	platform := make([]string, len(links))
	chat := make([]string, len(links))
	user := make([]string, len(links))
	for i, l := range links {
		cust[i], platform[i], chat[i], user[i] = l.CustomerID, l.Platform, l.ChatID, l.UserID
	}
	if err := pgExec(tx, `
INSERT INTO identities (customer_id, platform, chat_id, user_id, created_at)
SELECT u.customer_id, u.platform, u.chat_id, u.user_id, $5
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u (customer_id, platform, chat_id, user_id)
ON CONFLICT (platform, chat_id, user_id) DO NOTHING`, cust, platform, chat, user, now); err != nil {
		return fmt.Errorf("link identities: %w", err)
	}
	return nil
}

// insertKeysPG records idempotency keys that name earlier touchpoints
// (ref 0) in one statement.
func insertKeysPG(tx *gorm.DB, keys []keyRow, now time.Time) error {
	a := keyArrays(keys)
	a["now"] = now
	if err := pgExec(tx, `
INSERT INTO idempotency_keys (source, key, request_hash, touchpoint_id, created_at)
SELECT u.source, u.key, u.request_hash, u.touchpoint_id, @now
FROM unnest(CAST(@k_source AS text[]), CAST(@k_key AS text[]), CAST(@k_hash AS text[]), CAST(@k_tp AS bigint[]))
  AS u (source, key, request_hash, touchpoint_id)`, pgx.NamedArgs(a)); err != nil {
		return fmt.Errorf("record idempotency keys: %w", err)
	}
	return nil
}

// keyArrays are keys as the columns writeNewPGSQL and insertKeysPG bind.
func keyArrays(keys []keyRow) map[string]any {
	source, key, hash := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	tp, ref := make([]int64, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		source[i], key[i], hash[i], tp[i], ref[i] = k.row.Source, k.row.Key, k.row.RequestHash, k.row.TouchpointID, int64(k.ref)
	}
	return map[string]any{"k_source": source, "k_key": key, "k_hash": hash, "k_tp": tp, "k_ref": ref}
}

// sendSurveyUniqueStates is the unique_states River gives a job inserted
// with UniqueOpts (the default states), as the integer River casts to
// bit(8).
var sendSurveyUniqueStates = int(uniquestates.UniqueStatesToBitmask(rivertype.UniqueOptsByStateDefault()))

// sendSurveyJobsSQL inserts the delivery jobs of the rows of a CTE named
// jobs (invitation id, queue, scheduled_at, state; a row with state ”
// gets none) as River's own insert does for SendSurveyArgs with
// sendSurveyOpts: the same kind, args, attempts, priority, unique key (the
// SHA-256 of the kind and the unique-tagged args, computed here because
// the invitation id is not known before the statement) and unique states,
// and the same conflict on River's unique index. @unique_states,
// @max_attempts and @priority are River's values (jobArgs).
// TestBatchJobsAreRiversRows holds the rows to River's own.
const sendSurveyJobsSQL = `
INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags, unique_key, unique_states)
SELECT jsonb_build_object('invitation_id', jobs.id), @now, 'send_survey', @max_attempts, '{}', @priority, jobs.queue, jobs.at,
       CAST(jobs.state AS river_job_state), '{}',
       sha256(convert_to('&kind=send_survey&args={"invitation_id":' || jobs.id || '}', 'UTF8')),
       CAST(CAST(@unique_states AS integer) AS bit(8))
FROM jobs WHERE jobs.state <> ''
ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND unique_states IS NOT NULL
  AND river_job_state_in_bitmask(unique_states, state)
DO NOTHING`

// notifyQueuesSQL wakes the workers of the queues in @queues with River's
// own notification (a job due now), as a column of the final SELECT.
const notifyQueuesSQL = `(SELECT count(*) FROM (SELECT pg_notify(current_schema() || '.river_insert', json_build_object('queue', q)::text)
   FROM unnest(CAST(@queues AS text[])) AS q) AS notified) AS notified`

// jobPlan is the delivery job of each invitation about to be written:
// state and scheduled time (” and nil for an invitation that gets none),
// and the queues to wake.
type jobPlan struct {
	state  []string
	at     []*time.Time
	queues []string
}

// planJobs plans the jobs of invs as sendSurveyOpts would: a scheduled
// invitation's job waits in River's scheduled state while its due time is
// ahead and is available (for the next fetch) once it has come; a queue
// with an available job is woken at most once per River's fetch cooldown
// (Jobs.notifyDue).
func (s *Store) planJobs(invs []invitationRow, now time.Time) jobPlan {
	p := jobPlan{state: make([]string, len(invs)), at: make([]*time.Time, len(invs))}
	seen := map[string]bool{}
	for j, inv := range invs {
		if !inv.jobNow() {
			continue
		}
		at := now
		p.state[j] = string(rivertype.JobStateAvailable)
		if inv.DueAt.After(time.Now()) {
			at, p.state[j] = *inv.DueAt, string(rivertype.JobStateScheduled)
		} else if !seen[inv.Platform] {
			seen[inv.Platform] = true
			if s.jobs.notifyDue(inv.Platform) {
				p.queues = append(p.queues, inv.Platform)
			}
		}
		p.at[j] = &at
	}
	return p
}

// args are the named arguments sendSurveyJobsSQL and notifyQueuesSQL use.
func (p jobPlan) args(now time.Time) map[string]any {
	return map[string]any{"now": now, "queues": p.queues, "unique_states": sendSurveyUniqueStates,
		"max_attempts": river.MaxAttemptsDefault, "priority": river.PriorityDefault}
}

// writeNewPGSQL records the batch's new touchpoints, their invitations, the
// invitations' delivery jobs and the idempotency keys in one statement.
// Each row draws its touchpoint's and its invitation's ids from the
// tables' sequences as the arguments are read (src, materialized: once per
// row), as the columns' defaults would, so the invitation, the job and the
// key of a row carry them without a join, and the caller gets the ids back
// by position (n).
const writeNewPGSQL = `
WITH src AS MATERIALIZED (
  SELECT s.*, nextval('touchpoints_id_seq') AS tp_id, nextval('invitations_id_seq') AS inv_id
  FROM unnest(CAST(@source AS text[]), CAST(@external_id AS text[]), CAST(@type AS text[]), CAST(@occurred_at AS timestamptz[]),
              CAST(@tp_survey_id AS text[]), CAST(@customer_id AS bigint[]), CAST(@attributes AS text[]), CAST(@request_hash AS text[]),
              CAST(@survey_id AS text[]), CAST(@status AS text[]), CAST(@skip_reason AS text[]), CAST(@detail AS text[]),
              CAST(@platform AS text[]), CAST(@chat_id AS text[]), CAST(@user_id AS text[]), CAST(@locale AS text[]),
              CAST(@due_at AS timestamptz[]), CAST(@expires_at AS timestamptz[]), CAST(@sent_at AS timestamptz[]),
              CAST(@awaiting_job AS boolean[]), CAST(@job_state AS text[]), CAST(@job_at AS timestamptz[]))
    WITH ORDINALITY AS s (source, external_id, type, occurred_at, tp_survey_id, customer_id, attributes, request_hash,
                          survey_id, status, skip_reason, detail, platform, chat_id, user_id, locale,
                          due_at, expires_at, sent_at, awaiting_job, job_state, job_at, n)
), tp AS (
  INSERT INTO touchpoints (id, source, external_id, type, occurred_at, survey_id, customer_id, attributes, request_hash, received_at)
  SELECT tp_id, source, external_id, type, occurred_at, tp_survey_id, customer_id, CAST(attributes AS jsonb), request_hash, @now
  FROM src
), inv AS (
  INSERT INTO invitations (id, touchpoint_id, customer_id, survey_id, status, skip_reason, detail, platform, chat_id, user_id, locale,
                           due_at, expires_at, sent_at, awaiting_job, created_at, updated_at)
  SELECT inv_id, tp_id, customer_id, survey_id, status, skip_reason, detail, platform, chat_id, user_id, locale,
         due_at, expires_at, sent_at, awaiting_job, @now, @now
  FROM src
), jobs AS (
  SELECT inv_id AS id, platform AS queue, job_at AS at, job_state AS state FROM src
), job AS (` + sendSurveyJobsSQL + `
), keys AS (
  INSERT INTO idempotency_keys (source, key, request_hash, touchpoint_id, created_at)
  SELECT k.source, k.key, k.request_hash, COALESCE(src.tp_id, k.tp), @now
  FROM unnest(CAST(@k_source AS text[]), CAST(@k_key AS text[]), CAST(@k_hash AS text[]), CAST(@k_tp AS bigint[]), CAST(@k_ref AS bigint[]))
    AS k (source, key, request_hash, tp, ref)
  LEFT JOIN src ON src.n = k.ref
)
SELECT src.n, src.tp_id, src.inv_id, ` + notifyQueuesSQL + `
FROM src`

// writeNewPG inserts tps with their invitations invs (the same length, by
// position), a send_survey job for each scheduled invitation and keys, and
// sets the rows' ids.
func (s *Store) writeNewPG(tx *gorm.DB, tps []touchpointRow, invs []invitationRow, keys []keyRow, now time.Time) error {
	n := len(tps)
	var (
		source, typ, tpSurvey, attrs, hash = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		ext                                = make([]*string, n)
		occurred                           = make([]time.Time, n)
		cust                               = make([]int64, n)
		survey, status, skip, detail       = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		platform, chat, user, locale       = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		due, expires, sent                 = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
		awaiting                           = make([]bool, n)
	)
	for j, t := range tps {
		inv := invs[j]
		source[j], ext[j], typ[j], occurred[j], tpSurvey[j], cust[j], attrs[j], hash[j] =
			t.Source, t.ExternalID, t.Type, t.OccurredAt, t.SurveyID, t.CustomerID, t.Attributes, t.RequestHash
		survey[j], status[j], skip[j], detail[j] = inv.SurveyID, inv.Status, inv.SkipReason, inv.Detail
		platform[j], chat[j], user[j], locale[j] = inv.Platform, inv.ChatID, inv.UserID, inv.Locale
		due[j], expires[j], sent[j], awaiting[j] = inv.DueAt, inv.ExpiresAt, inv.SentAt, inv.AwaitingJob
	}
	plan := s.planJobs(invs, now)
	args := plan.args(now)
	maps.Copy(args, keyArrays(keys))
	for k, v := range map[string]any{
		"source": source, "external_id": ext, "type": typ, "occurred_at": occurred, "tp_survey_id": tpSurvey,
		"customer_id": cust, "attributes": attrs, "request_hash": hash,
		"survey_id": survey, "status": status, "skip_reason": skip, "detail": detail,
		"platform": platform, "chat_id": chat, "user_id": user, "locale": locale,
		"due_at": due, "expires_at": expires, "sent_at": sent, "awaiting_job": awaiting, "job_state": plan.state, "job_at": plan.at,
	} {
		args[k] = v
	}
	rows, err := pgQuery(tx, writeNewPGSQL, pgx.NamedArgs(args))
	if err != nil {
		return fmt.Errorf("record touchpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, tpID, invID, notified int64
		if err := rows.Scan(&k, &tpID, &invID, &notified); err != nil {
			return fmt.Errorf("record touchpoints: %w", err)
		}
		tps[k-1].ID = tpID
		invs[k-1].ID, invs[k-1].TouchpointID = invID, tpID
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("record touchpoints: %w", err)
	}
	return nil
}

// insertInvitationPGSQL records one invitation of a touchpoint already
// written and its delivery job, in one statement.
const insertInvitationPGSQL = `
WITH inv AS (
  INSERT INTO invitations (touchpoint_id, customer_id, survey_id, status, skip_reason, detail, platform, chat_id, user_id, locale,
                           due_at, expires_at, sent_at, awaiting_job, created_at, updated_at)
  VALUES (@touchpoint_id, @customer_id, @survey_id, @status, @skip_reason, @detail, @platform, @chat_id, @user_id, @locale,
          @due_at, @expires_at, @sent_at, @awaiting_job, @now, @now)
  RETURNING id
), jobs AS (
  SELECT inv.id, CAST(@platform AS text) AS queue, CAST(@job_at AS timestamptz) AS at, CAST(@job_state AS text) AS state FROM inv
), job AS (` + sendSurveyJobsSQL + `
)
SELECT inv.id, ` + notifyQueuesSQL + ` FROM inv`

// insertInvitationPG inserts inv (its TouchpointID set) and, when it is
// scheduled, its send_survey job, and sets its id: what gorm's Create and
// River's InsertTx did in two round trips.
func (s *Store) insertInvitationPG(tx *gorm.DB, inv *invitationRow, now time.Time) error {
	plan := s.planJobs([]invitationRow{*inv}, now)
	args := plan.args(now)
	for k, v := range map[string]any{
		"touchpoint_id": inv.TouchpointID, "customer_id": inv.CustomerID, "survey_id": inv.SurveyID, "status": inv.Status,
		"skip_reason": inv.SkipReason, "detail": inv.Detail, "platform": inv.Platform, "chat_id": inv.ChatID,
		"user_id": inv.UserID, "locale": inv.Locale, "due_at": inv.DueAt, "expires_at": inv.ExpiresAt, "sent_at": inv.SentAt,
		"awaiting_job": inv.AwaitingJob,
		"job_state":    plan.state[0], "job_at": plan.at[0],
	} {
		args[k] = v
	}
	rows, err := pgQuery(tx, insertInvitationPGSQL, pgx.NamedArgs(args))
	if err != nil {
		return fmt.Errorf("record invitation: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("record invitation: %w", err)
		}
		return fmt.Errorf("record invitation: no row returned")
	}
	var notified int64
	if err := rows.Scan(&inv.ID, &notified); err != nil {
		return fmt.Errorf("record invitation: %w", err)
	}
	inv.CreatedAt, inv.UpdatedAt = now, now
	return rows.Close()
}

// prepareBatchPGSQL upserts and locks the batch's customers, links their
// chats, and looks up the events and idempotency keys recorded before, in
// one statement. Its rows: 'c' a customer (id, external id, locale, time
// zone, opt-out, whether this statement inserted it), 'i' a chat linked to
// a customer (customer id, platform, chat, user; the identity's id in n),
// 't' an earlier touchpoint (id, source, external id, request hash), 'k'
// an earlier key (touchpoint id, source, key, request hash). Customers are
// locked in the order given (external-id order, see upsertCustomers).
//
// The state of a customer the statement inserted is known here: no other
// transaction can have written a survey or a chat of a row it could not
// see yet, so its chats are the ones just linked and it has had no survey.
// A customer that existed already has its state read by the next
// statement, whose snapshot follows the locks. (xmax = 0 tells a row this
// statement inserted from one it updated: an update leaves its
// transaction's id there.)
const prepareBatchPGSQL = `
WITH c AS (
  INSERT INTO customers (external_id, name, locale, time_zone, created_at, updated_at)
  SELECT u.external_id, u.name, u.locale, u.time_zone, @now, @now
  FROM unnest(CAST(@c_ext AS text[]), CAST(@c_name AS text[]), CAST(@c_locale AS text[]), CAST(@c_tz AS text[]))
    WITH ORDINALITY AS u (external_id, name, locale, time_zone, n)
  ORDER BY u.n
  ` + customerUpsert + `
  RETURNING id, external_id, locale, time_zone, opted_out_at, xmax = 0 AS inserted
), li AS (
  INSERT INTO identities (customer_id, platform, chat_id, user_id, created_at)
  SELECT c.id, v.platform, v.chat_id, v.user_id, @now
  FROM unnest(CAST(@l_ext AS text[]), CAST(@l_platform AS text[]), CAST(@l_chat AS text[]), CAST(@l_user AS text[]))
    AS v (ext, platform, chat_id, user_id)
  JOIN c ON c.external_id = v.ext
  ON CONFLICT (platform, chat_id, user_id) DO NOTHING
  RETURNING customer_id, id, platform, chat_id, user_id
)
SELECT 'c' AS kind, c.id, c.external_id AS a, c.locale AS b, c.time_zone AS d, c.opted_out_at AS at, c.inserted AS new, CAST(NULL AS bigint) AS n FROM c
UNION ALL
SELECT 'i', li.customer_id, li.platform, li.chat_id, li.user_id, NULL, NULL, li.id FROM li
UNION ALL
SELECT 't', t.id, t.source, t.external_id, t.request_hash, NULL, NULL, NULL
FROM unnest(CAST(@t_source AS text[]), CAST(@t_ext AS text[])) AS u (source, k)
CROSS JOIN LATERAL (SELECT id, source, external_id, request_hash FROM touchpoints
                    WHERE source = u.source AND external_id = u.k LIMIT 1) t
UNION ALL
SELECT 'k', ik.touchpoint_id, ik.source, ik.key, ik.request_hash, NULL, NULL, NULL
FROM unnest(CAST(@q_source AS text[]), CAST(@q_key AS text[])) AS u (source, k)
CROSS JOIN LATERAL (SELECT touchpoint_id, source, key, request_hash FROM idempotency_keys
                    WHERE source = u.source AND key = u.k LIMIT 1) ik`

// prepareBatchPG is the batch path's customers, chats and lookups on
// PostgreSQL (upsertCustomers, insertIdentities, existingTouchpoints and,
// when keys is nil, existingKeys) in one statement, for the items at idx.
//
// Each id and key is probed on its own (a LATERAL subquery that LIMIT
// keeps from being flattened into a join). "source = $1 AND external_id =
// ANY($2)" let the planner, before the table's first ANALYZE, estimate a
// dozen rows for the source alone: it scanned every touchpoint of the
// source and tested each against the whole array, a cost that grew with
// the table (105 ms for a batch of 1,000 over 10,000 touchpoints).
// Equality on every column of a unique key is one index probe whatever
// the statistics say.
func (s *Store) prepareBatchPG(tx *gorm.DB, ins []surveys.Ingestion, idx []int, keys map[eventKey]idempotencyKeyRow) (prepared, error) {
	cs := mergeCustomers(ins, idx)
	a := map[string]any{"now": s.now()}
	cExt, cName, cLocale, cTZ := make([]string, len(cs)), make([]string, len(cs)), make([]string, len(cs)), make([]string, len(cs))
	for i, c := range cs {
		cExt[i], cName[i], cLocale[i], cTZ[i] = c.ExternalID, c.Name, c.Locale, c.TimeZone
	}
	a["c_ext"], a["c_name"], a["c_locale"], a["c_tz"] = cExt, cName, cLocale, cTZ
	var lExt, lPlatform, lChat, lUser, tSource, tExt, qSource, qKey []string
	for _, i := range idx {
		tp := ins[i].Touchpoint
		for _, id := range tp.Customer.Identities {
			lExt, lPlatform, lChat, lUser = append(lExt, tp.Customer.ExternalID), append(lPlatform, string(id.Platform)), append(lChat, id.ChatID), append(lUser, id.UserID)
		}
		if tp.ExternalID != "" {
			tSource, tExt = append(tSource, tp.Source), append(tExt, tp.ExternalID)
		}
		if k := ins[i].IdempotencyKey; k != "" && keys == nil {
			qSource, qKey = append(qSource, tp.Source), append(qKey, k)
		}
	}
	a["l_ext"], a["l_platform"], a["l_chat"], a["l_user"] = lExt, lPlatform, lChat, lUser
	a["t_source"], a["t_ext"], a["q_source"], a["q_key"] = tSource, tExt, qSource, qKey
	rows, err := pgQuery(tx, prepareBatchPGSQL, pgx.NamedArgs(a))
	if err != nil {
		return prepared{}, fmt.Errorf("record customers: %w", err)
	}
	defer rows.Close()
	p := prepared{customers: make(map[string]customerRow, len(cs)), known: map[int64]surveys.CustomerState{},
		existing: map[eventKey]touchpointRow{}, keys: keys}
	if p.keys == nil {
		p.keys = map[eventKey]idempotencyKeyRow{}
	}
	type chat struct {
		id int64
		to surveys.Address
	}
	chats := map[int64][]chat{} // customer id → the chats linked now
	for rows.Next() {
		var (
			kind     string
			id       int64
			a, b, d  string
			at       *time.Time
			inserted sql.NullBool
			n        sql.NullInt64
		)
		if err := rows.Scan(&kind, &id, &a, &b, &d, &at, &inserted, &n); err != nil {
			return prepared{}, fmt.Errorf("record customers: %w", err)
		}
		switch kind {
		case "c":
			p.customers[a] = customerRow{ID: id, ExternalID: a, Locale: b, TimeZone: d, OptedOutAt: at}
			if inserted.Bool {
				p.known[id] = surveys.CustomerState{OptedOut: at != nil, Locale: b, TimeZone: d}
			}
		case "i":
			chats[id] = append(chats[id], chat{n.Int64, surveys.Address{Platform: surveys.Platform(a), ChatID: b, UserID: d}})
		case "t":
			ext := b
			p.existing[eventKey{a, b}] = touchpointRow{ID: id, Source: a, ExternalID: &ext, RequestHash: d}
		case "k":
			p.keys[eventKey{a, b}] = idempotencyKeyRow{Source: a, Key: b, RequestHash: d, TouchpointID: id}
		}
	}
	if err := rows.Err(); err != nil {
		return prepared{}, fmt.Errorf("record customers: %w", err)
	}
	// A new customer's chats, oldest first, as customerStates reads them.
	for id, st := range p.known {
		cs := chats[id]
		slices.SortFunc(cs, func(x, y chat) int { return cmp.Compare(x.id, y.id) })
		for _, c := range cs {
			st.Identities = append(st.Identities, c.to)
		}
		p.known[id] = st
	}
	return p, nil
}

// prepared is what prepareBatchPG learnt: the customers by external id,
// the state of those it inserted (known without reading), and the events
// and keys recorded before.
type prepared struct {
	customers map[string]customerRow
	known     map[int64]surveys.CustomerState
	existing  map[eventKey]touchpointRow
	keys      map[eventKey]idempotencyKeyRow
}
