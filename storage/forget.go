package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/surveys"
)

// ForgetReport says what forgetting a customer changed (surveys.ForgetReport).
type ForgetReport = surveys.ForgetReport

// ActorCustomer is the audit actor of a customer's own request (/delete_my_data).
const ActorCustomer = "customer"

// Forget erases a customer's personal data at their own request (the
// /delete_my_data command): see ForgetBy, with actor "customer".
func (s *Store) Forget(ctx context.Context, customerExternalID string) (ForgetReport, error) {
	return s.ForgetBy(ctx, customerExternalID, surveys.AuditEntry{Actor: ActorCustomer})
}

// ForgetBy erases a customer's personal data in one transaction, on behalf
// of by.Actor (and by.Platform): the name, locale and time zone; every
// linked chat, link token and rate bucket of their chats; the addresses
// and message references on their invitations (scheduled ones are
// cancelled); their touchpoints' and responses' attributes, the request
// hashes taken over their bodies, and every comment (state "erased"). The
// customer's id becomes an irreversible pseudonym, here and in the audit
// log. Scores stay, under the pseudonym, so totals and past scores do not
// change. The erasure is audited under the pseudonym, with counts only.
//
// An unknown (or already forgotten) customer is surveys.ErrNotFound.
func (s *Store) ForgetBy(ctx context.Context, customerExternalID string, by surveys.AuditEntry) (ForgetReport, error) {
	var rep ForgetReport
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		rep = ForgetReport{}
		lock := ""
		if s.db.engine == Postgres {
			lock = " FOR UPDATE"
		}
		var cust customerRow
		if err := scan(tx.Raw("SELECT * FROM customers WHERE external_id = ? AND forgotten_at IS NULL"+lock, customerExternalID), &cust); err != nil {
			return fmt.Errorf("look up customer: %w", err)
		}
		if cust.ID == 0 {
			return fmt.Errorf("no customer %q: %w", customerExternalID, surveys.ErrNotFound)
		}
		pseudonym, err := newPseudonym(customerExternalID)
		if err != nil {
			return err
		}
		rep.Pseudonym = pseudonym
		now := s.now()

		// Rate buckets are keyed by chat: find the chats before the links go.
		var chats []identityRow
		if err := scan(tx.Raw(`SELECT platform, chat_id, user_id FROM identities WHERE customer_id = ?
UNION SELECT platform, chat_id, user_id FROM invitations WHERE customer_id = ? AND platform <> ''`, cust.ID, cust.ID), &chats); err != nil {
			return fmt.Errorf("find chats: %w", err)
		}
		var keys []string
		for _, c := range chats {
			keys = append(keys, chatKey(c.address()))
		}
		if len(keys) > 0 {
			if err := tx.Exec("DELETE FROM rate_buckets WHERE key IN ?", keys).Error; err != nil {
				return fmt.Errorf("delete rate buckets: %w", err)
			}
		}

		// Digests remember the quotes they showed: find the customer's among
		// them while the comments still exist.
		if err := eraseQuotes(tx, cust.ID); err != nil {
			return err
		}

		steps := []struct {
			what  string
			count *int64
			sql   string
			args  []any
		}{
			{"erase comments", &rep.CommentsErased, `UPDATE responses SET comment = NULL, comment_at = NULL, comment_state = 'erased',
 comment_lang = '', comment_lang_confidence = 0
WHERE customer_id = ? AND (comment IS NOT NULL OR comment_state IN ('awaiting', 'given'))`, []any{cust.ID}},
			{"erase alert conversations", nil, `UPDATE alert_events SET text = '', locale = ''
WHERE alert_id IN (SELECT a.id FROM alerts a JOIN responses r ON r.id = a.response_id WHERE r.customer_id = ?)`, []any{cust.ID}},
			{"stop alert relays", nil, `UPDATE alerts SET relay_until = NULL
WHERE response_id IN (SELECT id FROM responses WHERE customer_id = ?)`, []any{cust.ID}},
			{"clear response attributes", &rep.Responses, `UPDATE responses SET attributes = '{}' WHERE customer_id = ?`, []any{cust.ID}},
			{"cancel invitations", &rep.InvitationsCancelled, `UPDATE invitations SET status = 'skipped', skip_reason = 'opted_out',
 detail = 'cancelled: the customer''s data was erased', updated_at = ? WHERE customer_id = ? AND status = 'scheduled'`, []any{now, cust.ID}},
			{"clear invitation addresses", nil, `UPDATE invitations SET chat_id = '', user_id = '', message_ref = '' WHERE customer_id = ?`, []any{cust.ID}},
			{"clear idempotency keys", nil, `UPDATE idempotency_keys SET request_hash = 'erased'
WHERE touchpoint_id IN (SELECT id FROM touchpoints WHERE customer_id = ?)`, []any{cust.ID}},
			{"clear touchpoints", &rep.TouchpointsCleared, `UPDATE touchpoints SET attributes = '{}', request_hash = 'erased' WHERE customer_id = ?`, []any{cust.ID}},
			{"delete identities", &rep.IdentitiesDeleted, `DELETE FROM identities WHERE customer_id = ?`, []any{cust.ID}},
			{"delete link tokens", &rep.LinkTokensDeleted, `DELETE FROM link_tokens WHERE customer_id = ?`, []any{cust.ID}},
			{"forget customer", nil, `UPDATE customers SET external_id = ?, name = '', locale = '', time_zone = '', forgotten_at = ?, updated_at = ?
WHERE id = ?`, []any{pseudonym, now, now, cust.ID}},
		}
		for _, st := range steps {
			res := tx.Exec(st.sql, st.args...)
			if res.Error != nil {
				return fmt.Errorf("%s: %w", st.what, res.Error)
			}
			if st.count != nil {
				*st.count = res.RowsAffected
			}
		}
		if err := s.pseudonymiseAudit(tx, cust.ID, personal(customerExternalID, pseudonym, cust.Name)); err != nil {
			return err
		}
		if err := s.pseudonymiseEventIDs(tx, cust.ID, customerExternalID, pseudonym); err != nil {
			return err
		}
		entry := by
		entry.ID, entry.At, entry.Action, entry.Target, entry.Result = 0, now, "forget", pseudonym, "ok"
		entry.Detail = fmt.Sprintf("erased %d comments, %d chats, %d link tokens, the attributes of %d touchpoints; kept %d scores",
			rep.CommentsErased, rep.IdentitiesDeleted, rep.LinkTokensDeleted, rep.TouchpointsCleared, rep.Responses)
		return s.recordAudit(tx, entry)
	})
	if err != nil {
		return ForgetReport{}, fmt.Errorf("forget customer: %w", err)
	}
	return rep, nil
}

