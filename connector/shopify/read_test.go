package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

func TestShopDomainValidation(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 1})
	c := shopify.New()
	for _, shop := range []string{
		"evil.com", "shop.myshopify.com.evil.com", "http://shop.myshopify.com", "https://shop.myshopify.com",
		"", "SHOP.myshopify.com", "a.b.myshopify.com", "-x.myshopify.com", "shop.myshopify.com/admin",
		"shop.myshopify.com:443", "shop.myshopify.com\n", "myshopify.com", "shop@evil.com#.myshopify.com",
	} {
		conn := srv.Connection()
		conn.Credentials["shop"] = shop
		if err := c.Check(context.Background(), conn); !errors.Is(err, connector.ErrInvalidConfig) {
			t.Errorf("shop %q: err %v, want ErrInvalidConfig", shop, err)
		}
		if shopify.ValidShop(shop) {
			t.Errorf("ValidShop(%q) = true", shop)
		}
	}
	for _, shop := range []string{"acme.myshopify.com", "acme-2.myshopify.com", "9lives.myshopify.com"} {
		if !shopify.ValidShop(shop) {
			t.Errorf("ValidShop(%q) = false", shop)
		}
	}
	spec := c.Spec()
	props := spec.Credentials["properties"].(map[string]any)
	if props["access_token"].(map[string]any)["x-secret"] != true || props["client_secret"].(map[string]any)["x-secret"] != true {
		t.Error("access_token and client_secret must be x-secret")
	}
	if spec.Platform != connector.Shopify || len(c.Streams()) != 3 {
		t.Errorf("spec %s, %d streams", spec.Platform, len(c.Streams()))
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{Customers: 1})
	c := shopify.New()
	if err := c.Check(context.Background(), srv.Connection()); err != nil {
		t.Fatalf("check with a good token: %v", err)
	}
	if err := (&shopify.Connector{}).Check(context.Background(), srv.Connection()); err != nil {
		t.Fatalf("check with a zero Connector: %v", err)
	}
	conn := srv.Connection()
	conn.Credentials["access_token"] = "shpat_wrong"
	if err := c.Check(context.Background(), conn); !errors.Is(err, connector.ErrAuth) {
		t.Fatalf("check with a bad token: %v, want ErrAuth", err)
	}
	srv.SetToken("shpat_rotated")
	err := c.Read(context.Background(), srv.Connection(), shopify.StreamCustomers, json.RawMessage(`{}`), &collector{})
	if !errors.Is(err, connector.ErrAuth) {
		t.Fatalf("read with a revoked token: %v, want ErrAuth", err)
	}
	if err := c.Read(context.Background(), srv.Connection(), "refunds", nil, &collector{}); !errors.Is(err, connector.ErrUnknownStream) {
		t.Fatalf("unknown stream: %v", err)
	}
}

func TestFullPagedReadEmitsEveryRecordOnce(t *testing.T) {
	t.Parallel()
	srv, c, clk := newShop(t, shopifytest.Options{Customers: 620, Orders: 140, Products: 260, LongOrderEvery: 9, Seed: 3})
	c.BulkBackfill = false
	for _, stream := range []string{shopify.StreamCustomers, shopify.StreamOrders, shopify.StreamProducts} {
		e := &collector{}
		drive(t, c, srv.Connection(), clk, stream, nil, e)
		got := emitted(t, e.records)
		if want := srv.Records(stream); len(got) != len(want) {
			t.Fatalf("%s: %d records, shop has %d", stream, len(got), len(want))
		}
		if shopifytest.Checksum(got) != srv.Checksum(stream) {
			t.Fatalf("%s: checksum of emitted records differs from the shop's", stream)
		}
		assertMonotonic(t, e.states(t))
	}
}

