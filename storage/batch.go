package storage

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

// chunk bounds rows per statement, well under both engines' parameter limits.
const chunk = 500

// sqliteRows bounds the rows of one statement (a multi-row INSERT, an IN
// list) on SQLite. Its driver
// finds each bound argument by a linear search of all of them, so binding
// costs the square of the parameters: 500 touchpoints (4,500 parameters)
// spent more time binding than SQLite spent inserting. Statements are calls
// into the engine in the same process there, so more of them cost little.
const sqliteRows = 50

// perStatement is how many rows one statement of the batch path takes or
// looks up.
func (s *Store) perStatement() int {
	if s.db.engine == SQLite {
		return sqliteRows
	}
	return chunk
}

// IngestBatch implements surveys.Store with set-based SQL: one transaction,
// a handful of statements per chunk of rows instead of a dozen per row.
// Customers are locked in id order so concurrent batches cannot deadlock,
// and decisions are taken in input order per customer, so fatigue holds
// inside the batch too. An item that conflicts (reused id or key) fails
// alone; any other failure fails the batch, which the caller may retry.
func (s *Store) IngestBatch(ctx context.Context, key surveys.BatchKey, ins []surveys.Ingestion, decide surveys.DecideFunc) ([]surveys.Ingested, []error, error) {
	var out []surveys.Ingested
	var errs []error
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		var err error
		if key.Key == "" || len(ins) == 0 {
			out, errs, err = s.ingestBatchTx(ctx, tx, ins, same(decide), false)
			return err
		}
		source := ins[0].Touchpoint.Source
		recorded, err := s.checkKey(tx, source, key.Key, key.RequestHash)
		if err != nil {
			return err
		}
		// The request's key is locked: its items' keys need no locks of
		// their own and go set-based with the rest.
		if out, errs, err = s.ingestBatchTx(ctx, tx, ins, same(decide), true); err != nil {
			return err
		}
		if recorded {
			return nil
		}
		// The key's row points at a touchpoint of the batch (the table
		// requires one); a batch that stored nothing records nothing, and
		// its replay fails the same way again.
		for _, o := range out {
			if o.Invitation.TouchpointID != 0 {
				return s.saveKey(tx, source, surveys.Ingestion{IdempotencyKey: key.Key, RequestHash: key.RequestHash}, o.Invitation.TouchpointID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, errs, nil
}

type eventKey struct{ source, externalID string }

// same decides every item of a batch with one function.
func same(decide surveys.DecideFunc) func(int) surveys.DecideFunc {
	return func(int) surveys.DecideFunc { return decide }
}

// ingestBatchTx stores ins in tx; decideOf(i) decides item i (items from
// different requests, gathered by group commit, each bring their own).
// itemKeys says the items' IdempotencyKeys are a locked batch key's item
// keys: they are looked up and recorded set-based instead of one by one.
func (s *Store) ingestBatchTx(ctx context.Context, tx *gorm.DB, ins []surveys.Ingestion, decideOf func(int) surveys.DecideFunc, itemKeys bool) ([]surveys.Ingested, []error, error) {
	out := make([]surveys.Ingested, len(ins))
	errs := make([]error, len(ins))
	order := make([]int, len(ins))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return strings.Compare(ins[a].Touchpoint.Customer.ExternalID, ins[b].Touchpoint.Customer.ExternalID)
	})

	// Items with their own Idempotency-Key (single events gathered by group
	// commit) hold its lock for the transaction, all taken in one
	// statement; a key another transaction holds is ErrInProgress for its
	// item alone. Under a batch's own key (itemKeys) the items' keys are
	// covered by that lock.
	ownKeys := !itemKeys
	plain := order
	var existingKeys map[eventKey]idempotencyKeyRow // nil: not looked up yet
	if ownKeys {
		busy, found, err := s.lockKeys(tx, ins, order)
		if err != nil {
			return nil, nil, err
		}
		existingKeys = found
		if len(busy) > 0 {
			plain = make([]int, 0, len(order))
			for _, i := range order {
				if busy[eventKey{ins[i].Touchpoint.Source, ins[i].IdempotencyKey}] {
					errs[i] = surveys.ErrInProgress
					continue
				}
				plain = append(plain, i)
			}
		}
	}

	var (
		customers map[string]customerRow
		known     map[int64]surveys.CustomerState // states that need no reading
		existing  map[eventKey]touchpointRow
		err       error
	)
	if s.db.engine == Postgres {
		p, err := s.prepareBatchPG(tx, ins, plain, existingKeys)
		if err != nil {
			return nil, nil, err
		}
		customers, known, existing, existingKeys = p.customers, p.known, p.existing, p.keys
	} else {
		if customers, err = s.upsertCustomers(tx, mergeCustomers(ins, plain)); err != nil {
			return nil, nil, err
		}
		if existing, err = s.existingTouchpoints(tx, ins, plain); err != nil {
			return nil, nil, err
		}
		var links []identityRow
		for _, i := range plain {
			c := ins[i].Touchpoint.Customer
			links = append(links, identityRows(customers[c.ExternalID].ID, c.Identities)...)
		}
		if err := s.insertIdentities(tx, links); err != nil {
			return nil, nil, err
		}
		if existingKeys == nil {
			if existingKeys, err = s.existingKeys(tx, ins, plain); err != nil {
				return nil, nil, err
			}
		}
	}
	// A statement of its own, after the customers' locks are held: its
	// snapshot sees every survey a transaction that held one committed.
	toRead := customers
	if len(known) > 0 {
		toRead = make(map[string]customerRow, len(customers)-len(known))
		for k, c := range customers {
			if _, ok := known[c.ID]; !ok {
				toRead[k] = c
			}
		}
	}
	states, err := s.customerStates(tx, toRead)
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(states, known)

	now := s.now()
	var (
		tps      []touchpointRow
		invs     []invitationRow
		newIdx   []int             // input index of each new row
		replayTP = map[int]int64{} // input index → earlier touchpoint id
		dupOf    = map[int]int{}   // input index → first identical item in this batch
		seen     = map[eventKey]int{}
		seenKey  = map[eventKey]int{} // an own key → the item that records it
		keyOnly  []int                // items that record their own key for another item's touchpoint
	)
	// dup makes item i answer what item j answers (j's own original if j
	// is a duplicate itself).
	dup := func(i, j int) {
		if r, ok := dupOf[j]; ok {
			j = r
		}
		dupOf[i] = j
	}
	for _, i := range plain {
		in := ins[i]
		tp := in.Touchpoint
		var kk eventKey
		if in.IdempotencyKey != "" {
			kk = eventKey{tp.Source, in.IdempotencyKey}
			if prev, ok := existingKeys[kk]; ok {
				if prev.RequestHash != in.RequestHash {
					errs[i] = surveys.ErrIdempotencyKeyReused
				} else {
					replayTP[i] = prev.TouchpointID
				}
				continue
			}
			if j, ok := seenKey[kk]; ownKeys && ok {
				// The same key twice in one group: the later request
				// sees the earlier one's row, as it would after its
				// commit.
				if ins[j].RequestHash != in.RequestHash {
					errs[i] = surveys.ErrIdempotencyKeyReused
				} else {
					dup(i, j)
				}
				continue
			}
		}
		if tp.ExternalID != "" {
			k := eventKey{tp.Source, tp.ExternalID}
			if prev, ok := existing[k]; ok {
				if prev.RequestHash != in.RequestHash {
					errs[i] = surveys.ErrIdempotencyKeyReused
				} else {
					replayTP[i] = prev.ID
					if ownKeys && in.IdempotencyKey != "" {
						// The key now names the earlier touchpoint.
						seenKey[kk] = i
						keyOnly = append(keyOnly, i)
					}
				}
				continue
			}
			if j, ok := seen[k]; ok {
				if ins[j].RequestHash != in.RequestHash {
					errs[i] = surveys.ErrIdempotencyKeyReused
				} else {
					dup(i, j)
					if ownKeys && in.IdempotencyKey != "" {
						seenKey[kk] = i
						keyOnly = append(keyOnly, i)
					}
				}
				continue
			}
			seen[k] = i
		}
		if ownKeys && in.IdempotencyKey != "" {
			seenKey[kk] = i
		}
		cust := customers[tp.Customer.ExternalID]
		st := states[cust.ID]
		d := decideOf(i)(tp, st)
		if d.Invited() {
			st.LastSurveyAt = d.DueAt
			states[cust.ID] = st
		}
		tps = append(tps, touchpointRowFor(in, cust.ID, now))
		invs = append(invs, invitationFor(d, cust.ID, now))
		newIdx = append(newIdx, i)
	}

	// The idempotency keys to record: a new item's key names its new
	// touchpoint, a key-only item's an earlier one or a new one of this
	// batch (ref: 1 + its position in tps; 0 when TouchpointID is set).
	var keys []keyRow
	posOf := make(map[int]int, len(newIdx)) // input index → 1 + position in tps
	for j, i := range newIdx {
		posOf[i] = j + 1
		if k := ins[i].IdempotencyKey; k != "" {
			keys = append(keys, keyRow{row: idempotencyKeyRow{Source: ins[i].Touchpoint.Source, Key: k, RequestHash: ins[i].RequestHash, CreatedAt: now}, ref: j + 1})
		}
	}
	for _, i := range keyOnly {
		k := keyRow{row: idempotencyKeyRow{Source: ins[i].Touchpoint.Source, Key: ins[i].IdempotencyKey, RequestHash: ins[i].RequestHash, CreatedAt: now}}
		if id, ok := replayTP[i]; ok {
			k.row.TouchpointID = id
		} else {
			k.ref = posOf[dupOf[i]]
		}
		keys = append(keys, k)
	}

	switch {
	case len(tps) > 0 && s.db.engine == Postgres:
		if err := s.writeNewPG(tx, tps, invs, keys, now); err != nil {
			return nil, nil, err
		}
		for j, inv := range invs {
			i := newIdx[j]
			out[i] = surveys.Ingested{Invitation: inv.invitation(ins[i].Touchpoint.Customer.ExternalID)}
		}
	case s.db.engine == Postgres:
		if len(keys) > 0 {
			if err := insertKeysPG(tx, keys, now); err != nil {
				return nil, nil, err
			}
		}
	default:
		if err := s.writeNew(ctx, tx, ins, newIdx, tps, invs, keys, out); err != nil {
			return nil, nil, err
		}
	}

	if len(replayTP) > 0 {
		if err := s.replays(tx, ins, replayTP, out); err != nil {
			return nil, nil, err
		}
	}
	for i, j := range dupOf {
		out[i] = surveys.Ingested{Invitation: out[j].Invitation, Replayed: true}
	}
	return out, errs, nil
}

// keyRow is an idempotency key to record and the touchpoint it names: its
// row's TouchpointID, or when ref > 0 the new touchpoint at tps[ref-1].
type keyRow struct {
	row idempotencyKeyRow
	ref int
}

// writeNew records the new touchpoints tps, their invitations invs (by
// position; newIdx maps them to ins), the invitations' delivery jobs and
// the keys, statement by statement (the general form; PostgreSQL's is
// writeNewPG), and fills in out for the new items.
func (s *Store) writeNew(ctx context.Context, tx *gorm.DB, ins []surveys.Ingestion, newIdx []int, tps []touchpointRow, invs []invitationRow, keys []keyRow, out []surveys.Ingested) error {
	if len(tps) > 0 {
		if err := tx.CreateInBatches(&tps, s.perStatement()).Error; err != nil {
			return fmt.Errorf("record touchpoints: %w", err)
		}
		for j := range invs {
			invs[j].TouchpointID = tps[j].ID
		}
		if err := tx.CreateInBatches(&invs, s.perStatement()).Error; err != nil {
			return fmt.Errorf("record invitations: %w", err)
		}
		var jobs []river.InsertManyParams
		for j, inv := range invs {
			i := newIdx[j]
			out[i] = surveys.Ingested{Invitation: inv.invitation(ins[i].Touchpoint.Customer.ExternalID)}
			if inv.jobNow() {
				jobs = append(jobs, sendSurveyJob(inv.ID, surveys.Platform(inv.Platform), *inv.DueAt))
			}
		}
		if err := insertManyTx(ctx, s.jobs.insert, tx, jobs); err != nil {
			return err
		}
	}
	if len(keys) == 0 {
		return nil
	}
	rows := make([]idempotencyKeyRow, len(keys))
	for j, k := range keys {
		rows[j] = k.row
		if k.ref > 0 {
			rows[j].TouchpointID = tps[k.ref-1].ID
		}
	}
	if err := tx.CreateInBatches(&rows, s.perStatement()).Error; err != nil {
		return fmt.Errorf("record idempotency keys: %w", err)
	}
	return nil
}

// touchpointRowFor is the row that records an ingested touchpoint.
func touchpointRowFor(in surveys.Ingestion, customerID int64, now time.Time) touchpointRow {
	tp := in.Touchpoint
	row := touchpointRow{
		Source: tp.Source, Type: tp.Type, OccurredAt: tp.OccurredAt.UTC(), SurveyID: tp.SurveyID,
		CustomerID: customerID, Attributes: attributesJSON(tp.Attributes), RequestHash: in.RequestHash, ReceivedAt: now,
	}
	if tp.ExternalID != "" {
		ext := tp.ExternalID
		row.ExternalID = &ext
	}
	return row
}

// invitationFor turns a decision into the invitation row to insert.
func invitationFor(d surveys.Decision, customerID int64, now time.Time) invitationRow {
	inv := invitationRow{
		CustomerID: customerID, SurveyID: d.SurveyID, Detail: d.Detail, Locale: d.Locale,
		CreatedAt: now, UpdatedAt: now,
	}
	if d.Invited() {
		inv.Status = string(surveys.Scheduled)
		inv.Platform, inv.ChatID, inv.UserID = string(d.To.Platform), d.To.ChatID, d.To.UserID
		inv.DueAt, inv.ExpiresAt = timePtr(d.DueAt), timePtr(d.ExpiresAt)
		if d.To.Platform == surveys.Web {
			// Nothing to deliver: the link goes back to the caller now, so
			// the invitation is sent as it is made, and no job is enqueued.
			inv.Status = string(surveys.Sent)
			inv.SentAt = timePtr(now)
		}
		inv.AwaitingJob = inv.Status == string(surveys.Scheduled) && d.DueAt.After(now.Add(jobHorizon))
	} else {
		inv.Status = string(surveys.Skipped)
		inv.SkipReason = string(d.Skip)
	}
	return inv
}

// mergeCustomers is what the batch's items say about each customer, later
// items winning, in external-id order: the order their rows are locked in,
// so concurrent batches cannot deadlock each other.
func mergeCustomers(ins []surveys.Ingestion, idx []int) []surveys.Customer {
	merged := map[string]surveys.Customer{}
	for _, i := range idx {
		c := ins[i].Touchpoint.Customer
		m, ok := merged[c.ExternalID]
		if !ok {
			m.ExternalID = c.ExternalID
		}
		if c.Name != "" {
			m.Name = c.Name
		}
		if c.Locale != "" && m.Locale == "" {
			m.Locale = c.Locale
		}
		if c.TimeZone != "" {
			m.TimeZone = c.TimeZone
		}
		merged[c.ExternalID] = m
	}
	out := make([]surveys.Customer, 0, len(merged))
	for _, c := range merged {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b surveys.Customer) int { return strings.Compare(a.ExternalID, b.ExternalID) })
	return out
}

