package manager_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest/memshop"
	"github.com/omnify-cloud/omnify/connector/manager"
)

type discard struct{}

func (discard) Record(context.Context, connector.Record) error    { return nil }
func (discard) Checkpoint(context.Context, json.RawMessage) error { return nil }
func (discard) Total(int64)                                       {}

func benchRead(b *testing.B, c connector.Connector) {
	shop := memshop.New(1000) // 2000 orders
	if c == nil {
		c = shop
	} else {
		c = manager.Wrap(shop, manager.Options{})
	}
	conn := connector.Connection{ID: "c1", Credentials: map[string]string{"access_token": memshop.Token},
		Config: map[string]string{"page_size": "100"}}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Read(context.Background(), conn, memshop.Orders, nil, discard{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/record")
}

// BenchmarkReadDirect and BenchmarkReadManaged compare a 2,000-record read
// with and without the manager around it.
func BenchmarkReadDirect(b *testing.B)  { benchRead(b, nil) }
func BenchmarkReadManaged(b *testing.B) { benchRead(b, &memshop.Shop{}) }

func BenchmarkValidate(b *testing.B) {
	spec := validationSpec()
	creds := map[string]string{"token": "tok_abcd1234", "domain": "acme", "email": "a@b.co"}
	config := map[string]string{"mode": "live", "pages": "10", "flag": "true"}
	b.ReportAllocs()
	for b.Loop() {
		if err := manager.Validate(spec, creds, config); err != nil {
			b.Fatal(err)
		}
	}
}
