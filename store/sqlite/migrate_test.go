package sqlite_test

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func openAt(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func status(t *testing.T, db *sqlite.DB) []sqlite.MigrationStatus {
	t.Helper()
	st, err := db.MigrationStatus(t.Context())
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if len(st) == 0 {
		t.Fatal("no migrations embedded")
	}
	return st
}

func TestMigrateFreshThenNoop(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "omnify.db"))
	for _, m := range status(t, db) {
		if m.Applied || m.AppliedAt != nil || m.Name == "" || m.Version <= 0 {
			t.Fatalf("before migrate: %+v", m)
		}
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	first := status(t, db)
	for i, m := range first {
		if !m.Applied || m.AppliedAt == nil || !m.AppliedAt.Equal(fixedNow) {
			t.Fatalf("after migrate: %+v", m)
		}
		if i > 0 && m.Version <= first[i-1].Version {
			t.Fatalf("status not ordered by version: %+v", first)
		}
	}
	if first[0].Version != 1 || first[0].Name != "init" {
		t.Fatalf("first migration = %+v, want 1 init", first[0])
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	for i, m := range status(t, db) {
		if m.Version != first[i].Version || !m.AppliedAt.Equal(*first[i].AppliedAt) {
			t.Fatalf("second migrate changed %+v to %+v", first[i], m)
		}
	}
}

// TestMigrateConcurrentProcesses has two handles on one file migrate at
// once, as two replicas starting together would: both succeed, once.
func TestMigrateConcurrentProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "omnify.db")
	dbs := []*sqlite.DB{openAt(t, path), openAt(t, path)}
	errs := make([]error, len(dbs))
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(t.Context()) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent migrate: %v", err)
	}
	for _, m := range status(t, dbs[1]) {
		if !m.Applied {
			t.Fatalf("not applied: %+v", m)
		}
	}
}

func TestReopenKeepsData(t *testing.T) {
	// Characters that mean something in a URI must still name a plain file.
	dir := filepath.Join(t.TempDir(), "data dir #1 %20 ?x")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "omnify.db")
	db := openAt(t, path)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := db.CreateOrg(t.Context(), &omnify.Org{ID: "org-1", Name: "Acme"}); err != nil {
		t.Fatalf("create org: %v", err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("no write-ahead log beside the database: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	again := openAt(t, path)
	o, err := again.GetOrg(t.Context(), "org-1")
	if err != nil || o.Name != "Acme" || !o.CreatedAt.Equal(fixedNow) {
		t.Fatalf("after reopen: %+v, %v", o, err)
	}
}

func TestEphemeralDatabase(t *testing.T) {
	for _, path := range []string{"", ":memory:"} {
		db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
		if err != nil {
			t.Fatalf("open %q: %v", path, err)
		}
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("migrate %q: %v", path, err)
		}
		if err := db.Ping(t.Context()); err != nil {
			t.Fatalf("ping %q: %v", path, err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("close %q: %v", path, err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("close %q twice: %v", path, err)
		}
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	db := MustOpen(t)
	err := db.AddMember(t.Context(), &omnify.Membership{OrgID: "no-org", UserID: "no-user", Role: omnify.RoleOwner})
	if !errors.Is(err, omnify.ErrNotFound) {
		t.Fatalf("member of unknown org: %v, want ErrNotFound", err)
	}
	err = db.UpsertCustomers(t.Context(), "no-org", []omnify.Customer{{ID: "c1"}})
	if !errors.Is(err, omnify.ErrNotFound) {
		t.Fatalf("customer of unknown org: %v, want ErrNotFound", err)
	}
}