// customerUpsert is what an ingestion does to a customer recorded before:
// given values refresh the stored ones, except the locale, which a
// language the customer chose in the chat (/language) keeps. Every
// statement that upserts customers ends its INSERT with it.
const customerUpsert = `ON CONFLICT (external_id) DO UPDATE SET
  name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE customers.name END,
  locale = CASE WHEN customers.locale = '' THEN excluded.locale ELSE customers.locale END,
  time_zone = CASE WHEN excluded.time_zone <> '' THEN excluded.time_zone ELSE customers.time_zone END,
  updated_at = excluded.updated_at`

// upsertCustomers creates or updates customers (each external id once) and
// holds their row locks until the transaction ends: ON CONFLICT DO UPDATE
// locks the row on Postgres; SQLite transactions are serialized by BEGIN
// IMMEDIATE. Given values refresh the stored ones, except the locale: a
// language the customer chose in the chat (/language) outranks what a CRM
// last sent. Rows are locked in the order given.
func (s *Store) upsertCustomers(tx *gorm.DB, cs []surveys.Customer) (map[string]customerRow, error) {
	now := s.now()
	if s.db.engine == Postgres {
		return upsertCustomersPG(tx, cs, now)
	}
	rows := make(map[string]customerRow, len(cs))
	if len(cs) == 0 {
		return rows, nil
	}
	values := make([][4]string, len(cs))
	for i, c := range cs {
		values[i] = [4]string{c.ExternalID, c.Name, c.Locale, c.TimeZone}
	}
	// The rows come as one JSON array (see anyOf); WHERE true tells
	// SQLite's parser the SELECT ends before ON CONFLICT.
	var got []customerRow
	err := scan(tx.Raw(`
INSERT INTO customers (external_id, name, locale, time_zone, created_at, updated_at)
SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, ?, ?
FROM json_each(?) AS j WHERE true ORDER BY j.key
`+customerUpsert+`
RETURNING id, external_id, locale, time_zone, opted_out_at`, now, now, jsonArray(values)), &got)
	if err != nil {
		return nil, fmt.Errorf("record customers: %w", err)
	}
	for _, r := range got {
		rows[r.ExternalID] = r
	}
	return rows, nil
}