// replacement is a personal string and what stands in for it.
type replacement struct{ from, to string }

// personal lists what must leave the audit log and alert notes: the id
// (for the pseudonym) and the name, whole and by its words of three letters
// or more (staff write "called Dana back"), for "[name]".
func personal(id, pseudonym, name string) []replacement {
	out := []replacement{{id, pseudonym}}
	seen := map[string]bool{id: true}
	for _, part := range append([]string{strings.TrimSpace(name)}, strings.Fields(name)...) {
		if utf8.RuneCountInString(part) >= 3 && !seen[part] {
			seen[part] = true
			out = append(out, replacement{part, "[name]"})
		}
	}
	return out
}

func replaceAll(s string, repl []replacement) string {
	for _, r := range repl {
		s = replaceID(s, r.from, r.to)
	}
	return s
}

// pseudonymiseAudit replaces the customer's id with the pseudonym, and
// their name with "[name]", in the audit entries that hold them (an
// ambassador's "/survey send nps cus_42", a reply "Hi Dana, …"), and in
// the resolution notes of alerts about their answers. Only whole words are
// replaced: forgetting cus_4 leaves cus_42 alone.
func (s *Store) pseudonymiseAudit(tx *gorm.DB, customerID int64, repl []replacement) error {
	contains := "instr(%s, ?) > 0" // not LIKE: ids may hold % and _
	if s.db.engine == Postgres {
		contains = "strpos(%s, ?) > 0"
	}
	var conds []string
	var args []any
	for _, r := range repl {
		for _, col := range []string{"target", "action", "detail"} {
			conds, args = append(conds, fmt.Sprintf(contains, col)), append(args, r.from)
		}
	}
	var rows []auditRow
	if err := tx.Where(strings.Join(conds, " OR "), args...).Find(&rows).Error; err != nil {
		return fmt.Errorf("pseudonymise audit log: %w", err)
	}
	for _, r := range rows {
		t, a, d := replaceAll(r.Target, repl), replaceAll(r.Action, repl), replaceAll(r.Detail, repl)
		if t == r.Target && a == r.Action && d == r.Detail {
			continue
		}
		if err := tx.Model(&auditRow{}).Where("id = ?", r.ID).Updates(map[string]any{"target": t, "action": a, "detail": d}).Error; err != nil {
			return fmt.Errorf("pseudonymise audit entry %d: %w", r.ID, err)
		}
	}
	var notes []struct {
		ID         int64
		Resolution string
	}
	if err := scan(tx.Raw(`SELECT id, resolution FROM alerts WHERE resolution <> ''
 AND response_id IN (SELECT id FROM responses WHERE customer_id = ?)`, customerID), &notes); err != nil {
		return fmt.Errorf("read alert notes: %w", err)
	}
	for _, n := range notes {
		if res := replaceAll(n.Resolution, repl); res != n.Resolution {
			if err := tx.Exec("UPDATE alerts SET resolution = ? WHERE id = ?", res, n.ID).Error; err != nil {
				return fmt.Errorf("pseudonymise alert %d: %w", n.ID, err)
			}
		}
	}
	return nil
}

