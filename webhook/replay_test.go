package webhook_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/webhook"
)

// TestRetryOnAnotherReplicaIsHandledOnce: two replicas sharing the replay
// memory (Redis in production) handle a delivery once, whichever replica
// the vendor's retry reaches.
func TestRetryOnAnotherReplicaIsHandledOnce(t *testing.T) {
	e := newEnv(t)
	shared := cache.NewMemory(cache.MemoryOptions{})
	replica := func() *httptest.Server {
		n := 0
		rc := &webhook.Receiver{Connections: e.db, Syncer: e.sync, Audit: e.db, Replays: shared,
			Verifiers: map[string]webhook.Verifier{"shopify": verify},
			NewID:     func() string { n++; return fmt.Sprintf("ev-%d-%d", time.Now().UnixNano(), n) }}
		mux := http.NewServeMux()
		mux.Handle(webhook.Pattern, rc)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv
	}
	a, b := replica(), replica()
	body := []byte(`{"id":1}`)
	for _, srv := range []*httptest.Server{a, b, a} {
		e.srv = srv
		if got := e.post(t, "/webhooks/shopify/conn-1", sign("s3cret-conn-1", body), "evt-42", "orders/create", body); got != 200 {
			t.Fatalf("status %d", got)
		}
	}
	if got := len(e.sync.triggers); got != 1 {
		t.Fatalf("%d syncs started for one delivery sent to two replicas, want 1", got)
	}
	// Another event is still handled.
	e.srv = b
	if got := e.post(t, "/webhooks/shopify/conn-1", sign("s3cret-conn-1", body), "evt-43", "orders/create", body); got != 200 {
		t.Fatalf("status %d", got)
	}
	if got := len(e.sync.triggers); got != 2 {
		t.Fatalf("%d syncs after a second event, want 2", got)
	}
}
