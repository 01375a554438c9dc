package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/store/storetest"
)

// MustOpen opens a migrated database in a fresh temporary directory, closed
// when the test ends.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "omnify.db"), sqlite.Options{})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	if err := db.Migrate(tb.Context()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return MustOpen(t) })
}
