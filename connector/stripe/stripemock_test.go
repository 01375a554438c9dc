package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

// stripAuth drops the Authorization header, as a misconfigured proxy would.
type stripAuth struct{}

func (stripAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Del("Authorization")
	return http.DefaultTransport.RoundTrip(req)
}

func TestIntegrationStripeMockCheck(t *testing.T) {
	base := stripemock.Start(t)
	c := stripe.New()
	ctx := context.Background()
	if err := c.Check(ctx, conn(base, stripemock.TestKey)); err != nil {
		t.Fatalf("check with a test key: %v", err)
	}
	// stripe-mock accepts only sk_test_ keys.
	if err := c.Check(ctx, conn(base, "sk_live_abc")); !errors.Is(err, connector.ErrAuth) {
		t.Fatalf("check with a refused key: want ErrAuth, got %v", err)
	}
	noAuth := conn(base, stripemock.TestKey)
	noAuth.HTTP = &http.Client{Transport: stripAuth{}}
	if err := c.Check(ctx, noAuth); !errors.Is(err, connector.ErrAuth) {
		t.Fatalf("check without the header: want ErrAuth, got %v", err)
	}
	invalid := conn(base, stripemock.TestKey)
	invalid.HTTP = &http.Client{Transport: extraParam{}}
	if err := c.Check(ctx, invalid); !errors.Is(err, connector.ErrPermanent) {
		t.Fatalf("check with a parameter the spec lacks: want ErrPermanent, got %v", err)
	}
}

// extraParam adds a query parameter Stripe's spec does not know, which
// stripe-mock refuses with 400 invalid_request_error.
type extraParam struct{}

func (extraParam) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	q := req.URL.Query()
	q.Set("omnify_unknown", "1")
	req.URL.RawQuery = q.Encode()
	return http.DefaultTransport.RoundTrip(req)
}

// stripe-mock validates every request against Stripe's OpenAPI spec, so a
// clean read proves the request shapes (limit, starting_after, status=all,
// the event type filter and ending_before); its fixtures exercise mapping.
func TestIntegrationStripeMockFullRead(t *testing.T) {
	base := stripemock.Start(t)
	c := stripe.New()
	prefixes := map[string]string{
		stripe.Customers: "cus_", stripe.Charges: "ch_", stripe.Invoices: "in_", stripe.Subscriptions: "sub_",
	}
	for _, s := range c.Streams() {
		t.Run(s.Name, func(t *testing.T) {
			rec := &recorder{}
			if err := c.Read(context.Background(), conn(base, stripemock.TestKey), s.Name, nil, rec); err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(rec.records) == 0 {
				t.Fatal("stripe-mock's fixture list should yield a record")
			}
			for _, r := range rec.records {
				checkMapped(t, s.Name, prefixes[s.Name], r)
			}
			if st := decodeState(t, rec.lastState()); st.Phase != stripe.PhaseEvents || st.EventID == "" {
				t.Fatalf("final state %+v: want events phase with the newest event", st)
			}
		})
	}
}

func checkMapped(t *testing.T, stream, prefix string, r connector.Record) {
	t.Helper()
	if r.Stream != stream || !strings.HasPrefix(r.ExternalID, prefix) || r.UpdatedAt.IsZero() {
		t.Errorf("record %+v: stream, id or time wrong", r)
	}
	switch stream {
	case stripe.Customers:
		if r.Customer == nil || r.Customer.Consent != "unknown" || r.Customer.CreatedAt.IsZero() {
			t.Errorf("customer %+v", r.Customer)
		}
	case stripe.Charges, stripe.Invoices:
		kind := map[string]string{stripe.Charges: "charge", stripe.Invoices: "invoice"}[stream]
		if r.Invoice == nil || r.Invoice.Kind != kind || len(r.Invoice.Currency) != 3 || r.Invoice.Currency != strings.ToUpper(r.Invoice.Currency) {
			t.Errorf("%s %+v", kind, r.Invoice)
		}
	case stripe.Subscriptions:
		if r.Subscription == nil || r.Subscription.Status == "" || r.Subscription.StartedAt.IsZero() {
			t.Errorf("subscription %+v", r.Subscription)
		}
	}
}
