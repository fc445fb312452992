package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/vocbot/vocbot/surveys"
)

type auditRow struct {
	ID       int64
	At       time.Time
	Actor    string
	Platform string
	Action   string
	Target   string
	Result   string
	Detail   string
}

func (auditRow) TableName() string { return "audit_log" }

func (r auditRow) entry() surveys.AuditEntry {
	return surveys.AuditEntry{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Platform: surveys.Platform(r.Platform),
		Action: r.Action, Target: r.Target, Result: r.Result, Detail: r.Detail}
}

// RecordAudit appends an entry to the audit log; a zero At is now.
func (s *Store) RecordAudit(ctx context.Context, e surveys.AuditEntry) error {
	return s.recordAudit(s.db.gorm.WithContext(ctx), e)
}

func (s *Store) recordAudit(tx *gorm.DB, e surveys.AuditEntry) error {
	if e.Actor == "" || e.Action == "" {
		return fmt.Errorf("record audit entry: actor and action are required (got %q, %q)", e.Actor, e.Action)
	}
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	// What an entry quotes (a command as typed, an error) may hold NUL or
	// broken UTF-8, which PostgreSQL refuses: cleaned, so the entry is
	// never lost to its own text.
	row := auditRow{At: at.UTC(), Actor: surveys.CleanText(e.Actor), Platform: surveys.CleanText(string(e.Platform)),
		Action: surveys.CleanText(e.Action), Target: surveys.CleanText(e.Target), Result: surveys.CleanText(e.Result), Detail: surveys.CleanText(e.Detail)}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("record audit entry %s by %s: %w", e.Action, e.Actor, translate(err))
	}
	return nil
}

// AuditFilter selects audit entries (surveys.AuditFilter).
type AuditFilter = surveys.AuditFilter

// Audit returns one page of the audit log, newest first, and the cursor of
// the next page (zero when this page is the last).
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]surveys.AuditEntry, Cursor, error) {
	limit := pageLimit(f.Limit)
	var c conditions
	if f.Actor != "" {
		c.add("actor = ?", f.Actor)
	}
	c.newestFirst("at", "id", f.Since, f.Until, f.After)
	q := s.db.gorm.WithContext(ctx).Model(&auditRow{})
	if len(c.clauses) > 0 {
		q = q.Where(strings.Join(c.clauses, " AND "), c.args...)
	}
	var rows []auditRow
	if err := q.Order("at DESC, id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, Cursor{}, fmt.Errorf("read audit log: %w", translate(err))
	}
	var next Cursor
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = Cursor{At: last.At.UTC(), ID: last.ID}
	}
	out := make([]surveys.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, next, nil
}