func TestOrdersAreMappedWhole(t *testing.T) {
	t.Parallel()
	srv, c, clk := newShop(t, shopifytest.Options{Customers: 30, Orders: 60, Products: 20, LongOrderEvery: 5, Seed: 9})
	c.BulkBackfill = false
	e := &collector{}
	drive(t, c, srv.Connection(), clk, shopify.StreamOrders, nil, e)
	long := 0
	for _, r := range e.records {
		o := r.Order
		if o == nil || o.Currency != "USD" || o.PlacedAt.IsZero() || o.Email == "" || o.Status == "" {
			t.Fatalf("order %s badly mapped: %+v", r.ExternalID, o)
		}
		var subtotal int64
		for _, l := range o.Lines {
			if l.Quantity <= 0 || l.PriceMinor <= 0 || l.ProductExternalID == "" || l.SKU == "" {
				t.Fatalf("order %s line %+v", r.ExternalID, l)
			}
			subtotal += l.Quantity * l.PriceMinor
		}
		if subtotal-o.DiscountMinor != o.TotalMinor {
			t.Errorf("order %s: lines %d - discount %d != total %d", r.ExternalID, subtotal, o.DiscountMinor, o.TotalMinor)
		}
		if o.RefundedMinor > o.TotalMinor || o.RefundedMinor < 0 {
			t.Errorf("order %s refunded %d of %d", r.ExternalID, o.RefundedMinor, o.TotalMinor)
		}
		if len(o.Lines) > 10 {
			long++
		}
	}
	if long == 0 {
		t.Fatal("no order with more than one page of line items was read")
	}
}

func assertMonotonic(t *testing.T, states []shopify.State) {
	t.Helper()
	for i := 1; i < len(states); i++ {
		p, s := states[i-1], states[i]
		if s.UpdatedAt.Before(p.UpdatedAt) || s.Since.Before(p.Since) {
			t.Fatalf("state moved backwards at checkpoint %d: %+v after %+v", i, s, p)
		}
	}
}

func TestIncrementalReadFromSavedState(t *testing.T) {
	t.Parallel()
	srv, c, clk := newShop(t, shopifytest.Options{Customers: 700, Seed: 5})
	c.BulkBackfill = false
	first := &collector{}
	drive(t, c, srv.Connection(), clk, shopify.StreamCustomers, nil, first)
	saved := first.last()
	var st shopify.State
	if err := json.Unmarshal(saved, &st); err != nil || st.Cursor != "" || st.Since.IsZero() {
		t.Fatalf("final state %s: %v", saved, err)
	}
	clk.Advance(time.Hour)
	touched := srv.Touch(shopify.StreamCustomers, 7)
	added := srv.Add(shopify.StreamCustomers, 3)

	e := &collector{}
	drive(t, c, srv.Connection(), clk, shopify.StreamCustomers, saved, e)
	got := emitted(t, e.records)
	for _, r := range e.records {
		if r.UpdatedAt.Before(st.Since) {
			t.Errorf("record %s updated %s is older than the state's %s", r.ExternalID, r.UpdatedAt, st.Since)
		}
	}
	for _, id := range append(touched, added...) {
		if _, ok := got[id]; !ok {
			t.Errorf("changed customer %s not read", id)
		}
	}
	if len(got) > len(touched)+len(added)+5 {
		t.Errorf("incremental read emitted %d records for %d changes", len(got), len(touched)+len(added))
	}
	for _, r := range e.records {
		if r.Customer.Tags == nil && contains(touched, r.ExternalID) {
			t.Errorf("touched customer %s read without its change", r.ExternalID)
		}
	}
	assertMonotonic(t, append([]shopify.State{st}, e.states(t)...))

	// A state from the future (clock skew, a restored backup) is kept, not
	// rewound.
	ahead := clk.Now().Add(48 * time.Hour)
	future := shopify.State{UpdatedAt: ahead, Since: ahead}
	raw, _ := json.Marshal(future)
	e = &collector{}
	drive(t, c, srv.Connection(), clk, shopify.StreamCustomers, raw, e)
	assertMonotonic(t, append([]shopify.State{future}, e.states(t)...))
	if len(e.records) != 0 {
		t.Errorf("%d records newer than a future state", len(e.records))
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestCancellationStopsPromptly(t *testing.T) {
	t.Parallel()
	srv, c, _ := newShop(t, shopifytest.Options{Customers: 600, Orders: 30})
	srv.Inject(shopifytest.Fault{Kind: shopifytest.FaultSlow, Delay: 10 * time.Second}, 1)
	for _, state := range []json.RawMessage{json.RawMessage(`{}`), nil} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		err := c.Read(ctx, srv.Connection(), shopify.StreamCustomers, state, &blockingEmitter{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("state %s: err %v, want context.Canceled", state, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("state %s: cancel took %s", state, d)
		}
		cancel()
	}
}

// blockingEmitter slows the read down so a cancel lands in the middle.
type blockingEmitter struct{ collector }

func (b *blockingEmitter) Record(ctx context.Context, r connector.Record) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Millisecond):
	}
	return b.collector.Record(ctx, r)
}