// existingTouchpoints finds the batch's events that were recorded before
// (SQLite; PostgreSQL's batch path looks them up in prepareBatchPG).
func (s *Store) existingTouchpoints(tx *gorm.DB, ins []surveys.Ingestion, idx []int) (map[eventKey]touchpointRow, error) {
	bySource := map[string][]string{}
	for _, i := range idx {
		tp := ins[i].Touchpoint
		if tp.ExternalID != "" {
			bySource[tp.Source] = append(bySource[tp.Source], tp.ExternalID)
		}
	}
	found := map[eventKey]touchpointRow{}
	for source, ext := range bySource {
		var rows []touchpointRow
		in, list := s.anyOf("external_id", ext)
		err := tx.Select("id", "source", "external_id", "request_hash").
			Where("source = ? AND "+in, source, list).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("look up touchpoints: %w", err)
		}
		for _, r := range rows {
			found[eventKey{r.Source, *r.ExternalID}] = r
		}
	}
	return found, nil
}

// lockKeys takes, on PostgreSQL, the transaction's lock of every own
// Idempotency-Key of the items at idx and looks the keys up, in one
// statement. It returns the keys a concurrent transaction holds (their
// requests are in progress) and the recorded ones. The lookup's snapshot
// may predate a lock taken in the same statement: a key whose holder
// committed in between is missed, and recording it again fails on the
// key's primary key, which retries the transaction (ErrDuplicate), whose
// second attempt sees the row. SQLite serializes writers (BEGIN
// IMMEDIATE): nothing to take, found nil (look the keys up afterwards).
func (s *Store) lockKeys(tx *gorm.DB, ins []surveys.Ingestion, idx []int) (busy map[eventKey]bool, found map[eventKey]idempotencyKeyRow, err error) {
	if s.db.engine != Postgres {
		return nil, nil, nil
	}
	bySource := map[string][]string{}
	for _, i := range idx {
		if k := ins[i].IdempotencyKey; k != "" {
			src := ins[i].Touchpoint.Source
			bySource[src] = append(bySource[src], k)
		}
	}
	found = map[eventKey]idempotencyKeyRow{}
	for source, keys := range bySource {
		slices.Sort(keys)
		keys = slices.Compact(keys)
		// The lock names are lockKey's: "idempotency/<source>/<key>".
		// A subquery with a volatile function is not flattened: one
		// try-lock per key. pgQuery binds the keys as one binary array,
		// however many.
		rows, err := pgQuery(tx, `SELECT u.k, u.got, ik.request_hash, ik.touchpoint_id
FROM (SELECT k, pg_try_advisory_xact_lock(hashtextextended($1 || k, 0)) AS got
      FROM unnest(CAST($2 AS text[])) AS k) u
LEFT JOIN LATERAL (SELECT request_hash, touchpoint_id FROM idempotency_keys
                   WHERE source = $3 AND key = u.k LIMIT 1) ik ON true`,
			"idempotency/"+source+"/", keys, source)
		if err != nil {
			return nil, nil, fmt.Errorf("lock idempotency keys: %w", err)
		}
		for rows.Next() {
			var (
				key          string
				got          bool
				requestHash  sql.NullString
				touchpointID sql.NullInt64
			)
			if err := rows.Scan(&key, &got, &requestHash, &touchpointID); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("lock idempotency keys: %w", err)
			}
			k := eventKey{source, key}
			if !got {
				if busy == nil {
					busy = map[eventKey]bool{}
				}
				busy[k] = true
			}
			if touchpointID.Valid {
				found[k] = idempotencyKeyRow{Source: source, Key: key, RequestHash: requestHash.String, TouchpointID: touchpointID.Int64}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("lock idempotency keys: %w", err)
		}
	}
	return busy, found, nil
}

