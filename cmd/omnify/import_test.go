package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/importer"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// importOrg creates a data dir holding one organisation.
func importOrg(t *testing.T) (dir, orgID string) {
	t.Helper()
	dir = t.TempDir()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "omnify.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(ctx, &omnify.Org{ID: "org-1", Name: "Acme", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return dir, "org-1"
}

func countCustomers(t *testing.T, dir, org string) int {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "omnify.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.CountCustomers(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportCommand(t *testing.T) {
	dir, org := importOrg(t)
	out, err := runCLI(t, "import", "--data-dir", dir, "--log-level", "error", "--org", org, "--file", cdnowSample(t))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	var rep importer.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	if rep.Format != importer.Transactions || rep.Customers != 2357 || rep.Orders != 6919 {
		t.Errorf("report %+v", rep)
	}
	if n := countCustomers(t, dir, org); n != 2357 {
		t.Errorf("%d customers stored, want 2357", n)
	}
}

func TestImportCommandRejects(t *testing.T) {
	dir, org := importOrg(t)
	bad := writeFile(t, "bad.csv", "customer_id,order_date,amount\nc1,2024-01-01,1\nc2,2024-13-01,1\n")
	_, err := runCLI(t, "import", "--data-dir", dir, "--log-level", "error", "--org", org, "--file", bad)
	if err == nil || !strings.Contains(err.Error(), "rejected: 1 problem(s)") {
		t.Fatalf("error %v, want a rejection", err)
	}
	if n := countCustomers(t, dir, org); n != 0 {
		t.Errorf("a rejected file stored %d customers", n)
	}
	if _, err := runCLI(t, "import", "--data-dir", dir, "--org", "nope", "--file", bad); err == nil {
		t.Error("import into an unknown organisation succeeded")
	}
}
