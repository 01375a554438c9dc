package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/mongo"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// startFerretDB serves MongoDB's wire protocol from FerretDB on SQLite
// files under a temporary directory until the test ends.
func startFerretDB(t testing.TB) string {
	t.Helper()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + t.TempDir() + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("ferretdb: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return f.MongoDBURI()
}

// demoStore writes a migrated SQLite file holding a demo org of
// customers customers (the demo's generator, six months) and its owner,
// and returns its path, the org and the owner's email. The owner's hash is
// a fixed string: the copy moves it verbatim, and hashing a real password
// would only slow the test.
func demoStore(t testing.TB, customers int) (path, orgID, email string) {
	t.Helper()
	ctx := t.Context()
	path = filepath.Join(t.TempDir(), "omnify.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	u := omnify.User{ID: newID(), Email: "owner@copied.example", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA", CreatedAt: now}
	o := omnify.Org{ID: newID(), Name: "Copied Store", CreatedAt: now}
	if err := db.CreateAccount(ctx, &u, &o); err != nil {
		t.Fatalf("create account: %v", err)
	}
	if customers > 0 {
		ds, err := demo.Generate(demo.Config{Customers: customers, Seed: 3, Campaigns: 2, Start: now.AddDate(0, -6, 0), End: now})
		if err != nil {
			t.Fatalf("generate demo: %v", err)
		}
		if err := importDemo(ctx, db, o.ID, ds, now); err != nil {
			t.Fatalf("import demo: %v", err)
		}
	}
	return path, o.ID, u.Email
}

// runCopy runs `omnify migrate copy` and returns its table and progress.
func runCopy(t *testing.T, c MigrateCopyCmd) (table, progress string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c.stdout, c.stderr = &out, &errOut
	if c.Batch == 0 {
		c.Batch = 1000
	}
	err = c.Run()
	return out.String(), errOut.String(), err
}

func TestMigrateCopy(t *testing.T) {
	uri := startFerretDB(t)
	path, orgID, email := demoStore(t, 200)
	cmd := MigrateCopyCmd{From: "sqlite:" + path, To: uri, Database: "copy_ok", Orgs: []string{orgID}, Batch: 300}
	table, progress, err := runCopy(t, cmd)
	if err != nil {
		t.Fatalf("copy: %v\n%s%s", err, progress, table)
	}
	if !strings.Contains(progress, "copied ") || strings.Contains(table, "MISMATCH") {
		t.Fatalf("progress %q, table:\n%s", progress, table)
	}
	if !tableRow(table, "customer", "200") || !tableRow(table, "user", "1") || !tableRow(table, "membership", "1") {
		t.Fatalf("table lacks the demo's records:\n%s", table)
	}
	checkCopiedDemo(t, uri, "copy_ok", orgID, email, path)

	again, progress, err := runCopy(t, cmd)
	if err != nil {
		t.Fatalf("second copy: %v", err)
	}
	if !strings.Contains(progress, "copied 0 records") {
		t.Fatalf("second copy rewrote records the target holds: %q", progress)
	}
	if again != table {
		t.Fatalf("second copy differs:\n%s\nfirst:\n%s", again, table)
	}
	checkCopyRepairs(t, cmd, orgID, table)
}

// checkCopyRepairs changes the target behind the copy's back: a changed
// record is copied again, a record the source lacks fails verification.
func checkCopyRepairs(t *testing.T, cmd MigrateCopyCmd, orgID, table string) {
	t.Helper()
	db, err := mongo.Open(t.Context(), cmd.To, cmd.Database, mongo.Options{})
	if err != nil {
		t.Fatalf("open target: %v", err)
	}
	defer db.Close()
	cs, _, err := db.ListCampaigns(t.Context(), orgID, store.Page{})
	if err != nil || len(cs) == 0 {
		t.Fatalf("campaigns: %v %v", cs, err)
	}
	cs[0].Name = "renamed in the target"
	if err := db.UpsertCampaigns(t.Context(), orgID, cs[:1]); err != nil {
		t.Fatalf("rename campaign: %v", err)
	}
	repaired, progress, err := runCopy(t, cmd)
	if err != nil || repaired != table {
		t.Fatalf("copy after a change in the target: %v\n%s", err, repaired)
	}
	if !strings.Contains(progress, fmt.Sprintf("copied %d records", len(cs))) {
		t.Fatalf("copy after a change rewrote more than the campaigns: %q", progress)
	}
	stray := omnify.Campaign{ID: "stray", Platform: "klaviyo", Name: "only in the target"}
	if err := db.UpsertCampaigns(t.Context(), orgID, []omnify.Campaign{stray}); err != nil {
		t.Fatalf("stray campaign: %v", err)
	}
	mismatch, _, err := runCopy(t, cmd)
	if err == nil || !strings.Contains(err.Error(), "verification failed: 1 kind(s) differ") {
		t.Fatalf("copy with a stray target record: got %v", err)
	}
	if tableRow(mismatch, "campaign", fmt.Sprint(len(cs))) || !strings.Contains(mismatch, "MISMATCH") {
		t.Fatalf("table does not flag the campaigns:\n%s", mismatch)
	}
}

// tableRow reports whether the table has a row for kind whose source and
// target counts are both n.
func tableRow(table, kind, n string) bool {
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) == 5 && f[0] == kind && f[1] == n && f[2] == n && f[4] == "ok" {
			return true
		}
	}
	return false
}

