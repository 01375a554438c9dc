package syncer_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/syncer"
)

var errReset = errors.New("connection reset")

// flaky fails one Read mid-page, after failAt records, with a back-off.
type flaky struct {
	connector.Connector
	failAt int64
	n      atomic.Int64
}

func (f *flaky) Read(ctx context.Context, c connector.Connection, s string, st json.RawMessage, e connector.Emitter) error {
	err := f.Connector.Read(ctx, c, s, st, &flakyEmitter{Emitter: e, f: f})
	if errors.Is(err, errReset) {
		return connector.BackOff(time.Second, "the shop reset the connection", err)
	}
	return err
}

type flakyEmitter struct {
	connector.Emitter
	f *flaky
}

func (e *flakyEmitter) Record(ctx context.Context, r connector.Record) error {
	if e.f.n.Add(1) == e.f.failAt {
		return errReset
	}
	return e.Emitter.Record(ctx, r)
}

// TestPlainAndManagedConnectors syncs through the bare connector (the
// engine handles the back-off) and through the platform manager (which
// retries from the last checkpoint itself): both store every record once.
func TestPlainAndManagedConnectors(t *testing.T) {
	t.Parallel()
	for _, managed := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "managed"}[managed]
		t.Run(name, func(t *testing.T) {
			src := fake.New(12, 100, 1000)
			var c connector.Connector = &flaky{Connector: src, failAt: 333}
			var slept atomic.Int32
			if managed {
				c = manager.Wrap(c, manager.Options{CheckCacheTTL: -1,
					Sleep: func(context.Context, time.Duration) error { slept.Add(1); return nil }})
			}
			sink := &countingSink{}
			e := newEnv(t, src, func(cfg *syncer.Config) {
				cfg.Sink = sink
				cfg.Registry = connector.NewRegistry()
				if err := cfg.Registry.Register(c); err != nil {
					t.Fatal(err)
				}
			})
			conn := e.connect()
			if run := e.sync(conn.ID, omnify.SyncFull); run.Status != omnify.JobSucceeded {
				t.Fatalf("sync: %s", run.Error)
			}
			if n := sink.count(fake.StreamCustomers) + sink.count(fake.StreamOrders); n != 1100 {
				t.Fatalf("%d records stored once each, want 1100", n)
			}
			engineWaits, managerWaits := len(e.sleep.Waits()), int(slept.Load())
			if managed && (managerWaits < 1 || engineWaits != 0) || !managed && engineWaits != 1 {
				t.Fatalf("the engine waited %d times, the manager %d", engineWaits, managerWaits)
			}
		})
	}
}
