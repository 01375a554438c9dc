package eyesrun_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/eyes/eyesrun"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

var asOf = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

// seedOrg stores a generated data set for one org.
func seedOrg(t *testing.T, s store.Store, orgID string, customers int) *demo.Dataset {
	t.Helper()
	ctx := t.Context()
	if err := s.CreateOrg(ctx, &omnify.Org{ID: orgID, Name: orgID}); err != nil {
		t.Fatal(err)
	}
	ds, err := demo.Generate(demo.Config{Customers: customers, Seed: 7,
		Start: asOf.AddDate(-2, 0, 0), End: asOf.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var cs []omnify.Customer
	for _, c := range ds.Customers {
		cs = append(cs, omnify.Customer{ID: c.ID, Email: c.Email, Consent: omnify.Consent(c.Consent), Platforms: c.Platforms})
	}
	var os []omnify.Order
	for _, o := range ds.Orders {
		os = append(os, omnify.Order{ID: o.ID, CustomerID: o.CustomerID, Platform: o.Platform,
			PlacedAt: o.PlacedAt, AmountMinor: o.AmountMinor, Currency: o.Currency})
	}
	if err := s.UpsertCustomers(ctx, orgID, cs); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertOrders(ctx, orgID, os); err != nil {
		t.Fatal(err)
	}
	return ds
}

func newService(t *testing.T) (*sqlite.DB, *jobs.Runner, *eyesrun.Service) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "e.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := jobs.NewRunner(db, jobs.Config{}, nil, nil)
	svc := &eyesrun.Service{Store: db, Jobs: r}
	r.Handle(eyesrun.JobKind, svc.Handle)
	return db, r, svc
}

func TestRunStoresVersionedResults(t *testing.T) {
	db, r, svc := newService(t)
	ds := seedOrg(t, db, "org-a", 800)
	seedOrg(t, db, "org-b", 100)
	ctx := t.Context()

	first := runOnce(t, r, svc, db, "org-a")
	second := runOnce(t, r, svc, db, "org-a")
	if first.Version != 1 || second.Version != 2 {
		t.Fatalf("versions %d, %d; want 1, 2", first.Version, second.Version)
	}
	var rep eyes.Result
	if err := json.Unmarshal(second.Report, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Data.Customers != len(ds.Customers) || len(rep.Segments) == 0 {
		t.Fatalf("report covers %d customers and %d segments; want %d customers", rep.Data.Customers, len(rep.Segments), len(ds.Customers))
	}
	if rep.Insights.Migration == nil || rep.Insights.Migration.Matched == 0 {
		t.Fatalf("second run has no migration against the first: %+v", rep.Insights.Migration)
	}
	ss, _, err := db.ListEyesScores(ctx, "org-a", second.ID, store.ScoreFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != len(ds.Customers) {
		t.Fatalf("stored %d scores, want one per customer (%d)", len(ss), len(ds.Customers))
	}
	for _, sc := range ss {
		for _, p := range []float64{sc.Churn30, sc.Churn60, sc.Churn90, sc.PAlive} {
			if p < 0 || p > 1 {
				t.Fatalf("customer %s has probability %v outside [0,1]", sc.CustomerID, p)
			}
		}
	}
	// The other org's data never entered this org's run.
	if _, err := db.GetEyesRun(ctx, "org-b", second.ID); err == nil {
		t.Fatal("org-b can read org-a's run")
	}
}

func runOnce(t *testing.T, r *jobs.Runner, svc *eyesrun.Service, db *sqlite.DB, orgID string) *omnify.EyesRun {
	t.Helper()
	run, err := svc.Start(t.Context(), orgID, "user-1", asOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != omnify.JobQueued {
		t.Fatalf("new run is %s, want queued", run.Status)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if !r.RunOne(ctx, "w") {
		t.Fatal("no job to run")
	}
	got, err := db.GetEyesRun(t.Context(), orgID, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != omnify.JobSucceeded || got.FinishedAt == nil {
		t.Fatalf("run ended %s: %s", got.Status, got.Error)
	}
	return got
}

func TestLoadKeepsOrdersUpToAsOf(t *testing.T) {
	db, _, _ := newService(t)
	ds := seedOrg(t, db, "org-a", 200)
	cut := asOf.AddDate(0, -6, 0)
	in, err := eyesrun.Load(t.Context(), db, "org-a", cut)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, o := range ds.Orders {
		if !o.PlacedAt.After(cut) {
			want++
		}
	}
	got := 0
	for _, c := range in.Customers {
		got += len(c.Orders)
	}
	if len(in.Customers) != len(ds.Customers) || got != want {
		t.Fatalf("loaded %d customers / %d orders, want %d / %d", len(in.Customers), got, len(ds.Customers), want)
	}
}