// checkCopiedDemo opens the target as the server would and reads what
// sign-in, the customer pages and EYES read.
func checkCopiedDemo(t *testing.T, uri, database, orgID, email, path string) {
	t.Helper()
	ctx := t.Context()
	db, err := mongo.Open(ctx, uri, database, mongo.Options{})
	if err != nil {
		t.Fatalf("open target: %v", err)
	}
	defer db.Close()
	src, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatalf("open source: %v", err)
	}
	defer src.Close()
	u, err := db.GetUserByEmail(ctx, email)
	if err != nil {
		t.Fatalf("sign-in lookup: %v", err)
	}
	want, _ := src.GetUserByEmail(ctx, email)
	if u.PasswordHash != want.PasswordHash || u.ID != want.ID {
		t.Fatalf("copied user %+v, source %+v", u, want)
	}
	m, err := db.GetMembership(ctx, orgID, u.ID)
	if err != nil || m.Role != omnify.RoleOwner {
		t.Fatalf("owner membership: %+v %v", m, err)
	}
	cs, _, err := db.ListCustomers(ctx, orgID, store.CustomerFilter{}, store.Page{Limit: 50})
	if err != nil || len(cs) != 50 {
		t.Fatalf("list customers: %d %v", len(cs), err)
	}
	// EYES scans every customer and order of the org.
	for name, scan := range map[string][2]func() (int, error){
		"customers": {scanCount(db.ScanCustomers, orgID), scanCount(src.ScanCustomers, orgID)},
		"orders":    {scanOrderCount(db.ScanOrders, orgID), scanOrderCount(src.ScanOrders, orgID)},
	} {
		got, err := scan[0]()
		if err != nil {
			t.Fatalf("scan %s: %v", name, err)
		}
		want, _ := scan[1]()
		if got != want || got == 0 {
			t.Fatalf("scan %s: %d in target, %d in source", name, got, want)
		}
	}
}

func scanCount(scan func(context.Context, string, func(omnify.Customer) error) error, orgID string) func() (int, error) {
	return func() (int, error) {
		n := 0
		err := scan(context.Background(), orgID, func(omnify.Customer) error { n++; return nil })
		return n, err
	}
}

func scanOrderCount(scan func(context.Context, string, func(omnify.Order) error) error, orgID string) func() (int, error) {
	return func() (int, error) {
		n := 0
		err := scan(context.Background(), orgID, func(omnify.Order) error { n++; return nil })
		return n, err
	}
}

