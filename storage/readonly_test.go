package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// A read-only database reads beside a writer (on SQLite, without the
// process lock the writer holds) and refuses every write.
func TestReadOnlyOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			url := storagetest.URL(t, e)
			writer, err := storage.Open(ctx, url, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer writer.Close()
			if _, err := writer.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			reader, err := storage.Open(ctx, url, storage.Options{ReadOnly: true})
			if err != nil {
				t.Fatalf("open read-only beside a writer: %v", err)
			}
			defer reader.Close()
			if !reader.ReadOnly() {
				t.Error("ReadOnly() is false for a read-only database")
			}
			if current, err := reader.SchemaCurrent(ctx); err != nil || !current {
				t.Errorf("SchemaCurrent: %v, %v; want true", current, err)
			}
			if _, err := reader.SQL().ExecContext(ctx, "DELETE FROM audit_log"); err == nil {
				t.Error("a write through a read-only database succeeded")
			}
			if _, err := writer.SQL().ExecContext(ctx, "DELETE FROM audit_log"); err != nil {
				t.Errorf("the writer cannot write while a reader is open: %v", err)
			}
		})
	}
	t.Run("missing SQLite file", func(t *testing.T) {
		t.Parallel()
		_, err := storage.Open(ctx, "sqlite://"+t.TempDir()+"/none.db", storage.Options{ReadOnly: true})
		if err == nil || !strings.Contains(err.Error(), "vocbot migrate") {
			t.Errorf("got %v, want an error that says to migrate first", err)
		}
	})
}
