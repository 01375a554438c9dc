package eyes_test

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

const (
	cdnowMasterFile = "cdnow_master_transactions.csv"
	cdnowAsOf       = "1998-04-01"
)

var cdnowOnce struct {
	sync.Once
	res *eyes.Result
	err error
}

// cdnowMaster runs the pipeline once, with default settings, on all CDNOW
// purchases up to 1998-04-01 and shares the result between tests.
func cdnowMaster(tb testing.TB) *eyes.Result {
	tb.Helper()
	in, _ := mustLoadCDNOW(tb, cdnowMasterFile, mustDate(tb, cdnowAsOf))
	cdnowOnce.Do(func() {
		cdnowOnce.res, cdnowOnce.err = eyes.Run(context.Background(), *in, eyes.Config{Seed: 1})
	})
	if cdnowOnce.err != nil {
		tb.Fatal(cdnowOnce.err)
	}
	return cdnowOnce.res
}

// futureBuyers reads the rows after asOf and returns, per customer, the
// first purchase date after it.
func futureBuyers(tb testing.TB, name string, asOf time.Time) map[string]time.Time {
	tb.Helper()
	f, err := os.Open(filepath.Join(sharedDir(tb), "data", "cdnow", name))
	if err != nil {
		tb.Skipf("CDNOW data not available: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		tb.Fatal(err)
	}
	out := map[string]time.Time{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		d, err := time.Parse(time.DateOnly, rec[1])
		if err != nil {
			tb.Fatal(err)
		}
		if first, ok := out[rec[0]]; d.After(asOf) && (!ok || d.Before(first)) {
			out[rec[0]] = d
		}
	}
}

// TestCDNOWChurnOutOfTime scores CDNOW as of 1998-04-01 and checks the churn
// scores against what customers really did in the following days, data the
// pipeline never saw.
func TestCDNOWChurnOutOfTime(t *testing.T) {
	t.Parallel()
	res := cdnowMaster(t)
	asOf := mustDate(t, cdnowAsOf)
	future := futureBuyers(t, cdnowMasterFile, asOf)
	for _, h := range []int{30, 60, 90} {
		end := asOf.AddDate(0, 0, h)
		var y []bool
		var s []float64
		for _, c := range res.Customers {
			p, ok := c.ChurnAt(h)
			if !ok {
				t.Fatalf("customer %s has no %d-day churn score", c.ID, h)
			}
			next, bought := future[c.ID]
			y = append(y, !(bought && !next.After(end)))
			s = append(s, p)
		}
		auc, err := metrics.ROCAUC(y, s)
		if err != nil {
			t.Fatal(err)
		}
		card := res.Churn[h/30-1]
		t.Logf("h=%d: future AUC %.4f (validation AUC %.4f, base rate %.3f, n=%d)", h, auc, card.AUC, card.BaseRate, len(y))
		if auc < 0.83 {
			t.Errorf("%d-day churn: AUC %.4f on the real future, want ≥ 0.83", h, auc)
		}
		if !card.GatePassed || card.AUC < 0.70 {
			t.Errorf("%d-day model card: AUC %.4f, gate passed %v", h, card.AUC, card.GatePassed)
		}
	}
}