func TestMigrateCopyRefusesAnotherOrg(t *testing.T) {
	uri := startFerretDB(t)
	path, orgID, email := demoStore(t, 0)
	db, err := mongo.Open(t.Context(), uri, "copy_clash", mongo.Options{})
	if err != nil {
		t.Fatalf("open target: %v", err)
	}
	defer db.Close()
	other := omnify.Org{ID: orgID, Name: "Someone else", CreatedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateOrg(t.Context(), &other); err != nil {
		t.Fatalf("create clashing org: %v", err)
	}
	_, _, err = runCopy(t, MigrateCopyCmd{From: "sqlite:" + path, To: uri, Database: "copy_clash"})
	if err == nil || !strings.Contains(err.Error(), "different org "+orgID) {
		t.Fatalf("copy over another org: got %v", err)
	}
	if n, _ := db.CountCustomers(t.Context(), orgID); n != 0 {
		t.Fatalf("refused copy wrote %d customers", n)
	}

	// Another user under the owner's email: the copy names the clash.
	clash, err := mongo.Open(t.Context(), uri, "copy_email_clash", mongo.Options{})
	if err != nil {
		t.Fatalf("open target: %v", err)
	}
	defer clash.Close()
	if err := clash.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate target: %v", err)
	}
	if err := clash.CreateUser(t.Context(), &omnify.User{ID: "someone-else", Email: email, PasswordHash: "h"}); err != nil {
		t.Fatalf("create clashing user: %v", err)
	}
	_, _, err = runCopy(t, MigrateCopyCmd{From: "sqlite:" + path, To: uri, Database: "copy_email_clash"})
	if err == nil || !strings.Contains(err.Error(), "unique key") {
		t.Fatalf("copy over a user with the same email: got %v", err)
	}
}

func TestMigrateCopyFlags(t *testing.T) {
	path, _, _ := demoStore(t, 0)
	for _, tc := range []struct {
		name string
		cmd  MigrateCopyCmd
		want string
	}{
		{"FromNotSQLite", MigrateCopyCmd{From: "postgres://x", To: "mongodb://h"}, "--from must be sqlite:PATH"},
		{"FromEmptyPath", MigrateCopyCmd{From: "sqlite:", To: "mongodb://h"}, "--from must be sqlite:PATH"},
		{"FromMissingFile", MigrateCopyCmd{From: "sqlite:" + path + ".nope", To: "mongodb://h"}, "--from: no SQLite file"},
		{"ToNotMongo", MigrateCopyCmd{From: "sqlite:" + path, To: "http://h"}, "--to must be a mongodb://"},
		{"ToNoHost", MigrateCopyCmd{From: "sqlite:" + path, To: "mongodb://"}, "--to must be a mongodb://"},
		{"BadDatabase", MigrateCopyCmd{From: "sqlite:" + path, To: "mongodb://h", Database: "a.b"}, "--database"},
		{"BadBatch", MigrateCopyCmd{From: "sqlite:" + path, To: "mongodb://h", Batch: -1}, "--batch"},
		{"UnknownOrg", MigrateCopyCmd{From: "sqlite:" + path, To: "mongodb://h", Orgs: []string{"nope"}}, "--org nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCopy(t, tc.cmd)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// BenchmarkMigrateCopy copies a 2,000-customer demo org into a fresh
// FerretDB database per iteration and reports records per second.
func BenchmarkMigrateCopy(b *testing.B) {
	uri := startFerretDB(b)
	path, _, _ := demoStore(b, 2000)
	records := 0
	b.ResetTimer()
	for i := range b.N {
		var out, errOut bytes.Buffer
		c := MigrateCopyCmd{From: "sqlite:" + path, To: uri, Database: fmt.Sprintf("bench_%d", i), Batch: 1000,
			stdout: &out, stderr: &errOut}
		if err := c.Run(); err != nil {
			b.Fatalf("copy: %v\n%s", err, out.String())
		}
		for _, line := range strings.Split(out.String(), "\n")[1:] {
			if f := strings.Fields(line); len(f) == 5 {
				var n int
				fmt.Sscan(f[1], &n)
				records += n
			}
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
