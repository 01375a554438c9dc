package stripe_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/stripe"
)

func TestFullReadEmitsEveryRecordOnce(t *testing.T) {
	cases := []struct {
		stream string
		n      int
		pages  int
	}{
		{stripe.Customers, 250, 3},
		{stripe.Charges, 100, 1},
		{stripe.Invoices, 101, 2},
		// Every fourth seeded subscription is canceled; all must come back.
		{stripe.Subscriptions, 230, 3},
		{stripe.Customers, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.stream, func(t *testing.T) {
			f := newFake(t)
			want := mustSeed(t, f, tc.stream, tc.n)
			rec := &recorder{}
			if err := stripe.New().Read(context.Background(), conn(f.URL, f.Key), tc.stream, nil, rec); err != nil {
				t.Fatalf("read: %v", err)
			}
			assertExactlyOnce(t, rec.ids(), want)
			for i, r := range rec.records {
				// Stripe lists newest first; records carry their creation.
				if r.UpdatedAt.IsZero() || (i > 0 && r.UpdatedAt.After(rec.records[i-1].UpdatedAt)) {
					t.Fatalf("record %d (%s) out of Stripe's newest-first order", i, r.UpdatedAt)
				}
			}
			lists := listRequests(t, f.Requests(), "/v1/"+tc.stream)
			if len(lists) != tc.pages {
				t.Fatalf("%d list requests, want %d", len(lists), tc.pages)
			}
			checkPaging(t, lists, rec.ids())
			if got := len(rec.states); got != tc.pages {
				t.Fatalf("%d checkpoints, want one per page (%d)", got, tc.pages)
			}
			if st := decodeState(t, rec.lastState()); st.Phase != stripe.PhaseEvents || st.LastID != "" {
				t.Fatalf("final state %+v", st)
			}
		})
	}
}

func assertExactlyOnce(t *testing.T, got, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("%s emitted %d times", id, seen[id])
		}
		delete(seen, id)
	}
	if len(seen) > 0 {
		t.Errorf("unexpected records: %v", seen)
	}
}

func listRequests(t *testing.T, reqs []string, path string) []url.Values {
	t.Helper()
	var out []url.Values
	for _, r := range reqs {
		p, q, _ := strings.Cut(r, "?")
		if p != path {
			continue
		}
		v, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// checkPaging verifies limit=100 and that each page starts after the last
// record of the one before.
func checkPaging(t *testing.T, lists []url.Values, ids []string) {
	t.Helper()
	for i, q := range lists {
		if q.Get("limit") != "100" {
			t.Errorf("page %d limit %q", i, q.Get("limit"))
		}
		want := ""
		if i > 0 {
			want = ids[i*100-1]
		}
		if q.Get("starting_after") != want {
			t.Errorf("page %d starting_after %q, want %q", i, q.Get("starting_after"), want)
		}
	}
}

func TestFullReadResumesFromCheckpoint(t *testing.T) {
	f := newFake(t)
	want := mustSeed(t, f, stripe.Customers, 300)
	stop := errors.New("engine stopped")
	first := &recorder{}
	first.onRecord = func(connector.Record) error {
		if len(first.records) == 150 {
			return stop
		}
		return nil
	}
	c := stripe.New()
	if err := c.Read(context.Background(), conn(f.URL, f.Key), stripe.Customers, nil, first); !errors.Is(err, stop) {
		t.Fatalf("want the emitter's error, got %v", err)
	}
	// The engine stores records up to the last checkpoint (100) and resumes.
	resumed := &recorder{}
	if err := c.Read(context.Background(), conn(f.URL, f.Key), stripe.Customers, first.lastState(), resumed); err != nil {
		t.Fatalf("resume: %v", err)
	}
	assertExactlyOnce(t, append(first.ids()[:100], resumed.ids()...), want)
}

// The mapping of the golden fixtures is itself golden.
func TestMappingGolden(t *testing.T) {
	f := newFake(t)
	for _, s := range []string{stripe.Customers, stripe.Charges, stripe.Invoices, stripe.Subscriptions} {
		mustSeed(t, f, s, 1)
	}
	out := map[string][]connector.Record{}
	for _, s := range []string{stripe.Customers, stripe.Charges, stripe.Invoices, stripe.Subscriptions} {
		rec := &recorder{}
		if err := stripe.New().Read(context.Background(), conn(f.URL, f.Key), s, nil, rec); err != nil {
			t.Fatalf("read %s: %v", s, err)
		}
		out[s] = rec.records
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	connectortest.Golden(t, "records.golden.json", append(got, '\n'))
}

// A full read whose cursor object was deleted between two calls starts over
// rather than failing for good.
func TestFullReadCursorDeleted(t *testing.T) {
	f := newFake(t)
	want := mustSeed(t, f, stripe.Customers, 120)
	state := json.RawMessage(`{"phase":"full","last_id":"cus_gone","since":1767225600}`)
	rec := &recorder{}
	if err := stripe.New().Read(context.Background(), conn(f.URL, f.Key), stripe.Customers, state, rec); err != nil {
		t.Fatalf("read: %v", err)
	}
	assertExactlyOnce(t, rec.ids(), want)
}
