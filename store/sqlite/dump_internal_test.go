package sqlite

import (
	"path/filepath"
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

// TestDumpCoversEveryTable fails when a migration adds a table that the
// dump and load do not carry, which a copy to another store would lose.
func TestDumpCoversEveryTable(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "omnify.db"), Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	covered := map[string]bool{"schema_migrations": true}
	for _, lt := range loadTables {
		covered[lt.table] = true
	}
	rows, err := db.read.QueryContext(t.Context(), `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !covered[name] {
			t.Errorf("table %s is neither dumped nor loaded", name)
		}
	}
	if err := rows.Err(); err != nil || n < len(loadTables) {
		t.Fatalf("listed %d tables (%v), want at least %d", n, err, len(loadTables))
	}
}