func TestFaultsRecover(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		fault    shopifytest.Fault
		wantWait time.Duration
	}{
		{"429 with Retry-After", shopifytest.Fault{Kind: shopifytest.Fault429, RetryAfter: 3 * time.Second}, 3 * time.Second},
		{"500 burst", shopifytest.Fault{Kind: shopifytest.Fault500}, 0},
		{"503 burst", shopifytest.Fault{Kind: shopifytest.Fault503}, 0},
		{"truncated body", shopifytest.Fault{Kind: shopifytest.FaultTruncated}, 0},
		{"malformed JSON", shopifytest.Fault{Kind: shopifytest.FaultMalformed}, 0},
		{"slow answers", shopifytest.Fault{Kind: shopifytest.FaultSlow, Delay: 5 * time.Millisecond}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c, clk := newShop(t, shopifytest.Options{Customers: 40, Orders: 45, Products: 5, Seed: 11})
			c.BulkBackfill = false
			srv.Inject(tc.fault, 4)
			e := &collector{}
			res := drive(t, c, srv.Connection(), clk, shopify.StreamOrders, nil, e)
			got := map[string]time.Time{}
			for _, r := range e.records {
				got[r.ExternalID] = r.UpdatedAt
			}
			if shopifytest.Checksum(got) != srv.Checksum(shopify.StreamOrders) {
				t.Fatalf("after faults: %d of %d orders", len(got), len(srv.Records(shopify.StreamOrders)))
			}
			if tc.fault.Kind == shopifytest.FaultSlow {
				if n := len(faultBackoffs(res.backoffs)); n != 0 {
					t.Fatalf("slow answers caused %d back-offs", n)
				}
				return
			}
			faults := faultBackoffs(res.backoffs)
			if len(faults) != 4 {
				t.Fatalf("%d back-offs for 4 faults", len(faults))
			}
			if tc.wantWait > 0 && faults[0].Wait != tc.wantWait {
				t.Fatalf("wait %s, want Retry-After %s", faults[0].Wait, tc.wantWait)
			}
			if tc.fault.Kind == shopifytest.FaultMalformed && !strings.Contains(errorsOf(faults[0]), "decode graphql response") {
				t.Fatalf("malformed answer error not clear: %v", errorsOf(faults[0]))
			}
		})
	}
}

func errorsOf(bo *connector.BackOffError) string {
	if bo.Err == nil {
		return bo.Reason
	}
	return bo.Reason + ": " + bo.Err.Error()
}

// faultBackoffs drops the connector's own cost-budget pacing.
func faultBackoffs(all []*connector.BackOffError) []*connector.BackOffError {
	var out []*connector.BackOffError
	for _, bo := range all {
		if !strings.Contains(bo.Reason, "cost budget") {
			out = append(out, bo)
		}
	}
	return out
}
