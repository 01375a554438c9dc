package importer_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func mustStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "omnify.db"), sqlite.Options{})
	must(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	must(tb, db.Migrate(tb.Context()))
	must(tb, db.CreateOrg(tb.Context(), &omnify.Org{ID: "org-a", Name: "A", CreatedAt: time.Now()}))
	return db
}

// cdnowSample is the CDNOW sample of the shared data folder, the sibling of
// the repository root.
func cdnowSample(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	must(tb, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	path := filepath.Join(filepath.Dir(dir), "shared", "data", "cdnow", "cdnow_sample_transactions.csv")
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("CDNOW sample not found at %s", path)
	}
	return path
}
