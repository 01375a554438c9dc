package fake_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/fake"
)

type collector struct {
	recs   []connector.Record
	states []json.RawMessage
	total  int64
}

func (c *collector) Record(_ context.Context, r connector.Record) error {
	c.recs = append(c.recs, r)
	return nil
}

func (c *collector) Checkpoint(_ context.Context, s json.RawMessage) error {
	c.states = append(c.states, append(json.RawMessage(nil), s...))
	return nil
}

func (c *collector) Total(n int64) { c.total = n }

var conn = connector.Connection{Credentials: map[string]string{"access_token": fake.Token}}

func TestSameSeedSameShop(t *testing.T) {
	a, b := fake.New(5, 10, 100), fake.New(5, 10, 100)
	if !reflect.DeepEqual(a.Records(fake.StreamOrders), b.Records(fake.StreamOrders)) {
		t.Fatal("the same seed made different shops")
	}
	if reflect.DeepEqual(a.Records(fake.StreamOrders), fake.New(6, 10, 100).Records(fake.StreamOrders)) {
		t.Fatal("different seeds made the same shop")
	}
}

func TestReadPagesAndResumes(t *testing.T) {
	src := fake.New(5, 10, 600)
	var all collector
	if err := src.Read(t.Context(), conn, fake.StreamOrders, nil, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.recs) != 600 || len(all.states) != 3 || all.total != 600 {
		t.Fatalf("%d records, %d checkpoints, total %d", len(all.recs), len(all.states), all.total)
	}
	var rest collector
	if err := src.Read(t.Context(), conn, fake.StreamOrders, all.states[0], &rest); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rest.recs, all.recs[250:]) {
		t.Fatalf("resuming after the first page read %d records, want the last 350", len(rest.recs))
	}
	ids := src.Update(5)
	var changed collector
	if err := src.Read(t.Context(), conn, fake.StreamOrders, all.states[2], &changed); err != nil {
		t.Fatal(err)
	}
	if len(changed.recs) == 0 || len(changed.recs) > len(ids) {
		t.Fatalf("an incremental read after %d updates read %d records", len(ids), len(changed.recs))
	}
}

func TestRefusesWrongToken(t *testing.T) {
	src := fake.New(5, 1, 1)
	bad := connector.Connection{Credentials: map[string]string{"access_token": "tok_nope12345"}}
	if err := src.Check(t.Context(), bad); !errors.Is(err, connector.ErrAuth) {
		t.Fatalf("check: %v", err)
	}
	if err := src.Read(t.Context(), conn, "refunds", nil, &collector{}); !errors.Is(err, connector.ErrUnknownStream) {
		t.Fatalf("unknown stream: %v", err)
	}
}

// TestConnectorSuite runs the shared connector suite on the fake shop,
// with faults injected through BeforePage.
func TestConnectorSuite(t *testing.T) {
	src := fake.New(21, 120, 700)
	conn := func(token string) func(testing.TB) connector.Connection {
		return func(testing.TB) connector.Connection {
			return connector.Connection{ID: "conn-1", OrgID: "org-1",
				Credentials: map[string]string{"access_token": token}, Config: map[string]string{"shop": "acme"}}
		}
	}
	var faults atomic.Int32
	connectortest.Run(t, connectortest.Harness{
		New:            func() connector.Connector { return src },
		Connection:     conn(fake.Token),
		BadCredentials: conn("tok_refused0001"),
		Expected:       func(_ testing.TB, stream string) int { return len(src.Records(stream)) },
		Mutate:         func(testing.TB) { src.Update(25) },
		Faults: func(_ testing.TB, on bool) {
			if !on {
				src.BeforePage = nil
				return
			}
			faults.Store(0)
			src.BeforePage = func(string, int) error {
				if n := faults.Add(1); n%2 == 1 && n < 8 {
					return connector.BackOff(10*time.Millisecond, "the shop answered 429", nil)
				}
				return nil
			}
		},
		Features: connectortest.Features{
			Incremental: map[string]bool{fake.StreamCustomers: true, fake.StreamOrders: true},
			Faults:      true,
		},
	})
}