// eraseQuotes removes the customer's comments from the quotes that digests
// remember showing (digest_runs.quotes, kept to avoid repeating a quote).
// A quote is a redacted excerpt: it is the customer's when every piece of
// it between placeholders and ellipses is part of one of their comments.
func eraseQuotes(tx *gorm.DB, customerID int64) error {
	var comments []string
	if err := tx.Raw("SELECT comment FROM responses WHERE customer_id = ? AND comment IS NOT NULL AND comment <> ''", customerID).
		Scan(&comments).Error; err != nil {
		return fmt.Errorf("read comments: %w", err)
	}
	if len(comments) == 0 {
		return nil
	}
	var runs []digestRunRow
	if err := tx.Select("digest_id", "local_date", "quotes").Where("quotes <> '[]' AND quotes <> ''").Find(&runs).Error; err != nil {
		return fmt.Errorf("read digest quotes: %w", err)
	}
	for _, run := range runs {
		var quotes []string
		if json.Unmarshal([]byte(run.Quotes), &quotes) != nil {
			continue
		}
		kept := quotes[:0:0]
		for _, q := range quotes {
			if !quoteOfAny(q, comments) {
				kept = append(kept, q)
			}
		}
		if len(kept) == len(quotes) {
			continue
		}
		b, _ := json.Marshal(append([]string{}, kept...)) // []string always marshals
		if err := tx.Model(&digestRunRow{}).Where("digest_id = ? AND local_date = ?", run.DigestID, run.LocalDate).
			Update("quotes", string(b)).Error; err != nil {
			return fmt.Errorf("erase quotes of digest %s on %s: %w", run.DigestID, run.LocalDate, err)
		}
	}
	return nil
}

// quoteCut splits a quote into the pieces copied from its comment.
var quoteCut = regexp.MustCompile(`\[[^\]]{1,24}\]|` + scoring.Ellipsis)

func quoteOfAny(quote string, comments []string) bool {
	var pieces []string
	size := 0
	for _, p := range quoteCut.Split(quote, -1) {
		if p = strings.TrimSpace(p); p != "" {
			pieces = append(pieces, p)
			size += utf8.RuneCountInString(p)
		}
	}
	if size < 3 {
		return false
	}
	for _, c := range comments {
		all := true
		for _, p := range pieces {
			all = all && strings.Contains(c, p)
		}
		if all {
			return true
		}
	}
	return false
}

// pseudonymiseEventIDs replaces the customer's id where a sender built it
// into the ids of their events ("delivered-cus_42-7") or into an
// Idempotency-Key.
func (s *Store) pseudonymiseEventIDs(tx *gorm.DB, customerID int64, id, pseudonym string) error {
	var tps []touchpointRow
	if err := tx.Select("id", "source", "external_id").Where("customer_id = ? AND external_id IS NOT NULL", customerID).Find(&tps).Error; err != nil {
		return fmt.Errorf("pseudonymise event ids: %w", err)
	}
	for _, tp := range tps {
		if ext := replaceID(*tp.ExternalID, id, pseudonym); ext != *tp.ExternalID {
			if err := tx.Model(&touchpointRow{}).Where("id = ?", tp.ID).Update("external_id", ext).Error; err != nil {
				return fmt.Errorf("pseudonymise event id of touchpoint %d: %w", tp.ID, err)
			}
		}
	}
	var keys []idempotencyKeyRow
	if err := tx.Where("touchpoint_id IN (SELECT id FROM touchpoints WHERE customer_id = ?)", customerID).Find(&keys).Error; err != nil {
		return fmt.Errorf("pseudonymise idempotency keys: %w", err)
	}
	for _, k := range keys {
		if key := replaceID(k.Key, id, pseudonym); key != k.Key {
			if err := tx.Model(&idempotencyKeyRow{}).Where("source = ? AND key = ?", k.Source, k.Key).Update("key", key).Error; err != nil {
				return fmt.Errorf("pseudonymise an idempotency key: %w", err)
			}
		}
	}
	return nil
}

// replaceID replaces each whole occurrence of id in s: one not touching a
// letter or digit that would make it part of a longer id (cus_42 is not
// cus_4). Punctuation, underscores included, separates: event ids are
// often built as "delivered_cus_4_7". Erring that way erases more, never less.
func replaceID(s, id, with string) string {
	if id == "" {
		return s
	}
	var b strings.Builder
	done := 0 // s[:done] is in b
	for from := 0; ; {
		i := strings.Index(s[from:], id)
		if i < 0 {
			b.WriteString(s[done:])
			return b.String()
		}
		i += from
		end := i + len(id)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (i == 0 || !idRune(before)) && (end == len(s) || !idRune(after)) {
			b.WriteString(s[done:i])
			b.WriteString(with)
			done = end
		}
		from = end
	}
}

func idRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// newPseudonym is "forgotten:" and the first 16 hex digits of SHA-256 over
// a random salt and the id. The salt is thrown away, so nothing, not even
// the id, leads back to the pseudonym.
func newPseudonym(id string) (string, error) {
	var salt [32]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return "", fmt.Errorf("pseudonym: %w", err)
	}
	sum := sha256.Sum256(append(salt[:], id...))
	return "forgotten:" + hex.EncodeToString(sum[:8]), nil
}