// existingKeys finds the idempotency keys of the items at idx that were
// recorded before, by source and key (SQLite; see existingTouchpoints).
func (s *Store) existingKeys(tx *gorm.DB, ins []surveys.Ingestion, idx []int) (map[eventKey]idempotencyKeyRow, error) {
	bySource := map[string][]string{}
	for _, i := range idx {
		if k := ins[i].IdempotencyKey; k != "" {
			bySource[ins[i].Touchpoint.Source] = append(bySource[ins[i].Touchpoint.Source], k)
		}
	}
	found := map[eventKey]idempotencyKeyRow{}
	for source, keys := range bySource {
		var rows []idempotencyKeyRow
		in, list := s.anyOf("key", keys)
		if err := tx.Where("source = ? AND "+in, source, list).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("look up idempotency keys: %w", err)
		}
		for _, r := range rows {
			found[eventKey{r.Source, r.Key}] = r
		}
	}
	return found, nil
}

// identityRows are the chats given for a customer, as rows to link.
func identityRows(customerID int64, given []surveys.Address) []identityRow {
	rows := make([]identityRow, len(given))
	for i, a := range given {
		rows[i] = identityRow{CustomerID: customerID, Platform: string(a.Platform), ChatID: a.ChatID, UserID: a.UserID}
	}
	return rows
}

