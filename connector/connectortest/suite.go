// Package connectortest owns the one test suite every connector runs, and
// every decorator of a connector (the platform manager) too. A connector's
// tests describe its fake vendor in a Harness and call Run; what the
// connector can do is declared in Features, never guessed from its name.
//
// The suite checks the Spec and streams, that refused credentials are
// connector.ErrAuth, that a full read emits exactly the vendor's records
// with checkpoints whose records never go back in time, that an incremental
// read resumes from the saved state and picks up changes, that cancellation
// stops a read within CancelWithin, and that a read under injected faults,
// driven through the platform manager, still delivers every record.
package connectortest

import (
	"context"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// CancelWithin is how soon after its context ends a Read must return.
const CancelWithin = 2 * time.Second

// ReadTimeout bounds every read the suite makes, so a hung connector fails
// its test instead of stalling the run.
const ReadTimeout = time.Minute

// Harness describes a connector and its fake vendor.
type Harness struct {
	// New returns the connector under test. Required.
	New func() connector.Connector
	// Connection returns a connection the fake vendor accepts. Required.
	Connection func(t testing.TB) connector.Connection
	// BadCredentials returns a connection whose credentials pass the Spec
	// but that the fake vendor refuses. Required.
	BadCredentials func(t testing.TB) connector.Connection
	// Expected is the fake vendor's current number of records in a stream.
	// Required.
	Expected func(t testing.TB, stream string) int
	// Mutate changes or adds records at the fake vendor, each with a newer
	// update time than any record before, so an incremental read has
	// something new. Required when a stream is incremental.
	Mutate func(t testing.TB)
	// Faults turns fault injection at the fake vendor on or off: 429s with
	// Retry-After, bursts of 5xx, truncated bodies. Every fault must be one
	// a retry cures, and each must stop after a few requests. Required when
	// Features.Faults is set.
	Faults func(t testing.TB, on bool)
	// Features declares what the connector can do.
	Features Features
}

// Features are a connector's declared capabilities.
type Features struct {
	// Incremental names the streams that resume from a saved state; it
	// must agree with Streams().
	Incremental map[string]bool
	// FullReadByPosition names incremental streams whose full read resumes
	// from a position in the vendor's list (e.g. Stripe's newest-first
	// pages) rather than from update times. Their full-read records need not
	// come in update order; their incremental reads still must.
	FullReadByPosition map[string]bool
	// Faults says the harness can inject vendor faults.
	Faults bool
}

// Run runs the suite. Subtests run in order and share the fake vendor;
// Mutate is called once, by the incremental subtest.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil || h.Connection == nil || h.BadCredentials == nil || h.Expected == nil {
		t.Fatal("connectortest: Harness needs New, Connection, BadCredentials and Expected")
	}
	t.Run("spec", func(t *testing.T) { testSpec(t, h) })
	t.Run("streams", func(t *testing.T) { testStreams(t, h) })
	t.Run("check", func(t *testing.T) { testCheck(t, h) })
	t.Run("unknown_stream", func(t *testing.T) { testUnknownStream(t, h) })
	for _, s := range h.New().Streams() {
		t.Run("full_read/"+s.Name, func(t *testing.T) { testFullRead(t, h, s) })
	}
	for _, s := range h.New().Streams() {
		t.Run("state_never_moves_backwards/"+s.Name, func(t *testing.T) { testMonotonic(t, h, s) })
	}
	t.Run("incremental", func(t *testing.T) { testIncremental(t, h) })
	t.Run("cancellation", func(t *testing.T) { testCancellation(t, h) })
	t.Run("faults", func(t *testing.T) { testFaults(t, h) })
}

// readCtx is the context of one suite read.
func readCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), ReadTimeout)
	t.Cleanup(cancel)
	return ctx
}
