package sqlite

import (
	"testing"

	"github.com/omnify-cloud/omnify/store"
)

// TestDumpCoversEveryKind keeps the dump's queries and the load's tables in step with
// store.Kinds: a kind added there without a query here would be lost by a
// copy.
func TestDumpCoversEveryKind(t *testing.T) {
	if len(dumpQueries) != len(store.Kinds) {
		t.Fatalf("%d dump queries for %d kinds", len(dumpQueries), len(store.Kinds))
	}
	for i, q := range dumpQueries {
		if q.kind != store.Kinds[i] {
			t.Errorf("query %d dumps %s, want %s", i, q.kind, store.Kinds[i])
		}
		if _, ok := loadTables[store.Kinds[i]]; !ok {
			t.Errorf("no load of %s", store.Kinds[i])
		}
	}
}