// linkIdentities links one customer's given chats (see insertIdentities).
func (s *Store) linkIdentities(tx *gorm.DB, customerID int64, given []surveys.Address) error {
	return s.insertIdentities(tx, identityRows(customerID, given))
}

// insertIdentities links chats to customers; a chat already linked to
// someone else stays theirs (the deep link or /start that linked it wins).
func (s *Store) insertIdentities(tx *gorm.DB, links []identityRow) error {
	if len(links) == 0 {
		return nil
	}
	now := s.now()
	if s.db.engine == Postgres {
		return insertIdentitiesPG(tx, links, now)
	}
	values := make([][4]any, len(links))
	for i, l := range links {
		values[i] = [4]any{l.CustomerID, l.Platform, l.ChatID, l.UserID}
	}
	if err := tx.Exec(`INSERT INTO identities (customer_id, platform, chat_id, user_id, created_at)
SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, ? FROM json_each(?) AS j WHERE true
ON CONFLICT (platform, chat_id, user_id) DO NOTHING`, now, jsonArray(values)).Error; err != nil {
		return fmt.Errorf("link identities: %w", err)
	}
	return nil
}

// customerStates reads what the decision needs about each customer: opt-out,
// locale, time zone, linked chats, latest survey.
func (s *Store) customerStates(tx *gorm.DB, customers map[string]customerRow) (map[int64]surveys.CustomerState, error) {
	states := make(map[int64]surveys.CustomerState, len(customers))
	ids := make([]int64, 0, len(customers))
	for _, c := range customers {
		states[c.ID] = surveys.CustomerState{OptedOut: c.OptedOutAt != nil, Locale: c.Locale, TimeZone: c.TimeZone}
		ids = append(ids, c.ID)
	}
	if len(ids) == 0 {
		return states, nil
	}
	// One statement for both: the chats (oldest first) and, in rows
	// without an id, each customer's latest survey that counts for
	// fatigue. anyOf binds the ids as one parameter, however many.
	in, list := s.anyOf("customer_id", ids)
	rows, err := tx.Raw(`SELECT customer_id, id, platform, chat_id, user_id, blocked_at IS NOT NULL, NULL
FROM identities WHERE `+in+`
UNION ALL
SELECT customer_id, NULL, NULL, NULL, NULL, NULL, max(due_at)
FROM invitations WHERE `+in+` AND `+fatigueWhere+` GROUP BY customer_id
ORDER BY 2`, list, list).Rows()
	if err != nil {
		return nil, fmt.Errorf("load customer state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			cust                 int64
			id                   sql.NullInt64
			platform, chat, user sql.NullString
			blocked              sql.NullBool
			last                 any
		)
		if err := rows.Scan(&cust, &id, &platform, &chat, &user, &blocked, &last); err != nil {
			return nil, fmt.Errorf("load customer state: %w", err)
		}
		st := states[cust]
		if id.Valid {
			a := surveys.Address{Platform: surveys.Platform(platform.String), ChatID: chat.String, UserID: user.String}
			if blocked.Bool {
				st.Blocked = append(st.Blocked, a)
			} else {
				st.Identities = append(st.Identities, a)
			}
		} else if last != nil {
			t, err := aggregateTime(last)
			if err != nil {
				return nil, fmt.Errorf("latest survey of customer %d: %w", cust, err)
			}
			st.LastSurveyAt = t
		}
		states[cust] = st
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("load customer state: %w", err)
	}
	return states, nil
}

