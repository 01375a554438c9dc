package mongo_test

import (
	"path/filepath"
	"testing"

	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/store/storetest"
)

func newSQLite(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "omnify.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// TestCopy copies an org between the backends both ways and within
// MongoDB.
func TestCopy(t *testing.T) {
	for _, tc := range []struct {
		name           string
		source, target storetest.NewStore
	}{
		{"SQLiteToMongo", newSQLite, opener(ferretURI)},
		{"MongoToMongo", opener(ferretURI), opener(ferretURI)},
		{"MongoToSQLite", opener(ferretURI), newSQLite},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.RunCopy(t, tc.source, tc.target)
		})
	}
}
