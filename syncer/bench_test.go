package syncer_test

import (
	"context"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/syncer"
)

type nopSink struct{}

func (nopSink) Store(context.Context, string, string, string, []connector.Record) error { return nil }

// BenchmarkFullSync100k measures the engine alone: 100,000 fake orders in
// pages of 250, batches of 500 to a sink that discards them, a checkpoint
// saved in SQLite per page.
func BenchmarkFullSync100k(b *testing.B) {
	const orders = 100_000
	src := fake.New(9, 0, orders)
	e := newEnv(b, src, func(c *syncer.Config) { c.Sink = nopSink{} })
	conn := e.connect()
	b.ResetTimer()
	for range b.N {
		run := e.sync(conn.ID, omnify.SyncFull)
		if run.Status != omnify.JobSucceeded || run.Progress[fake.StreamOrders].Stored != orders {
			b.Fatalf("sync: %s %s", run.Status, run.Error)
		}
	}
	b.ReportMetric(float64(orders*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkFullSyncToSQLite20k is the engine with a sink upserting into the
// store's customer and order tables: 20,000 orders.
func BenchmarkFullSyncToSQLite20k(b *testing.B) {
	const orders = 20_000
	src := fake.New(9, 0, orders)
	e := newEnv(b, src)
	conn := e.connect()
	b.ResetTimer()
	for range b.N {
		if run := e.sync(conn.ID, omnify.SyncFull); run.Status != omnify.JobSucceeded {
			b.Fatalf("sync: %s %s", run.Status, run.Error)
		}
	}
	b.ReportMetric(float64(orders*b.N)/b.Elapsed().Seconds(), "records/s")
}