// aggregateTime reads max(timestamp): a time on PostgreSQL, the stored text
// on SQLite (an aggregate has no declared column type to convert by).
func aggregateTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v.UTC(), nil
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("unreadable time %q", v)
	case []byte:
		return aggregateTime(string(v))
	}
	return time.Time{}, fmt.Errorf("unexpected %T for a time", v)
}

// replays fills in what earlier identical requests produced.
func (s *Store) replays(tx *gorm.DB, ins []surveys.Ingestion, replayTP map[int]int64, out []surveys.Ingested) error {
	tpIDs := make([]int64, 0, len(replayTP))
	for _, id := range replayTP {
		tpIDs = append(tpIDs, id)
	}
	var rows []invitationRow
	in, list := s.anyOf("touchpoint_id", tpIDs)
	if err := tx.Where(in, list).Find(&rows).Error; err != nil {
		return fmt.Errorf("load earlier invitations: %w", err)
	}
	byTP := make(map[int64]invitationRow, len(rows))
	for _, r := range rows {
		byTP[r.TouchpointID] = r
	}
	for i, tpID := range replayTP {
		row, ok := byTP[tpID]
		if !ok {
			return fmt.Errorf("touchpoint %d has no invitation", tpID)
		}
		// Same request hash, same body: the same customer.
		out[i] = surveys.Ingested{Invitation: row.invitation(ins[i].Touchpoint.Customer.ExternalID), Replayed: true}
	}
	return nil
}
