package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
	"github.com/vocbot/vocbot/surveys"
)

func TestAuditPagesNewestFirst(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		var want []surveys.AuditEntry
		for i := range 9 {
			e := surveys.AuditEntry{At: start.Add(time.Duration(i/3) * time.Hour), Actor: fmt.Sprint("slack:U", i%2), Platform: surveys.Slack,
				Action: "stats", Target: "nps", Result: "ok", Detail: fmt.Sprint("entry ", i)}
			if err := f.store.RecordAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
			e.ID = int64(i + 1)
			want = append([]surveys.AuditEntry{e}, want...)
		}
		if err := f.store.RecordAudit(ctx, surveys.AuditEntry{Action: "x"}); err == nil {
			t.Error("an entry without actor was recorded")
		}

		var got []surveys.AuditEntry
		var cur storage.Cursor
		for {
			page, next, err := f.store.Audit(ctx, storage.AuditFilter{Limit: 2, After: cur})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if next.IsZero() {
				break
			}
			cur = next
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("audit log (-want +got):\n%s", diff)
		}

		page, next, err := f.store.Audit(ctx, storage.AuditFilter{Actor: "slack:U1", Since: start.Add(time.Hour)})
		if err != nil || !next.IsZero() {
			t.Fatal(err, next)
		}
		var ids []int64
		for _, e := range page {
			ids = append(ids, e.ID)
		}
		if diff := cmp.Diff([]int64{8, 6, 4}, ids); diff != "" {
			t.Errorf("actor slack:U1 since 10:00 (-want +got):\n%s", diff)
		}
	})
}

// An entry quoting hostile text (a command typed with NUL, an error with
// broken UTF-8) is stored cleaned on both engines, never dropped.
func TestAuditKeepsEntriesWithNUL(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		e := surveys.AuditEntry{At: at, Actor: "slack:U\x001", Platform: surveys.Slack, Action: "survey",
			Target: "cus\xff_1", Result: "refused", Detail: "/survey send nps cus\x00_1 \xfe"}
		if err := f.store.RecordAudit(ctx, e); err != nil {
			t.Fatalf("RecordAudit: %v", err)
		}
		got, _, err := f.store.Audit(ctx, storage.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []surveys.AuditEntry{{ID: 1, At: at, Actor: "slack:U1", Platform: surveys.Slack, Action: "survey",
			Target: "cus\uFFFD_1", Result: "refused", Detail: "/survey send nps cus_1 \uFFFD"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("audit log (-want +got):\n%s", diff)
		}
	})
}
