// Command eyesmongo benchmarks an EYES run over customers stored in
// MongoDB: it generates the synthetic demo data set, writes it through the
// MongoDB store, then times each phase of a run — reading customers and
// orders, the analysis, storing the scores — and prints where the time
// goes.
//
// Without -uri it serves MongoDB's wire protocol from an embedded FerretDB
// (SQLite files in -dir), as the tests do; with -uri it uses that server.
//
//	go run ./bench/eyesmongo -customers 1000000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/demo"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/eyes/eyesrun"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store/mongo"
)

func main() {
	customers := flag.Int("customers", 1_000_000, "number of customers")
	uri := flag.String("uri", "", "MongoDB URI (default: an embedded FerretDB)")
	dir := flag.String("dir", "", "FerretDB data directory (default: a temporary one)")
	flag.Parse()
	if err := run(*customers, *uri, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "eyesmongo:", err)
		os.Exit(1)
	}
}

func run(n int, uri, dir string) error {
	ctx := context.Background()
	if uri == "" {
		stop, u, err := startFerret(ctx, dir)
		if err != nil {
			return err
		}
		defer stop()
		uri = u
	}
	db, err := mongo.Open(ctx, uri, fmt.Sprintf("omnify_bench_%d", time.Now().Unix()), mongo.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = db.Drop(context.Background()); _ = db.Close() }()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	const org = "bench-org"
	if err := db.CreateOrg(ctx, &omnify.Org{ID: org, Name: "Bench", CreatedAt: time.Now()}); err != nil {
		return err
	}
	p := newPhases()
	ds, err := demo.Generate(demo.Config{Customers: n, Seed: 1})
	if err != nil {
		return err
	}
	p.done("generate", len(ds.Customers)+len(ds.Orders))
	if err := ingest(ctx, db, org, ds, p); err != nil {
		return err
	}
	asOf := lastOrder(ds)
	in, err := eyesrun.Load(ctx, db, org, asOf)
	if err != nil {
		return err
	}
	p.done("read customers and orders", len(ds.Customers)+len(ds.Orders))
	res, err := eyes.Run(ctx, *in, eyes.Config{Seed: 1})
	if err != nil {
		return err
	}
	p.done("analyse (eyes.Run)", len(in.Customers))
	if err := fullRun(ctx, db, org, asOf); err != nil {
		return err
	}
	p.done("whole run job (read + analyse + store scores)", len(in.Customers))
	fmt.Printf("\nstatus %s, %d customers scored\n", res.Status, len(res.Customers))
	p.print()
	return nil
}

func lastOrder(ds *demo.Dataset) time.Time {
	var t time.Time
	for _, o := range ds.Orders {
		if o.PlacedAt.After(t) {
			t = o.PlacedAt
		}
	}
	return t
}

// fullRun does an EYES run the way a worker does: the job handler reads,
// analyses and stores every customer's scores.
func fullRun(ctx context.Context, db *mongo.DB, org string, asOf time.Time) error {
	q := &capture{}
	svc := &eyesrun.Service{Store: db, Jobs: q, Config: eyes.Config{}}
	if _, err := svc.Start(ctx, org, "", asOf, 1); err != nil {
		return err
	}
	_, err := svc.Handle(ctx, q.job, func(any) {})
	return err
}

// capture is a queue that keeps the one job it is given.
type capture struct{ job *omnify.Job }

func (c *capture) Enqueue(_ context.Context, nj jobs.NewJob) (*omnify.Job, error) {
	b, err := json.Marshal(nj.Payload)
	if err != nil {
		return nil, err
	}
	c.job = &omnify.Job{ID: "bench-job", OrgID: nj.OrgID, Kind: nj.Kind, Payload: b}
	return c.job, nil
}

func ingest(ctx context.Context, db *mongo.DB, org string, ds *demo.Dataset, p *phases) error {
	const batch = 5000
	now := time.Now().UTC()
	cs := make([]omnify.Customer, 0, batch)
	for i, dc := range ds.Customers {
		cs = append(cs, omnify.Customer{ID: dc.ID, OrgID: org, Email: dc.Email, Name: dc.Name,
			Consent: omnify.Consent(dc.Consent), Platforms: dc.Platforms, CreatedAt: dc.CreatedAt, UpdatedAt: now})
		if len(cs) == batch || i == len(ds.Customers)-1 {
			if err := db.UpsertCustomers(ctx, org, cs); err != nil {
				return fmt.Errorf("customers: %w", err)
			}
			cs = cs[:0]
		}
	}
	p.done("write customers", len(ds.Customers))
	ords := make([]omnify.Order, 0, batch)
	for i, do := range ds.Orders {
		ords = append(ords, omnify.Order{ID: do.ID, OrgID: org, CustomerID: do.CustomerID, Platform: do.Platform,
			ExternalID: do.ID, PlacedAt: do.PlacedAt, AmountMinor: do.AmountMinor, Currency: do.Currency})
		if len(ords) == batch || i == len(ds.Orders)-1 {
			if err := db.UpsertOrders(ctx, org, ords); err != nil {
				return fmt.Errorf("orders: %w", err)
			}
			ords = ords[:0]
		}
	}
	p.done("write orders", len(ds.Orders))
	return nil
}

func startFerret(ctx context.Context, dir string) (stop func(), uri string, err error) {
	if dir == "" {
		if dir, err = os.MkdirTemp("", "omnify-eyesmongo-"); err != nil {
			return nil, "", err
		}
	}
	f, err := ferretdb.New(&ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler: "sqlite", SQLiteURL: "file:" + dir + "/", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Run(ctx) }()
	return func() { cancel(); <-done; _ = os.RemoveAll(dir) }, f.MongoDBURI(), nil
}

// phases times consecutive steps.
type phases struct {
	last time.Time
	rows []string
}

func newPhases() *phases { return &phases{last: time.Now()} }

func (p *phases) done(name string, items int) {
	d := time.Since(p.last)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.rows = append(p.rows, fmt.Sprintf("| %s | %d | %.1f s | %.0f/s | %d MiB |", name, items, d.Seconds(),
		float64(items)/d.Seconds(), ms.HeapInuse>>20))
	fmt.Println(p.rows[len(p.rows)-1])
	p.last = time.Now()
}

func (p *phases) print() {
	fmt.Println("\n| phase | items | time | rate | heap in use after |\n|---|---|---|---|---|")
	for _, r := range p.rows {
		fmt.Println(r)
	}
}
